"""SIGKILL ``whosaid ingest`` at random points, re-run it, and compare with a clean ingest.

Each kill lands either at a random time since the process started (start-up, the lock, the
sweep, loading, chunking) or just after the run has recorded a random number of new article
rows (between the pending rows, the vector upserts and the commits of a group). The random
points are seeded, so a failure reproduces. After the kills the same command runs to the end;
the data directory must then equal a clean ingest of the same files into another directory:
the same articles, chunks and claims, none doubled, none missing, and the vector ids equal to
the SQL ids (no orphan vectors, no row without its vector).
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.service import Whosaid
from tests.reliability.corpus import article_text, write_corpus
from tests.reliability.state import Snapshot, run_whosaid, snapshot, start_whosaid, whosaid_env

pytestmark = pytest.mark.slow
START_UP = 3.5  # about how long `whosaid ingest` takes to start (imports, opening the stores)


def progress(data_dir: Path) -> int:
    """Twice the commits so far plus the pending rows: grows by one at each article's start and end."""
    path = data_dir / "whosaid.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2) as conn:
            revision = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
            pending = conn.execute("SELECT count(*) FROM articles WHERE status = 'pending'").fetchone()
    except sqlite3.Error:  # the schema is being created right now
        return 0
    return 2 * int(revision[0] if revision else 0) + int(pending[0])


def kill_at_random_point(
    folder: Path, env: dict[str, str], rng: random.Random, *, seconds: float, final: int, share: int
) -> str:
    """Start an ingest and SIGKILL it at a seeded random point; describe where it died.

    ``final`` is the progress a complete run reaches, ``seconds`` about how long a run lasts;
    the kill lands within the next ``1/share`` of the work left, so later kills find work too.
    """
    data_dir = Path(env["WHOSAID_DATA_DIR"])
    before = progress(data_dir)
    process = start_whosaid("ingest", str(folder), env=env)
    if before >= final or rng.random() < 0.25:  # anywhere in the run's lifetime, start-up included
        delay = rng.uniform(0, seconds)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=delay)
        where = f"after {delay:.2f} s"
    else:  # inside a group's writes: once the run has got to `target`, plus a little
        target = rng.randint(before + 1, before + max(1, (final - before) // share))
        while process.poll() is None and progress(data_dir) < target:
            time.sleep(0.005)
        jitter = rng.uniform(0, 0.05)
        time.sleep(jitter)
        where = f"at progress {target}/{final} + {jitter:.2f} s"
    if process.poll() is not None:
        process.communicate()
        return f"{where}: had already finished"
    process.kill()
    process.communicate()
    return f"{where}: killed at progress {progress(data_dir)}"


def ingest_with_kills(
    folder: Path, env: dict[str, str], *, kills: int, seed: int, reference: Path, seconds: float
) -> list[str]:
    """Kill ``kills`` ingests of ``folder``, then run it to the end; the log of where each died.

    ``reference`` is the data directory of a clean ingest of the same folder (where a run gets to),
    ``seconds`` about how long a whole run takes.
    """
    rng = random.Random(seed)
    final = progress(reference)
    log = [kill_at_random_point(folder, env, rng, seconds=seconds, final=final, share=kills - n) for n in range(kills)]
    final = run_whosaid("ingest", str(folder), env=env)
    assert final.returncode == 0, final.stderr
    print(*log, final.stdout.strip(), sep="\n")  # shown by `pytest -s`: where each kill landed
    return log


def clean_ingest(settings: Settings, folder: Path) -> float:
    """Ingest ``folder`` in this process, as the reference; the seconds it took."""
    service = Whosaid(settings)
    started = time.perf_counter()
    report = service.ingest([folder])
    assert report.failed == 0
    service.records.engine.dispose()
    return time.perf_counter() - started


def assert_most_interrupted(log: list[str]) -> None:
    """At least half the kills hit a running ingest: a kill after the end proves nothing.

    Over a whole test, not per round: a short second round (8 changed files) can be over before
    a random-time kill lands, most of all on a busy machine.
    """
    assert sum(": killed at" in line for line in log) * 2 >= len(log), log


def assert_same(killed: Snapshot, clean: Snapshot, log: list[str]) -> None:
    """The killed-and-resumed directory holds exactly what the clean one does."""
    assert killed.problems() == [], log
    assert clean.problems() == []
    assert killed.ready == clean.ready and killed.history == clean.history, log
    assert killed.chunks == clean.chunks, log
    assert killed.claims == clean.claims, log
    assert killed.chunk_vectors == clean.chunk_vectors and killed.claim_vectors == clean.claim_vectors, log


def edit_corpus(folder: Path, *, seed: int) -> None:
    """A second version of the folder: some articles rewritten (replacements), two new ones."""
    rng = random.Random(seed)
    for number in (1, 4, 9, 16, 25, 29):
        (folder / f"fictional-{number:03d}.txt").write_text(article_text(rng, 100 + number), encoding="utf-8")
    for number in (30, 31):
        (folder / f"fictional-{number:03d}.txt").write_text(article_text(rng, number), encoding="utf-8")


def test_kills_during_ingest_and_replacement_leave_what_a_clean_ingest_leaves(tmp_path: Path) -> None:
    folder, reference = tmp_path / "articles", tmp_path / "clean"
    write_corpus(folder, count=30, seed=8)
    clean = Settings(data_dir=reference, embedding_model="hash", extract_claims=False, chunk_max_chars=200)
    env = whosaid_env(tmp_path / "killed", embedding_model="hash", extract_claims="false", chunk_max_chars="200")
    seconds = clean_ingest(clean, folder) + START_UP
    log = ingest_with_kills(folder, env, kills=5, seed=81, reference=reference, seconds=seconds)
    # The folder's second version (6 articles replaced in place, 2 new): tombstones and sweeps.
    edit_corpus(folder, seed=9)
    seconds = clean_ingest(clean, folder) + START_UP
    log += ingest_with_kills(folder, env, kills=3, seed=82, reference=reference, seconds=seconds)
    assert_most_interrupted(log)
    killed = snapshot(Settings(data_dir=tmp_path / "killed", embedding_model="hash"))
    assert_same(killed, snapshot(clean), log)
    assert len(killed.ready) == 32 and len(killed.chunks) > 700  # 30 - 6 replaced + 6 new versions + 2 new


def test_kills_during_ingest_with_claim_extraction(tmp_path: Path) -> None:
    folder, reference = tmp_path / "articles", tmp_path / "clean"
    write_corpus(folder, count=10, seed=5)
    clean = Settings(data_dir=reference, embedding_model="hash", extract_claims=True, chunk_max_chars=100)
    env = whosaid_env(tmp_path / "killed", embedding_model="hash", extract_claims="true", chunk_max_chars="100")
    seconds = clean_ingest(clean, folder) + START_UP + 2  # and loading spaCy
    log = ingest_with_kills(folder, env, kills=3, seed=52, reference=reference, seconds=seconds)
    assert_most_interrupted(log)
    killed = snapshot(Settings(data_dir=tmp_path / "killed", embedding_model="hash"))
    assert_same(killed, snapshot(clean), log)
    assert len(killed.claims) > 150
