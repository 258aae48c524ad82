"""The eval report: the writer given fake figures, the comparison with the previous run, clear errors.

The evals themselves are not run here (they take minutes); one slow test runs ``whosaid eval --quick``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evals.report import (
    Options,
    ReportError,
    eval_settings,
    git_commit,
    polnear_root,
    prompt_hashes,
    provenance,
    rows,
    summarise,
    write_report,
)

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
PCT = ("content_F1", "source_acc", "cue_acc", "full_F1")


def fake_results(shift: float = 0.0, *, polnear: bool = True) -> dict[str, Any]:
    """Results shaped as the evals return them, every figure moved by ``shift``."""
    qa = {m: {"value": 60.0 + shift, "n": 6, "of": 10} for m in ("speaker_accuracy", "exact_citations")}
    results: dict[str, Any] = {
        "run": {**provenance(eval_settings(), Options()), "seconds": 1.0},
        "notes": [],
        "attribution": {"seed": {"gold": 19, "content_F1": 90.0 + shift, "cue_F1": 80.0, "speaker_F1": 70.0}},
        "answers": {"corpus": {"summary": {"all": {"questions": 20, **qa}}, "results": [{"ms": 5.0 + i}
                                                                                  for i in range(20)]}},
    }
    if polnear:
        results["attribution"]["polnear"] = {
            "articles": 3, "gold": 40, "whosaid": {m: 50.0 + shift for m in PCT}, "textacy": {m: 30.0 for m in PCT},
        }
        results["answers"]["polnear"] = {
            "usable": 9, "summary": {"questions": 5, "speaker_accuracy": 57.0, "abstention_rate": 22.0},
            "results": [{"ms": 9.0}] * 5,
        }
    return summarise(results)


def test_writes_report_json_and_png_charts(tmp_path: Path) -> None:
    write_report(tmp_path, fake_results())
    for name in ("metrics.png", "baseline.png", "latency.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG), name
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["previous"] is None
    assert data["metrics"]["attribution.seed.content_F1"] == 90.0
    assert data["baseline"] == {f"attribution.polnear.{m}": 30.0 for m in PCT}
    assert data["latency"]["answers"]["median_ms"] == 15.0
    assert set(data["run"]["models"]) == {"embedding", "spacy", "llm"}
    assert data["run"]["models"]["llm"] == "extractive"
    assert set(data["run"]["prompts"]) == {p.name for p in (ROOT / "prompts").iterdir()}
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| PolNeAR attribution content F1 | 50.0 | - | - | 30.0 |" in report
    assert "![latency.png](latency.png)" in report
    assert "PolNeAR dev (3 articles, 40 gold attributions); 20 hand-written questions; 5 of 9 questions" in report
    assert not (tmp_path / "previous.json").exists()


def test_second_run_is_compared_with_the_first(tmp_path: Path) -> None:
    first = fake_results()
    write_report(tmp_path, first)
    write_report(tmp_path, fake_results(2.0, polnear=False))
    kept = json.loads((tmp_path / "previous.json").read_text(encoding="utf-8"))
    assert kept["metrics"] == first["metrics"]
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["previous"]["metrics"] == first["metrics"]
    assert ("seed attribution content F1", "92.0", "90.0", "+2.0", "-") in rows(data)
    assert "| QA speaker accuracy | 62.0 | 60.0 | +2.0 | - |" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert not (tmp_path / "baseline.png").exists(), "a chart from an earlier run must not look current"
    assert (tmp_path / "metrics.png").read_bytes().startswith(PNG)


def test_an_unreadable_previous_run_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text("not json", encoding="utf-8")
    write_report(tmp_path, fake_results())
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["previous"] is None


def test_a_polnear_folder_given_but_unusable_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="is not a PolNeAR folder"):
        polnear_root(Options(polnear=tmp_path / "nowhere"))
    assert polnear_root(Options(quick=True)) is None


def test_provenance_outside_a_checkout(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text("Hello {name}", encoding="utf-8")
    assert git_commit(tmp_path) == ("unknown", None)
    assert prompt_hashes(tmp_path) == {"p.md": "833583c57413"}


def test_eval_without_a_checkout_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    """An installed package has no evals/ beside it: a copy of bot/ alone stands in for one."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--quick"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 2
    sentence = f"error: whosaid eval needs a source checkout, and there is no evals/ folder in {tmp_path}."
    assert result.stderr == sentence + "\n"


@pytest.mark.slow
def test_quick_eval_writes_a_report(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--quick", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "seed attribution content F1" in result.stdout
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["run"]["quick"] and "polnear" not in data["attribution"]
    assert data["answers"]["corpus"]["summary"]["all"]["questions"] >= 10
    assert (tmp_path / "latency.png").read_bytes().startswith(PNG)
