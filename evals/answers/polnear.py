"""Who-said questions generated from PolNeAR attributions, answered over the PolNeAR articles.

    .venv/bin/python -m evals.answers.polnear [--split dev] [--sample 200] [--seed 13] [--out DIR]

For every annotated attribution with a source, the question is "Who said that <content>?" (the
annotated content span, quotation marks and a leading "that" removed; contents under 6 or over
40 words are skipped, and so are attributions whose source is only a pronoun, because PolNeAR
does not resolve pronouns and the gold name is then unknown). A deterministic sample is
answered by ``Whosaid.ask`` over an index of the split's articles (real models, extraction on).
A prediction matches when the gold source text and the top attribution's speaker or
speaker_mention contain one another (whole words, case-insensitive) or share the head surname
(last capitalised word). The corpus is read from ../shared/polnear and never copied into the
project: the articles and the generated questions live in temporary or --out directories only
(evals/out/ is git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.service import Whosaid
from evals.answers.polnear_index import indexed
from evals.attribution.polnear import DEFAULT_ROOT, load_split

OUT = Path(__file__).resolve().parents[2] / "evals" / "out" / "answers-polnear"
MIN_WORDS, MAX_WORDS = 6, 40
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "their", "its", "our",
                       "who", "whom", "which", "that"})
_QUOTES = "\"“”‘’'`"
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\.?\s+[A-Z][\w'’-]*)*")


@dataclass(frozen=True, slots=True)
class Question:
    """A generated question and its gold source."""

    article: str
    question: str
    content: str
    source: str


def clean_content(text: str) -> str:
    """The content as a question can quote it: one line, no quotation marks, no leading "that"."""
    text = " ".join(text.split()).strip(_QUOTES + " ,.;:")
    text = re.sub(r"^that\s+", "", text, flags=re.I)
    return "".join(ch for ch in text if ch not in "“”\"").strip(" ,.;:")


def span_text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The words of a (possibly discontiguous) annotated span, on one line."""
    return " ".join(" ".join(text[s:e] for s, e in spans).split())


def is_pronoun(source: str) -> bool:
    """A source that is only a pronoun: PolNeAR does not resolve it, so its gold name is unknown.

    Relative pronouns too: the gold "who" of "Doris Sand, who said ..." names no one, and an
    engine that answers "Doris Sand" must not be scored wrong (nor one that answers "who" right).
    """
    return source.lower().strip(".,") in _PRONOUNS


def generate(root: Path, split: str) -> tuple[list[Question], dict[str, int], list[tuple[str, str]]]:
    """Every usable question of a split, the counts of skipped ones, and the (name, text) articles."""
    articles = load_split(root, split, None)
    questions: list[Question] = []
    skipped = {"no source": 0, "pronoun source": 0, "too short or long": 0}
    for name, text, golds in articles:
        for attr in golds:
            if not attr.source:
                skipped["no source"] += 1
                continue
            source = span_text(text, attr.source)
            if is_pronoun(source):
                skipped["pronoun source"] += 1
                continue
            content = clean_content(span_text(text, attr.content))
            if not MIN_WORDS <= len(content.split()) <= MAX_WORDS:
                skipped["too short or long"] += 1
                continue
            questions.append(Question(name, f"Who said that {content}?", content, source))
    return questions, skipped, [(name, text) for name, text, _ in articles]


def matches(gold: str, predicted: str | None) -> bool:
    """Gold source and prediction contain one another, or share the head surname."""
    if not predicted:
        return False
    g, p = _words(gold), _words(predicted)
    if not g or not p:
        return False
    if _contains(g, p) or _contains(p, g):
        return True
    gold_head, predicted_head = _head(gold), _head(predicted)
    return gold_head is not None and gold_head == predicted_head


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.casefold().replace("’s", "").replace("'s", ""))


def _contains(outer: list[str], inner: list[str]) -> bool:
    n = len(inner)
    return any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def _head(text: str) -> str | None:
    """The last word of the first capitalised name ("Kellyanne Conway, Trump's manager" -> "conway")."""
    name = _NAME.search(text)
    return re.sub(r"['’]s$", "", name.group().split()[-1]).casefold() if name else None


def ask_all(service: Whosaid, questions: list[Question]) -> list[dict[str, object]]:
    """Answer every question and record the top attribution and whether it matches the gold source."""
    rows = []
    for q in questions:
        began = time.perf_counter()
        answer = service.ask(q.question)
        seconds = time.perf_counter() - began
        top = answer.attributions[0] if answer.attributions else None
        speaker, mention = (top.speaker, top.speaker_mention) if top else (None, None)
        cited = answer.citations[0].source if answer.citations else ""
        rows.append({
            **asdict(q), "abstained": answer.abstained, "speaker": speaker, "speaker_mention": mention,
            "match": matches(q.source, speaker) or matches(q.source, mention),
            "any_match": any(matches(q.source, a.speaker) or matches(q.source, a.speaker_mention)
                             for a in answer.attributions),
            "same_article": Path(cited).stem == q.article, "ms": round(1000 * seconds, 1),
        })
    return rows


def summarise(rows: list[dict[str, object]]) -> dict[str, float]:
    """Speaker accuracy (of all questions and of those answered), abstention rate, right-article rate."""
    n = len(rows)
    answered = [r for r in rows if not r["abstained"]]
    return {
        "questions": n,
        "speaker_accuracy": _pct("match", rows),
        "speaker_accuracy_answered": _pct("match", answered),
        "speaker_in_any_attribution": _pct("any_match", rows),
        "abstention_rate": _pct("abstained", rows),
        "top_citation_from_question_article": _pct("same_article", answered),
        "median_ms": sorted(float(str(r["ms"])) for r in rows)[n // 2] if n else 0.0,
    }


def _pct(key: str, rows: list[dict[str, object]]) -> float:
    return round(100.0 * sum(bool(r[key]) for r in rows) / len(rows), 1) if rows else 0.0


def run(
    root: Path = DEFAULT_ROOT, split: str = "dev", *, sample: int = 200, seed: int = 13, out: Path | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Generate, sample, ingest, answer, score: the results data (figures under "summary").

    With ``out``, the sampled questions are written there as questions.jsonl; with ``cache``, the
    built index is kept there and reused (see ``evals.answers.polnear_index``).
    """
    questions, skipped, articles = generate(root, split)
    chosen = random.Random(seed).sample(questions, min(sample, len(questions)))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "questions.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(asdict(q), ensure_ascii=False) + "\n" for q in chosen)
    with indexed(articles, cache=cache, label=f"polnear-{split}") as (service, built):
        rows = ask_all(service, chosen)
    return {"split": split, "seed": seed, "articles": len(articles), "claims": built.claims,
            "ingest_seconds": built.ingest_seconds, "index_cached": built.cached, "usable": len(questions),
            "skipped": skipped, "summary": summarise(rows), "results": rows}


def main() -> None:
    """Generate, sample, ingest, answer, score; print the figures and write results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--split", choices=["train", "dev"], default="dev")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not args.root.is_dir():
        raise SystemExit(f"PolNeAR is not at {args.root}; pass --root.")
    data = run(args.root, args.split, sample=args.sample, seed=args.seed, out=args.out)
    print(f"ingested {data['articles']} {args.split} articles ({data['claims']} claims) in "
          f"{data['ingest_seconds']:.0f} s; {data['usable']} usable questions, skipped {data['skipped']}")
    rows, figures = data["results"], data["summary"]
    table = Table(title=f"PolNeAR {args.split}: 'Who said that <content>?' ({len(rows)} sampled, seed {args.seed})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key.replace("_", " "), f"{value}")
    Console(width=120).print(table)
    (args.out / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
