"""Two ``whosaid ingest`` processes on one data directory: the second waits, or fails clearly.

The in-process lock is covered by ``tests/unit/test_ingest.py``; here both writers are real
processes, so the lock is the file lock between them, held while the first one writes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.config import Settings
from tests.reliability.corpus import write_corpus
from tests.reliability.state import run_whosaid, snapshot, start_whosaid, whosaid_env
from tests.reliability.test_kill_ingest import progress

pytestmark = pytest.mark.slow


def test_a_second_writer_waits_or_fails_in_one_sentence_and_nothing_is_corrupted(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_corpus(first, count=40, seed=21)
    write_corpus(second, count=6, seed=22)
    (second / "late.txt").write_text("Fictional: a late article. " * 20, encoding="utf-8")
    data = tmp_path / "data"
    # The first writer extracts claims, so it holds the lock for several seconds; small chunks
    # make it write in several groups, so the test sees it writing early.
    writer = start_whosaid("ingest", str(first), env=whosaid_env(data, embedding_model="hash", chunk_max_chars="100"))
    while writer.poll() is None and progress(data) == 0:  # it holds the lock once it writes
        time.sleep(0.02)
    impatient = run_whosaid("ingest", str(second), env=whosaid_env(
        data, embedding_model="hash", extract_claims="false", lock_timeout_seconds="0.5"))
    assert writer.poll() is None, "the first writer finished too soon for this test to mean anything"
    assert impatient.returncode == 1
    assert impatient.stderr.strip() == (
        f"error: Another whosaid process is writing to {data}; try again when it has finished.")
    patient = run_whosaid("ingest", str(second), env=whosaid_env(data, embedding_model="hash", extract_claims="false"))
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert patient.returncode == 0, patient.stderr  # it waited for the lock, then wrote
    assert out.startswith("articles: 40 new") and patient.stdout.startswith("articles: 7 new")
    state = snapshot(Settings(data_dir=data, embedding_model="hash"))
    assert state.problems() == []
    assert len(state.ready) == 47 and len(state.claims) > 500
