"""Ctrl-C during a large ingest: the command stops within seconds, no attribution worker is left,
and a re-run finishes the job.

A terminal sends SIGINT to the whole process group, so the workers get it as well as the
``whosaid`` process; this test does the same with ``killpg``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.corpus import write_corpus
from tests.reliability.state import run_whosaid, spawned_workers, wait_for, whosaid_env

pytestmark = pytest.mark.slow


def test_ctrl_c_stops_the_ingest_and_its_workers(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    files = write_corpus(folder, count=60, seed=11)
    assert sum(p.stat().st_size for p in files) > 60_000  # large enough for the worker processes
    env = whosaid_env(tmp_path / "data", embedding_model="hash", extract_claims="true", ingest_workers="2")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(folder)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    try:
        assert wait_for(lambda: len(spawned_workers(process.pid)) == 2, 60), "the workers never started"
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert "Traceback" not in stderr  # the workers ignore Ctrl-C; their parent stops them
    assert wait_for(lambda: not spawned_workers(process.pid), 5), spawned_workers(process.pid)
    again = run_whosaid("ingest", "--json", str(folder), env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["new"] > 0 and report["new"] + report["unchanged"] == len(files) and not report["failures"]
