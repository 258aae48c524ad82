"""Helpers shared by the reliability tests: run ``whosaid`` as a process, read back a data directory.

``snapshot`` reads everything a reader could see and everything left behind (pending rows,
tombstones, vectors) from a data directory, so two directories can be compared exactly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.index import records as tables
from bot.service import Whosaid
from tests.contract.servers import dies_with_parent, free_port, wait_for_port


def whosaid_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a ``whosaid`` process: no inherited WHOSAID_* variable, these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
    env.update({f"WHOSAID_{k.upper()}": v for k, v in settings.items()}, WHOSAID_DATA_DIR=str(data_dir))
    return env


def start_whosaid(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``python -m bot ARGS`` as a child that dies with the test process."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=dies_with_parent(signal.SIGKILL),
    )


def run_whosaid(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` to the end."""
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@dataclass
class Server:
    """A running ``whosaid serve`` process, its URL and its log file."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        """Terminate the server (as Ctrl-C would), killing it if it does not stop in 20 s."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(env: dict[str, str], log: Path) -> Server:
    """``whosaid serve`` on a free loopback port, once it accepts connections and its index is ready."""
    import httpx

    port = free_port()
    with log.open("wb") as log_file:  # a file, not a pipe: a chatty server never blocks on a full pipe
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
            stdout=log_file, stderr=log_file, stdin=subprocess.DEVNULL, preexec_fn=dies_with_parent(signal.SIGTERM),
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    if not wait_for_port(port, seconds=120, process=process):
        server.stop()
        raise AssertionError(f"whosaid serve did not start: {log.read_text(errors='replace')[-3000:]}")
    ready = httpx.get(f"{server.url}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    return server


@dataclass(frozen=True)
class Snapshot:
    """What one data directory holds, as sets and counters that compare exactly."""

    ready: frozenset[str]
    pending: frozenset[str]
    history: frozenset[str]  # replaced versions: rows, chunks and claims kept, vectors deleted
    tombstones: frozenset[str]
    chunks: frozenset[tuple[str, str, int, int, int]]  # id, article, ordinal, start, end
    chunk_spans: Counter[tuple[str, int, int]]  # (article, start, end): each should appear once
    claims: frozenset[tuple[str, str]]  # id, article
    claim_keys: Counter[tuple[str, str]]  # (article, claim data without the id): each once
    chunk_vectors: frozenset[str]
    claim_vectors: frozenset[str]

    def problems(self) -> list[str]:
        """Inconsistencies inside this one directory; empty when it is whole."""
        found = []
        if self.pending or self.tombstones:
            found.append(f"left behind: pending {sorted(self.pending)}, tombstones {sorted(self.tombstones)}")
        with_chunks = {article for _, article, *_ in self.chunks}
        if self.ready - with_chunks:
            found.append(f"articles without chunks: {sorted(self.ready - with_chunks)}")
        if with_chunks - self.ready:
            found.append(f"chunks of articles that are not ready: {sorted(with_chunks - self.ready)}")
        doubled = [key for counter in (self.chunk_spans, self.claim_keys) for key, n in counter.items() if n > 1]
        if doubled:
            found.append(f"duplicated chunks or claims: {doubled[:5]}")
        if self.chunk_vectors != {c[0] for c in self.chunks}:
            found.append(f"chunk vectors differ from chunk rows: {_difference(self.chunk_vectors, self.chunks)}")
        if self.claim_vectors != {c[0] for c in self.claims}:
            found.append(f"claim vectors differ from claim rows: {_difference(self.claim_vectors, self.claims)}")
        return found


def _difference(vectors: frozenset[str], rows: frozenset[Any]) -> str:
    ids = {row[0] for row in rows}
    return f"{len(vectors - ids)} orphan vectors, {len(ids - vectors)} rows without a vector"


def snapshot(settings: Settings) -> Snapshot:
    """Read every table and both vector collections of a data directory (opened read-only in spirit)."""
    service = Whosaid(settings)
    with service.records.engine.connect() as conn:
        articles = conn.execute(select(tables.articles.c.id, tables.articles.c.status)).all()
        chunks = conn.execute(select(tables.chunks.c.id, tables.chunks.c.article_id, tables.chunks.c.ordinal,
                                     tables.chunks.c.start, tables.chunks.c.end)).all()
        claims = conn.execute(select(tables.claims.c.id, tables.claims.c.article_id, tables.claims.c.data)).all()
        tombstones = set(conn.scalars(select(tables.tombstones.c.article_id)))
    history = {i for i, status in articles if status == tables.REPLACED}
    chunks = [c for c in chunks if c.article_id not in history]  # history has rows and no vectors, by design
    claims = [c for c in claims if c.article_id not in history]
    result = Snapshot(
        ready=frozenset(i for i, status in articles if status == tables.READY),
        pending=frozenset(i for i, status in articles if status == tables.PENDING),
        history=frozenset(history),
        tombstones=frozenset(tombstones),
        chunks=frozenset((c.id, c.article_id, c.ordinal, c.start, c.end) for c in chunks),
        chunk_spans=Counter((c.article_id, c.start, c.end) for c in chunks),
        claims=frozenset((c.id, c.article_id) for c in claims),
        claim_keys=Counter((c.article_id, repr(sorted(_as_dict(c.data).items()))) for c in claims),
        chunk_vectors=frozenset(service.chunk_vectors.ids()),
        claim_vectors=frozenset(service.claim_vectors.ids()),
    )
    service.records.engine.dispose()
    return result


def _as_dict(data: Any) -> dict[str, Any]:
    import json

    return json.loads(data) if isinstance(data, str) else dict(data)


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, process group) of a live process from /proc; None once it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in {"Z", "X"} else (fields[0], int(fields[2]))


def spawned_workers(group: int) -> list[int]:
    """Live multiprocessing workers (``spawn_main``, not the resource tracker) of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (state := process_state(int(entry.name))) and state[1] == group:
            with contextlib.suppress(OSError):
                if b"spawn_main" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds (True) or ``seconds`` pass (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
