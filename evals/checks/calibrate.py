"""Sweep the attributed-check thresholds on the tune split of the fictional claim checks.

    .venv/bin/python -m evals.checks.calibrate [--data-dir DIR]

One threshold at a time around the current ``Policy`` (bot/answer/policy.py), every tune check of
evals/checks/checks.jsonl is run again and its verdict accuracy printed for each value, so the
plateau around the chosen value is visible. The held-out split is never run here: it measures
the values chosen, in ``evals.checks.run``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.service import Whosaid
from evals.answers.run import build_service
from evals.checks.gold import Check, load
from evals.checks.run import CHECKS, CORPUS, check_one, corpus_texts, select

GRID: dict[str, tuple[float, ...]] = {
    "paraphrase": (0.54, 0.58, 0.62, 0.66, 0.70),
    "related": (0.35, 0.40, 0.45, 0.50, 0.55),
    "misattribution_margin": (0.0, 0.04, 0.08, 0.12),
    "tie": (0.0, 0.01, 0.02, 0.03, 0.05),
    "flip_coverage": (0.3, 0.4, 0.5, 0.6),
    "flip_similarity": (0.7, 0.75, 0.8, 0.85),
}


def tune_checks() -> list[Check]:
    """The tune split's checks, validated against the corpus once."""
    texts = corpus_texts([CORPUS])
    return select(load(CHECKS, "\n".join(texts.values())), "tune")


def accuracy(service: Whosaid, checks: Sequence[Check]) -> float:
    """Verdict accuracy (%) on ``checks`` with the service's current policy."""
    results = [check_one(service, check) for check in checks]
    return 100 * sum(r.verdict_ok for r in results) / len(results)


def sweep(service: Whosaid) -> None:
    """Print the tune accuracy for each value of each threshold, the others at their defaults."""
    checks = tune_checks()
    defaults = service.chain.policy
    for name, values in GRID.items():
        row = []
        for value in values:
            service.chain.policy = dataclasses.replace(defaults, **{name: value})
            marker = "*" if value == getattr(defaults, name) else " "
            row.append(f"{value:.3f}{marker}{accuracy(service, checks):5.1f}")
        print(f"{name:<22} " + "  ".join(row), flush=True)
    service.chain.policy = defaults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse (or keep) an index here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="whosaid-calibrate-") as tmp:
        service, _ = build_service(args.data_dir or Path(tmp), [CORPUS])
        sweep(service)


if __name__ == "__main__":
    main()
