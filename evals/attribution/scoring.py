"""Matching predicted attributions to gold ones and the figures the evals print.

A prediction matches a gold attribution when their content spans overlap with character
Dice >= 0.5; pairs are made one-to-one, greedily by Dice. On matched pairs, the source and
the cue count as right when their spans overlap (or both sources are absent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.attribution.spans import dice, overlaps
from bot.model import Claim, Span

DICE_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Attr:
    """One attribution reduced to its spans (gold or predicted)."""

    content: tuple[Span, ...]
    cue: tuple[Span, ...]
    source: tuple[Span, ...] | None  # None: no source (unattributed)
    speaker: str | None = None

    @classmethod
    def from_claim(cls, claim: Claim) -> Attr:
        """Reduce an engine claim to spans."""
        source = (claim.source_span,) if claim.source_span else None
        return cls(claim.content_spans, (claim.cue_span,), source, claim.speaker)


def _any_overlap(a: tuple[Span, ...], b: tuple[Span, ...]) -> bool:
    return any(overlaps(x, y) for x in a for y in b)


def source_ok(pred: Attr, gold: Attr) -> bool:
    """Sources agree: both absent, or their spans overlap."""
    if pred.source is None or gold.source is None:
        return pred.source is None and gold.source is None
    return _any_overlap(pred.source, gold.source)


def match(preds: list[Attr], golds: list[Attr]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index) with content Dice >= 0.5, best first."""
    scored = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if not _any_overlap(p.content, g.content):
                continue
            d = dice(p.content, g.content)
            if d >= DICE_THRESHOLD:
                scored.append((d, i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in sorted(scored, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


@dataclass(slots=True)
class Tally:
    """Counts over a corpus, turned into precision, recall, F1 and accuracies."""

    pred: int = 0
    gold: int = 0
    matched: int = 0
    source: int = 0
    cue: int = 0
    full: int = 0
    misses: list[tuple[str, Attr]] = field(default_factory=list)

    def add(self, preds: list[Attr], golds: list[Attr]) -> list[tuple[int, int]]:
        """Score one document and return its matched pairs."""
        pairs = match(preds, golds)
        self.pred += len(preds)
        self.gold += len(golds)
        self.matched += len(pairs)
        for i, j in pairs:
            src = source_ok(preds[i], golds[j])
            cue = _any_overlap(preds[i].cue, golds[j].cue)
            self.source += src
            self.cue += cue
            self.full += src and cue
        return pairs

    @staticmethod
    def _prf(hit: int, pred: int, gold: int) -> tuple[float, float, float]:
        p = hit / pred if pred else 0.0
        r = hit / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def figures(self) -> dict[str, float]:
        """Percentages: content P/R/F1, source and cue accuracy, full-match P/R/F1."""
        cp, cr, cf = self._prf(self.matched, self.pred, self.gold)
        fp, fr, ff = self._prf(self.full, self.pred, self.gold)
        m = self.matched or 1
        return {
            "content_P": 100 * cp, "content_R": 100 * cr, "content_F1": 100 * cf,
            "source_acc": 100 * self.source / m, "cue_acc": 100 * self.cue / m,
            "full_P": 100 * fp, "full_R": 100 * fr, "full_F1": 100 * ff,
        }
