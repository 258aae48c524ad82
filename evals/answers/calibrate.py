"""Calibrate the answering thresholds on the tuning split, and check them on the held-out split.

    .venv/bin/python -m evals.answers.calibrate [--questions FILE] [--data-dir DIR]

1. One threshold at a time around the current ``Policy`` (bot/answer/policy.py), answer the **tuning** questions
   (seed + test fixtures) and print the objective (the mean of speaker accuracy, abstention
   accuracy, verdict accuracy and citation recall) for each value, so the plateau around the
   chosen value is visible; the held-out questions (evals/corpus) are scored with the defaults only.
2. Citation verification: the support score (``citations.check_sentences`` with MiniLM) of every
   sentence the extractive composer writes before verification, split by whether the sentence
   cites gold evidence, against ``citations.DEFAULT_THRESHOLD``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.answer import citations
from bot.answer.chain import _State
from bot.service import Whosaid
from evals.answers import gold
from evals.answers.run import CORPUS, QUESTIONS, build_service, by_split, corpus_texts, evaluate

GRID: dict[str, tuple[float, ...]] = {
    "claim": (0.35, 0.40, 0.45, 0.50, 0.55),
    "topic": (0.25, 0.30, 0.35, 0.40, 0.45),
    "check": (0.35, 0.40, 0.45, 0.50, 0.55),
    "passage": (0.40, 0.50, 0.60),
    "lexical": (0.0, 0.2, 0.4, 0.6),
    "spread": (0.06, 0.12, 0.18),
    "count_bonus": (0.0, 0.2, 0.4),
}
OBJECTIVE = ("speaker_accuracy", "abstention_accuracy", "verdict_accuracy", "citation_recall")


def objective(summary: dict[str, Any]) -> float:
    """Mean of the figures that matter for calibration (a missing figure counts as 0)."""
    return sum(summary[key]["value"] or 0.0 for key in OBJECTIVE) / len(OBJECTIVE)


def sweep(service: Whosaid, lines: Sequence[gold.Line]) -> None:
    """Print the tuning objective for each value of each threshold, the others at their defaults."""
    tune = [line for line in lines if line.items[0].split == "tune"]
    defaults = service.chain.policy
    for name, values in GRID.items():
        row = []
        for value in values:
            overrides: dict[str, Any] = {name: value}
            service.chain.policy = dataclasses.replace(defaults, **overrides)
            results, _ = evaluate(service, tune, direct=True)
            figures = by_split(results)["tune"]
            marker = "*" if value == getattr(defaults, name) else " "
            row.append(f"{value:.2f}{marker}{objective(figures):5.1f}")
        print(f"{name:<12} " + "  ".join(row), flush=True)
    service.chain.policy = defaults


def support_scores(service: Whosaid, lines: Sequence[gold.Line]) -> None:
    """Support scores of composed sentences (before verification), gold-citing or not."""
    chain = service.chain
    scorer = citations.EmbeddingSupport(service.embedder)
    groups: dict[str, list[float]] = {"cites gold evidence": [], "cites other passages": []}
    for line in lines:
        if line.type == "followup":
            continue
        item = line.items[0]
        # The chain's own steps, minus verification, so the sentences verification would drop are seen.
        state = chain._compose(chain._retrieve(chain._condense(_State(item.question, item.mode, []))))
        if state.answer is None:
            continue
        by_id = {c.id: c for c in state.answer.citations}
        for report in citations.check_sentences(state.answer, support=scorer):
            if report.score is None:
                continue
            spans = [by_id[n] for n in report.cited]
            hit = any(
                gold.same_source(c.source, e.source) and c.start < e.end and e.start < c.end
                for c in spans for e in item.evidence
            )
            groups["cites gold evidence" if hit else "cites other passages"].append(report.score)
    threshold = citations.DEFAULT_THRESHOLD
    for label, scores in groups.items():
        if scores:
            below = sum(s < threshold for s in scores)
            print(f"{label:<22} n={len(scores):3d} min {min(scores):.2f} median {sorted(scores)[len(scores) // 2]:.2f}"
                  f" max {max(scores):.2f}; below {threshold}: {below}")


def main() -> None:
    """Sweep the thresholds on the tuning split and report citation support scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    lines = gold.load(args.questions, corpus_texts(CORPUS))
    with tempfile.TemporaryDirectory(prefix="whosaid-calibrate-") as tmp:
        service, _ = build_service(args.data_dir or Path(tmp))
        print("thresholds:", dataclasses.asdict(service.chain.policy))
        print(f"objective = mean of {', '.join(OBJECTIVE)} on the tuning split (* = current value)")
        sweep(service, lines)
        results, _ = evaluate(service, lines, direct=True)
        for split, figures in by_split(results).items():
            print(f"{split:<8} objective {objective(figures):5.1f}")
        support_scores(service, lines)


if __name__ == "__main__":
    main()
