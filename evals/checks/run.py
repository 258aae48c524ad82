"""Claim-check eval: verdicts and speakers of ``mode="check"`` on the fictional Sarnport set.

    .venv/bin/python -m evals.checks.run [--set sarnport|blind|blind2|blind3|blind4|blind5|blind6]
        [--split tune|heldout|all] [--out DIR] [--json]

Ingests evals/checks/corpus (six fictional articles about one invented depot explosion) into a
temporary data directory with the real models (MiniLM, spaCy extraction on, the extractive
composer), checks every claim of evals/checks/checks.jsonl through ``Whosaid.ask(claim,
mode="check")`` and scores it:

- verdict: the answer's verdict equals the gold one;
- speaker (misattributed gold): ``answer.attribution.found_speaker`` names the gold found speaker;
- speaker (supported gold naming a speaker): ``answer.attribution.claimed_speaker`` names the
  claimed speaker (or, for an organisation, the person who spoke for it).

Names match by whole-word containment or a shared surname (``evals.answers.polnear.matches``).
Prints the figures per class and split, and writes ``results.json`` and ``checks.md`` (every
check with its gold, what came back and the answer text) to the out dir (default
evals/out/checks, git-ignored). ``run`` returns the same data for ``whosaid eval``.

``--set blind`` runs the blind set instead (evals/checks/blind: six fictional articles on another
invented event and 110 held-out checks, written by someone who neither read nor ran the engine;
see its README); ``--set blind2`` the second blind set (evals/checks/blind2: a bank data breach,
written the same way); ``--set blind3`` the third (evals/checks/blind3: a rail strike),
``--set blind4`` the fourth (evals/checks/blind4: a stadium stand collapse), ``--set blind5``
the fifth (evals/checks/blind5: a wildfire evacuation) and ``--set blind6`` the sixth
(evals/checks/blind6: a road bridge collapse). The Sarnport splits and the first five blind
sets have been read while developing; of the sixth only the totals per class and the verdict
confusions have been looked at.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.model import VERDICTS
from bot.service import Whosaid
from evals.answers.polnear import matches
from evals.answers.run import build_service, corpus_texts, write_results
from evals.checks.gold import CLASSES, SPLITS, Check, load

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "checks" / "corpus"
CHECKS = ROOT / "evals" / "checks" / "checks.jsonl"
OUT = ROOT / "evals" / "out" / "checks"
BLIND = ROOT / "evals" / "checks" / "blind"
SETS: dict[str, tuple[Path, Path]] = {  # name: (checks, corpus)
    "sarnport": (CHECKS, CORPUS),
    "blind": (BLIND / "checks.jsonl", BLIND / "corpus"),
    "blind2": (BLIND.with_name("blind2") / "checks.jsonl", BLIND.with_name("blind2") / "corpus"),
    "blind3": (BLIND.with_name("blind3") / "checks.jsonl", BLIND.with_name("blind3") / "corpus"),
    "blind4": (BLIND.with_name("blind4") / "checks.jsonl", BLIND.with_name("blind4") / "corpus"),
    "blind5": (BLIND.with_name("blind5") / "checks.jsonl", BLIND.with_name("blind5") / "corpus"),
    "blind6": (BLIND.with_name("blind6") / "checks.jsonl", BLIND.with_name("blind6") / "corpus"),
}


@dataclass(frozen=True, slots=True)
class Result:
    """One check as answered and scored (``speaker_ok`` None: no speaker is scored for it)."""

    check: Check
    verdict: str | None
    attribution: dict[str, Any] | None
    answer: str
    abstained: bool | None
    error: str | None
    ms: float
    verdict_ok: bool
    speaker_ok: bool | None

    def to_dict(self) -> dict[str, Any]:
        """The check, what came back and how it scored."""
        return {**self.check.to_dict(), "got": self.verdict, "attribution": self.attribution, "answer": self.answer,
                "abstained": self.abstained, "error": self.error, "ms": round(self.ms, 1),
                "verdict_ok": self.verdict_ok, "speaker_ok": self.speaker_ok}


def select(checks: Sequence[Check], split: str, *, per_class: int | None = None) -> list[Check]:
    """The checks of ``split`` ("all": both), at most ``per_class`` of each class when given."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"the split must be one of {', '.join(SPLITS)} or all, not {split!r}")
    chosen = [c for c in checks if split in ("all", c.split)]
    if per_class is None:
        return chosen
    seen: Counter[str] = Counter()
    kept = []
    for check in chosen:
        seen[check.cls] += 1
        if seen[check.cls] <= per_class:
            kept.append(check)
    return kept


def check_one(service: Whosaid, check: Check) -> Result:
    """Check one claim and score it; an engine failure is recorded, not raised."""
    began = time.perf_counter()
    try:
        answer = service.ask(check.claim, mode="check")
    except Exception as exc:  # the engine is being rewritten: one failing claim must not stop the run
        return score(check, verdict=None, attribution=None, answer=f"{type(exc).__name__}: {exc}", abstained=None,
                     error=type(exc).__name__, ms=1000 * (time.perf_counter() - began))
    found = getattr(answer, "attribution", None)  # absent before the check engine lands
    return score(check, verdict=answer.verdict, attribution=found.to_dict() if found is not None else None,
                 answer=answer.answer, abstained=answer.abstained, error=None,
                 ms=1000 * (time.perf_counter() - began))


def score(check: Check, *, verdict: str | None, attribution: dict[str, Any] | None, answer: str,
          abstained: bool | None, error: str | None, ms: float) -> Result:
    """A ``Result``: the verdict compared with the gold, and the speaker where one is scored."""
    return Result(check=check, verdict=verdict, attribution=attribution, answer=answer, abstained=abstained,
                  error=error, ms=ms, verdict_ok=verdict == check.verdict, speaker_ok=speaker_ok(check, attribution))


def speaker_ok(check: Check, attribution: dict[str, Any] | None) -> bool | None:
    """Whether the attribution check names the right speaker; None when the gold scores none."""
    if check.verdict == "misattributed":
        return attribution is not None and matches(check.found_speaker or "", attribution.get("found_speaker"))
    if check.verdict == "supported" and check.claimed_speaker is not None:
        named = attribution.get("claimed_speaker") if attribution else None
        return any(matches(gold, named) for gold in (check.claimed_speaker, check.found_speaker) if gold)
    return None


def figures(results: Sequence[Result]) -> dict[str, Any]:
    """n, verdict accuracy and speaker accuracy of some results (accuracies as value/n/of cells)."""
    scored = [r for r in results if r.speaker_ok is not None]
    return {"n": len(results), "verdict_accuracy": _cell(sum(r.verdict_ok for r in results), len(results)),
            "speaker_accuracy": _cell(sum(bool(r.speaker_ok) for r in scored), len(scored)),
            "errors": sum(r.error is not None for r in results)}


def _cell(n: int, of: int) -> dict[str, Any]:
    return {"value": round(100 * n / of, 1) if of else None, "n": n, "of": of}


def summarise(results: Sequence[Result]) -> dict[str, dict[str, Any]]:
    """Figures per split present and for all: each class's, and "overall"."""
    splits = [s for s in SPLITS if any(r.check.split == s for r in results)]
    out: dict[str, dict[str, Any]] = {}
    for split in (*splits, "all"):
        part = [r for r in results if split in ("all", r.check.split)]
        by_class = {cls: figures([r for r in part if r.check.cls == cls]) for cls in CLASSES}
        out[split] = {**{cls: f for cls, f in by_class.items() if f["n"]}, "overall": figures(part)}
    return out


def confusion(results: Sequence[Result]) -> dict[str, dict[str, int]]:
    """Counts of predicted verdicts ("none": no verdict, "error": the engine failed) by gold verdict."""
    table: dict[str, Counter[str]] = {}
    for r in results:
        got = "error" if r.error else (r.verdict or "none")
        table.setdefault(r.check.verdict, Counter())[got] += 1
    return {gold: dict(counts) for gold, counts in table.items()}


def run(split: str = "all", *, per_class: int | None = None, checks: Path = CHECKS, corpus: Path = CORPUS,
        data_dir: Path | None = None) -> dict[str, Any]:
    """Ingest the corpus, check the claims of ``split``: the figures and every scored check."""
    texts = corpus_texts([corpus])
    chosen = select(load(checks, "\n".join(texts.values())), split, per_class=per_class)  # fails before models
    with tempfile.TemporaryDirectory(prefix="whosaid-checks-") as tmp:
        service, ingest_seconds = build_service(data_dir or Path(tmp), [corpus])
        results = [check_one(service, check) for check in chosen]
    ms = sorted(r.ms for r in results)
    return {
        "split": split, "per_class": per_class, "articles": len(texts), "checks": len(results),
        "ingest_seconds": round(ingest_seconds, 1),
        "median_check_ms": round(ms[len(ms) // 2], 1) if ms else None,
        "summary": summarise(results), "confusion": confusion(results),
        "results": [r.to_dict() for r in results],
    }


def print_report(console: Console, data: dict[str, Any]) -> None:
    """The per-class table (n, verdict and speaker accuracy for each split) and the verdict confusion."""
    summary = data["summary"]
    table = Table(title=f"whosaid claim checks ({data['checks']} checks, {data['articles']} articles)")
    table.add_column("class")
    for split in summary:
        for name in ("n", "verdict", "speaker"):
            table.add_column(f"{split} {name}", justify="right")
    rows = [row for row in (*CLASSES, "overall") if any(row in part for part in summary.values())]
    for n, row in enumerate(rows):
        table.add_row(row, *(cell for split in summary for cell in _row(summary[split].get(row))),
                      end_section=n == len(rows) - 2)
    console.print(table)
    columns = [*VERDICTS, "none", "error"]
    matrix = Table(title="verdicts (rows: gold, columns: predicted)")
    matrix.add_column("gold \\ predicted")
    for name in columns:
        matrix.add_column(name, justify="right")
    for gold, counts in data["confusion"].items():
        matrix.add_row(gold, *(str(counts.get(name, 0)) for name in columns))
    console.print(matrix)


def _row(figs: dict[str, Any] | None) -> list[str]:
    if figs is None:
        return ["", "", ""]
    return [str(figs["n"]), _pct(figs["verdict_accuracy"]), _pct(figs["speaker_accuracy"])]


def _pct(cell: dict[str, Any]) -> str:
    return "-" if cell["value"] is None else f"{cell['value']:.0f}% ({cell['n']}/{cell['of']})"


def listing(data: dict[str, Any]) -> str:
    """checks.md: every check, its gold, what came back, and the answer text."""
    lines = ["# whosaid claim checks", ""]
    for r in data["results"]:
        mark = "ok" if r["verdict_ok"] and r["speaker_ok"] is not False else "FAIL"
        found = r["attribution"] or {}
        lines += [
            f"## {r['id']} [{r['class']}, {r['split']}] {mark}", "",
            f"- claim: {r['claim']}",
            f"- gold: {r['verdict']} (claimed {r['claimed_speaker']}, found {r['found_speaker']}); {r['note']}",
            f"- got: {r['got']} (claimed {found.get('claimed_speaker')}, found {found.get('found_speaker')}, "
            f"match {found.get('match')}; speaker {_ok(r['speaker_ok'])}; {r['ms']:.0f} ms)",
            "", *(f"    {line}" for line in r["answer"].splitlines()), "",
        ]
    return "\n".join(lines)


def _ok(value: bool | None) -> str:
    return "not scored" if value is None else ("right" if value else "wrong")


def write(out: Path, data: dict[str, Any]) -> tuple[Path, Path]:
    """results.json and checks.md in ``out``."""
    results = write_results(out, data)
    checks = out / "checks.md"
    checks.write_text(listing(data), encoding="utf-8")
    return results, checks


def main() -> None:
    """Check the claims of a split, print the figures (or the JSON) and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=tuple(SETS), default="sarnport", help="which check set (default sarnport)")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--json", action="store_true", help="print results.json's data instead of the tables")
    args = parser.parse_args()
    checks, corpus = SETS[args.set]
    data = run(args.split, checks=checks, corpus=corpus)
    paths = write(args.out, data)
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    print_report(console, data)
    console.print(f"ingest {data['ingest_seconds']:.1f} s, median {data['median_check_ms']} ms a check; "
                  f"wrote {paths[0]} and {paths[1]}")


if __name__ == "__main__":
    main()
