"""PolNeAR evaluation of the attribution engine against textacy's direct-quotation baseline.

Run from the project root (the corpus is read from ../shared/polnear at run time and never
copied into the project):

    .venv/bin/python -m evals.attribution.polnear --split dev
    .venv/bin/python -m evals.attribution.polnear --split train --limit 100
    .venv/bin/python -m evals.attribution.polnear --split dev --engine model

Prints content P/R/F1, source and cue accuracy on matched pairs, full-match P/R/F1 for the
engine and for ``textacy.extract.triples.direct_quotations`` on the same spaCy model, and the
engine's throughput in sentences per second.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import Any

from bot.attribution import AttributionExtractor
from bot.attribution.engine import ENGINES, create_extractor
from evals.attribution.scoring import Attr, Tally

DEFAULT_ROOT = Path(__file__).resolve().parents[3] / "shared" / "polnear"
_SPAN_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")
_EVENT_LINE = re.compile(r"^(E\d+)\t(.*)$")


def parse_ann(path: Path) -> list[Attr]:
    """Read one brat standoff file into gold attributions."""
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    events: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _SPAN_LINE.match(line):
            ranges = tuple(
                (int(a), int(b)) for a, b in (r.split() for r in m.group(3).split(";"))
            )
            spans[m.group(1)] = ranges
        elif m := _EVENT_LINE.match(line):
            events.append(m.group(2))
    golds: list[Attr] = []
    for event in events:
        roles: dict[str, list[tuple[int, int]]] = {}
        for part in event.split():
            role, _, ref = part.partition(":")
            roles.setdefault(role.rstrip("0123456789"), []).extend(spans.get(ref, ()))
        if roles.get("Content") and roles.get("Cue"):
            source = tuple(roles["Source"]) if roles.get("Source") else None
            golds.append(Attr(tuple(roles["Content"]), tuple(roles["Cue"]), source))
    return golds


def load_split(root: Path, split: str, limit: int | None) -> list[tuple[str, str, list[Attr]]]:
    """(name, text, gold) per article, one annotator file each (the first by name)."""
    folder = root / split
    chosen: dict[str, Path] = {}
    for ann in sorted((folder / "attributions").glob("*.ann")):
        chosen.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for name, ann in sorted(chosen.items())[: limit or None]:
        text = (folder / "text" / f"{name}.txt").read_text(encoding="utf-8")
        articles.append((name, text, parse_ann(ann)))
    return articles


def textacy_attrs(doc) -> list[Attr]:
    """The baseline: textacy's direct quotations reduced to spans."""
    from textacy.extract.triples import direct_quotations

    out: list[Attr] = []
    try:
        triples = list(direct_quotations(doc))
    except Exception:
        return out
    for tri in triples:
        speaker = tuple((t.idx, t.idx + len(t)) for t in tri.speaker) or None
        cue = tuple((t.idx, t.idx + len(t)) for t in tri.cue)
        out.append(Attr(((tri.content.start_char, tri.content.end_char),), cue, speaker))
    return out


def _print(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:<10} content P {figures['content_P']:5.1f} R {figures['content_R']:5.1f} "
        f"F1 {figures['content_F1']:5.1f} | source acc {figures['source_acc']:5.1f} "
        f"cue acc {figures['cue_acc']:5.1f} | full P {figures['full_P']:5.1f} "
        f"R {figures['full_R']:5.1f} F1 {figures['full_F1']:5.1f}"
    )


def evaluate(
    root: Path = DEFAULT_ROOT,
    split: str = "dev",
    *,
    limit: int | None = None,
    baseline: bool = True,
    extractor: AttributionExtractor | None = None,
    shared: bool = True,
) -> dict[str, Any]:
    """Score the engine (and the baseline, unless switched off) on one split; the figures as a dict."""
    articles = load_split(root, split, limit)
    extractor = extractor or AttributionExtractor()
    extractor.extract("Warm-up: the model loads here, not in the timing, she said.")
    states = None
    encode_seconds = 0.0
    if shared and extractor.state_layers:
        # As an ingest does: the tagger reads the states of the pass that embeds the passages.
        from bot.index.embedder import SentenceTransformerEmbedder
        from bot.ingest.chunking import chunk_text
        from bot.ingest.pipeline import passage_states

        embedder = SentenceTransformerEmbedder()
        embedder.embed(["Warm-up."])
        began = time.perf_counter()
        chunks = [chunk_text(text, article_id=name) for name, text, _ in articles]
        _, states = passage_states(embedder, chunks, layers=extractor.state_layers)
        encode_seconds = time.perf_counter() - began
    began = time.perf_counter()
    outputs = list(extractor.extract_many((text for _, text, _ in articles), states))
    seconds = time.perf_counter() - began

    ours, base = Tally(), Tally()
    sentences = 0
    for (_, _, gold), claims in zip(articles, outputs, strict=True):
        ours.add([Attr.from_claim(c) for c in claims], gold)
    for doc, (_, _, gold) in zip(
        extractor.nlp.pipe(t for _, t, _ in articles), articles, strict=True
    ):
        sentences += sum(1 for _ in doc.sents)
        if baseline:
            base.add(textacy_attrs(doc), gold)
    return {
        "split": split, "articles": len(articles), "gold": ours.gold, "claims": ours.pred,
        "sentences": sentences, "seconds": seconds, "embed_seconds": encode_seconds,
        "sentences_per_s": sentences / seconds if seconds else 0.0,
        "whosaid": ours.figures(), "textacy": base.figures() if baseline else None,
    }


def main() -> None:
    """Score the engine and the baseline on one PolNeAR split and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["train", "dev"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--engine", choices=ENGINES, default="rules", help="the candidate finder to score")
    parser.add_argument(
        "--model", type=Path, default=None, help="a tagger file: .safetensors (MiniLM), .bin (CRF); default: shipped"
    )
    parser.add_argument(
        "--own-states", action="store_true",
        help="the tagger encodes each paragraph itself, instead of reading the passages' embedding pass as ingest does",
    )
    args = parser.parse_args()

    extractor = create_extractor(args.engine, model_path=args.model)
    result = evaluate(
        args.root, args.split, limit=args.limit, baseline=not args.no_baseline, extractor=extractor,
        shared=not args.own_states,
    )
    print(f"PolNeAR {args.split} ({args.engine}): {result['articles']} articles, {result['gold']} gold attributions")
    _print("whosaid", result["whosaid"])
    if result["textacy"] is not None:
        _print("textacy", result["textacy"])
    print(f"throughput: {result['sentences_per_s']:.1f} sentences/s "
          f"({result['sentences']} sentences, {result['seconds']:.1f} s, {result['claims']} claims)"
          + (f"; the passages' embedding pass that gave the tagger its states took {result['embed_seconds']:.1f} s"
             if result["embed_seconds"] else ""))


if __name__ == "__main__":
    main()
