"""Precision and recall of speaker, cue and content on the hand-annotated seed article.

    .venv/bin/python -m evals.attribution.seed

Content: a claim matches a gold attribution when their content spans reach character Dice
>= 0.5 (one-to-one, greedy). Cue: a content match whose cue spans overlap. Speaker: a content
match whose canonical speaker equals the gold one (case-insensitive; both None counts).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.attribution import AttributionExtractor
from bot.attribution.engine import ENGINES, create_extractor
from evals.attribution.scoring import Attr, match

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold" / "seed_attributions.json"


def load_gold(path: Path) -> tuple[str, list[Attr]]:
    """The article text and its gold attributions, checked against the text."""
    data = json.loads(path.read_text(encoding="utf-8"))
    text = (ROOT / data["text_file"]).read_text(encoding="utf-8")
    golds = []
    for item in data["attributions"]:
        parts = [item["cue"], *item["content"], *([item["source"]] if item["source"] else [])]
        for part in parts:
            start, end = part["span"]
            if text[start:end] != part["text"]:
                raise SystemExit(f"gold span {part['span']} does not read {part['text']!r}")
        source = (tuple(item["source"]["span"]),) if item["source"] else None
        golds.append(
            Attr(
                content=tuple(tuple(c["span"]) for c in item["content"]),
                cue=(tuple(item["cue"]["span"]),),
                source=source,
                speaker=item["speaker"],
            )
        )
    return text, golds


def _same_speaker(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


def _prf(hit: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = hit / pred if pred else 0.0
    r = hit / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(preds: list[Attr], golds: list[Attr], pairs: list[tuple[int, int]]) -> dict[str, float]:
    """Counts and percentages: P/R/F1 of content, cue and speaker over matched pairs."""
    hits = {
        "content": len(pairs),
        "cue": sum(any(p[0] < g[1] and g[0] < p[1] for p in preds[i].cue for g in golds[j].cue)
                   for i, j in pairs),
        "speaker": sum(_same_speaker(preds[i].speaker, golds[j].speaker) for i, j in pairs),
    }
    figures: dict[str, float] = {"gold": len(golds), "predicted": len(preds)}
    for name, hit in hits.items():
        p, r, f = _prf(hit, len(preds), len(golds))
        figures |= {f"{name}_P": 100 * p, f"{name}_R": 100 * r, f"{name}_F1": 100 * f}
    return figures


def evaluate(gold: Path = GOLD, extractor: AttributionExtractor | None = None) -> dict[str, float]:
    """Extract the seed article's claims and score them against the gold (see ``score``)."""
    text, golds = load_gold(gold)
    preds = [Attr.from_claim(c) for c in (extractor or AttributionExtractor()).extract(text)]
    return score(preds, golds, match(preds, golds))


def main() -> None:
    """Print P/R/F1 of content, cue and speaker on the seed article, and the misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    parser.add_argument("--engine", choices=ENGINES, default="rules", help="the candidate finder to score")
    parser.add_argument(
        "--model", type=Path, default=None, help="a tagger file: .safetensors (MiniLM), .bin (CRF); default: shipped"
    )
    args = parser.parse_args()
    text, golds = load_gold(args.gold)
    claims = create_extractor(args.engine, model_path=args.model).extract(text)
    preds = [Attr.from_claim(c) for c in claims]
    pairs = match(preds, golds)
    figures = score(preds, golds, pairs)
    print(f"seed article: {len(golds)} gold attributions, {len(preds)} predicted")
    for name in ("content", "cue", "speaker"):
        print(f"{name:<8} P {figures[name + '_P']:5.1f}  R {figures[name + '_R']:5.1f}  "
              f"F1 {figures[name + '_F1']:5.1f}")
    if args.verbose:
        matched_g = {j for _, j in pairs}
        matched_p = {i for i, _ in pairs}
        for j, g in enumerate(golds):
            if j not in matched_g:
                print("missed:", " | ".join(text[s:e] for s, e in g.content))
        for i, c in enumerate(claims):
            if i not in matched_p:
                print("extra: ", c.speaker, c.cue, "|", c.content)
        for i, j in pairs:
            if not _same_speaker(preds[i].speaker, golds[j].speaker):
                print("speaker:", preds[i].speaker, "!=", golds[j].speaker)


if __name__ == "__main__":
    main()
