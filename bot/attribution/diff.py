"""What changed in an article's claims between two versions: figures, wording, attribution.

Claims are paired first when they are the same (speaker and words), then by how alike their
words are (at least ``PAIR_RATIO``); a pair that differs is one change, of the first kind that
describes it: the speaker (an attribution added, removed or moved), a figure (the numbers
differ, the words around them barely), or the wording. Unpaired claims were added or removed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.attribution.quantities import parse_quantities
from bot.model import Claim

ChangeKind = Literal[
    "figure", "reworded", "attribution-added", "attribution-removed", "speaker-changed", "added", "removed"
]
PAIR_RATIO = 0.5  # how alike two claims' words must be to be one claim edited
QUOTE_CHARS = 120


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One change between versions; ``summary`` says it in one phrase."""

    kind: ChangeKind
    before: Claim | None
    after: Claim | None
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the kind, the phrase, and each side's speaker and content."""
        side = lambda c: None if c is None else {"speaker": c.speaker, "content": c.content}  # noqa: E731
        return {"kind": self.kind, "summary": self.summary, "before": side(self.before), "after": side(self.after)}


def diff_claims(before: Sequence[Claim], after: Sequence[Claim]) -> list[ClaimChange]:
    """The changes from ``before``'s claims to ``after``'s, in the order of the newer text."""
    old, new = list(before), list(after)
    for claim in list(new):  # identical claims are no change
        twin = next((o for o in old if o.speaker == claim.speaker and _words(o) == _words(claim)), None)
        if twin is not None:
            old.remove(twin)
            new.remove(claim)
    pairs = _pair(old, new)
    changes = [_changed(o, n) for o, n in pairs]
    paired_old = {id(o) for o, _ in pairs}
    paired_new = {id(n) for _, n in pairs}
    changes += [ClaimChange("added", None, n, f"added: {_said(n)}") for n in new if id(n) not in paired_new]
    changes += [ClaimChange("removed", o, None, f"removed: {_said(o)}") for o in old if id(o) not in paired_old]
    return sorted(changes, key=lambda c: _position(c))


def _position(change: ClaimChange) -> int:
    claim = change.after or change.before
    return claim.start if claim is not None else 0


def _pair(old: list[Claim], new: list[Claim]) -> list[tuple[Claim, Claim]]:
    """Greedy best pairs by word similarity, each claim in at most one pair."""
    scored = sorted(
        ((_ratio(o, n), i, j) for i, o in enumerate(old) for j, n in enumerate(new)), reverse=True
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for ratio, i, j in scored:
        if ratio < PAIR_RATIO:
            break
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((old[i], new[j]))
    return pairs


def _changed(old: Claim, new: Claim) -> ClaimChange:
    if old.speaker != new.speaker:
        if old.speaker is None:
            return ClaimChange("attribution-added", old, new,
                               f"{_quote(new.content)} is now attributed to {new.speaker}")
        if new.speaker is None:
            return ClaimChange("attribution-removed", old, new,
                               f"{_quote(new.content)} is no longer attributed to {old.speaker}")
        return ClaimChange("speaker-changed", old, new,
                           f"{_quote(new.content)} is now attributed to {new.speaker}, not {old.speaker}")
    figures = _figure_change(old, new)
    if figures:
        return ClaimChange("figure", old, new, f"{figures} ({_speaker(new)})")
    return ClaimChange("reworded", old, new, f"{_speaker(new)}: {_quote(old.content)} became {_quote(new.content)}")


def _figure_change(old: Claim, new: Claim) -> str | None:
    """"'up to 15,000' became 'up to 7,000'" when the numbers differ and little else does."""
    was = [q.text for q in (old.quantities or parse_quantities(old.content))]
    now = [q.text for q in (new.quantities or parse_quantities(new.content))]
    if not was or not now or was == now:
        return None
    rest_old, rest_new = old.content, new.content
    for figure in was:
        rest_old = rest_old.replace(figure, " ")
    for figure in now:
        rest_new = rest_new.replace(figure, " ")
    if difflib.SequenceMatcher(None, rest_old.casefold().split(), rest_new.casefold().split()).ratio() < 0.8:
        return None
    gone = [f for f in was if f not in now] or was
    came = [f for f in now if f not in was] or now
    return ", ".join(f"{_quote(a)} became {_quote(b)}" for a, b in zip(gone, came, strict=False))


def _ratio(a: Claim, b: Claim) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b)).ratio()


def _words(claim: Claim) -> list[str]:
    return claim.content.casefold().split()


def _speaker(claim: Claim) -> str:
    return claim.speaker or claim.speaker_mention or "unattributed"


def _said(claim: Claim) -> str:
    return f"{_speaker(claim)} {claim.cue} {_quote(claim.content)}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + '…'}'"
