"""Question-answering eval: speaker accuracy, exact citations, citation recall and precision,
abstention and verdicts, on the hand-written question set.

    .venv/bin/python -m evals.answers.run [--questions FILE] [--out DIR] [--data-dir DIR]

Ingests the seeds, the fictional test fixtures and the fictional eval corpus (evals/corpus)
into a temporary data directory with the real models (MiniLM, spaCy extraction on), answers
every question through ``Whosaid.ask`` with the extractive composer (a conversation's turns
share a session), prints the figures per split and for all questions, and writes
``results.json`` with every answer and why it failed. Splits: ``tune`` (seed + test fixtures:
thresholds were calibrated on it), ``heldout`` (evals/corpus: never used for thresholds, but its
failures were read while designing the rules), ``blind`` (evals/corpus/mirova-tunnel.txt:
written after the rules were fixed, never used for anything). Citation recall/precision are
judged against gold evidence spans (see ``metrics``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.config import Settings
from bot.service import Whosaid
from evals.answers import gold
from evals.answers.metrics import Scored, score, summarise

ROOT = Path(__file__).resolve().parents[2]
CORPUS = (ROOT / "seeds", ROOT / "tests" / "fixtures" / "articles", ROOT / "evals" / "corpus")
QUESTIONS = ROOT / "evals" / "questions" / "answers.jsonl"
OUT = ROOT / "evals" / "out" / "answers"
SUPPORT_JUDGE = (
    "gold-span overlap: a statement's citations support it when a cited span overlaps a gold evidence "
    "span of the question (no NLI or cross-encoder model is packaged for offline use)"
)
FIGURES = (
    ("speaker_accuracy", "speaker accuracy"),
    ("exact_citations", "exact citations"),
    ("citation_recall", "citation recall (ALCE-style)"),
    ("citation_precision", "citation precision (ALCE-style)"),
    ("gold_evidence_cited", "gold evidence cited"),
    ("abstention_precision", "abstention precision"),
    ("abstention_recall", "abstention recall"),
    ("abstention_accuracy", "abstention accuracy"),
    ("answered_answerable", "answerable answered"),
    ("verdict_accuracy", "verdict accuracy"),
)


def corpus_texts(paths: Sequence[Path]) -> dict[str, str]:
    """The exact text of every article in the corpus by the source it will be ingested from."""
    from bot.ingest.loaders import discover, load

    return {doc.source: doc.text for path in discover(list(paths)) for doc in load(path, max_bytes=5_000_000)}


def build_service(data_dir: Path, corpus: Sequence[Path] = CORPUS) -> tuple[Whosaid, float]:
    """A service over real models with the extractive composer, the corpus ingested; and the seconds it took."""
    service = Whosaid(Settings(data_dir=data_dir, llm=None, extract_claims=True))
    began = time.perf_counter()
    service.ingest(list(corpus))
    seconds = time.perf_counter() - began
    service.warm_up()  # as a server does: the first question's latency is not the models loading
    return service, seconds


def answer_all(
    service: Whosaid, lines: Sequence[gold.Line], *, direct: bool = False
) -> list[tuple[gold.Item, dict[str, Any], float]]:
    """Every question answered in order; a conversation's turns share one session.

    ``direct`` calls the chain with the history kept in memory instead of ``Whosaid.ask`` (which
    stores every answer): the same answers, faster, for threshold sweeps.
    """
    answered = []
    for line in lines:
        session = service.start_session() if line.type == "followup" and not direct else None
        history: list[dict[str, Any]] = []
        for item in line.items:
            began = time.perf_counter()
            if direct:
                answer, standalone = service.chain.answer(item.question, mode=item.mode, history=history)
                history.append({"question": item.question, "standalone": standalone, "answer": answer.to_dict()})
            else:
                answer = service.ask(item.question, mode=item.mode, session=session)
            answered.append((item, answer.to_dict(), time.perf_counter() - began))
    return answered


def evaluate(
    service: Whosaid, lines: Sequence[gold.Line], *, direct: bool = False
) -> tuple[list[Scored], list[float]]:
    """Score every answer; also the seconds each question took."""
    texts = {article.id: article.text for article in service.articles()}
    answered = answer_all(service, lines, direct=direct)
    return [score(item, answer, texts) for item, answer, _ in answered], [s for _, _, s in answered]


def by_split(results: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    """Figures for each split present (tune, heldout, blind) and for all questions."""
    splits = [s for s in ("tune", "heldout", "blind") if any(r.split == s for r in results)]
    return {**{s: summarise([r for r in results if r.split == s]) for s in splits}, "all": summarise(results)}


def print_report(console: Console, summary: dict[str, dict[str, Any]], results: Sequence[Scored]) -> None:
    """The figures table, the verdict confusion table and the failures."""
    table = Table(title="whosaid answers (extractive composer)")
    table.add_column("figure")
    for split in summary:
        table.add_column(f"{split} ({summary[split]['questions']} q.)", justify="right")
    for key, label in FIGURES:
        table.add_row(label, *(_cell(summary[split][key]) for split in summary))
    console.print(table)
    confusion = summary["all"]["verdict_confusion"]
    verdicts = ["supported", "contradicted", "disputed", "unverified"]
    matrix = Table(title="verdicts (rows: gold, columns: predicted; all splits)")
    matrix.add_column("gold \\ predicted")
    for v in verdicts:
        matrix.add_column(v, justify="right")
    for g in verdicts:
        matrix.add_row(g, *(str(confusion.get(g, {}).get(v, 0)) for v in verdicts))
    console.print(matrix)
    failed = [r for r in results if r.failures]
    console.print(f"[bold]{len(failed)} of {len(results)} questions with a failure[/bold]")
    for r in failed:
        console.print(f"  {r.id} [{r.split}] {r.question}", highlight=False)
        for failure in r.failures:
            console.print(f"      - {failure}", highlight=False, markup=False)


def _cell(figure: dict[str, Any]) -> str:
    return "-" if figure["value"] is None else f"{figure['value']:.1f} ({figure['n']}/{figure['of']})"


def results_data(service: Whosaid, summary: dict[str, Any], results: Sequence[Scored],
                 seconds: Sequence[float], ingest_seconds: float) -> dict[str, Any]:
    """Configuration, figures, and every answer with its failures and the milliseconds it took."""
    from bot.answer import citations

    ordered = sorted(seconds)
    return {
        "thresholds": dataclasses.asdict(service.chain.policy),
        "citation_threshold": citations.DEFAULT_THRESHOLD,
        "support_judge": SUPPORT_JUDGE,
        "ingest_seconds": round(ingest_seconds, 1),
        "median_question_ms": round(1000 * ordered[len(ordered) // 2], 1) if ordered else None,
        "summary": summary,
        "results": [{**r.to_dict(), "ms": round(1000 * s, 1)} for r, s in zip(results, seconds, strict=True)],
    }


def write_results(out: Path, data: dict[str, Any]) -> Path:
    """``results.json`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def run(
    *,
    questions: Path = QUESTIONS,
    corpus: Sequence[Path] = CORPUS,
    data_dir: Path | None = None,
    select: Callable[[list[gold.Line]], list[gold.Line]] | None = None,
) -> tuple[dict[str, Any], list[Scored]]:
    """Ingest ``corpus``, answer the (selected) questions, score them: the results data and the scored answers.

    Gold evidence is always located in the whole eval corpus, so a smaller ``corpus`` only changes
    what is indexed.
    """
    lines = gold.load(questions, corpus_texts(CORPUS))  # a bad gold line fails before any model loads
    if select is not None:
        lines = select(lines)
    with tempfile.TemporaryDirectory(prefix="whosaid-answers-") as tmp:
        service, ingest_seconds = build_service(data_dir or Path(tmp), corpus)
        results, seconds = evaluate(service, lines)
        return results_data(service, by_split(results), results, seconds, ingest_seconds), results


def figures(
    *,
    questions: Path = QUESTIONS,
    corpus: Sequence[Path] = CORPUS,
    select: Callable[[list[gold.Line]], list[gold.Line]] | None = None,
) -> dict[str, Any]:
    """The results data of ``run`` alone (the figures under "summary"), over a temporary index."""
    return run(questions=questions, corpus=corpus, select=select)[0]


def main() -> None:
    """Ingest the eval corpus, answer the question set, print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse (or keep) an index here")
    args = parser.parse_args()
    data, results = run(questions=args.questions, data_dir=args.data_dir)
    console = Console(width=None if sys.stdout.isatty() else 120)
    print_report(console, data["summary"], results)
    path = write_results(args.out, data)
    console.print(f"ingest {data['ingest_seconds']:.1f} s; wrote {path}")


if __name__ == "__main__":
    main()
