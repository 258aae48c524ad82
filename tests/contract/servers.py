"""Throwaway servers for the contract suites, on 127.0.0.1 free ports, stopped on exit.

PostgreSQL comes from the distribution (Debian: ``/usr/lib/postgresql/VERSION/bin``, which
``make test`` installs); as root, its programs run as the ``postgres`` system user because the
server refuses to run as root. Its data directory lives in a fresh ``/tmp`` folder (pytest's
own temp root is private to root, so ``postgres`` could not enter it) and is deleted after.
Both servers are children of the test process that receive a signal if it dies, so a killed
test run leaves no server behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMA = Path(sys.executable).parent / "chroma"
PR_SET_PDEATHSIG = 1  # prctl(2), Linux
PREFIX = "whosaid-pg-"
NOT_INSTALLED = (
    "PostgreSQL's server programs (initdb, postgres) are not installed: `make test` installs "
    "Debian's postgresql (apt-get install postgresql)."
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, seconds: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """Whether something accepts connections on ``port`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def postgres_bindir() -> Path:
    """The folder of initdb and postgres: Debian's newest version, else whatever is on PATH."""
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name))

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    if found is None:
        raise RuntimeError(NOT_INSTALLED)
    return Path(found).resolve().parent


@dataclass(frozen=True)
class PostgresServer:
    """A running server with trust authentication for the ``postgres`` role."""

    port: int
    root: Path

    def url(self, database: str = "whosaid_test") -> str:
        """The SQLAlchemy URL of one database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        """Run one statement outside a transaction (CREATE / DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)  # type: ignore[arg-type]


def _as_postgres() -> dict[str, Any]:
    # The server refuses to run as root: as root, run it as the postgres system user.
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


def dies_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets ``sig`` if the test process dies (killed, crashed)."""
    def arm() -> None:  # runs in the child, after Popen's switch of user, so the setting survives exec
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)

    return arm


@contextlib.contextmanager
def postgres_server(database: str = "whosaid_test") -> Iterator[PostgresServer]:
    """initdb into a fresh folder, start on a free port with ``database`` created, stop at the end."""
    bindir = postgres_bindir()
    # /tmp, not pytest's temp root, which is private to root; a short path keeps the socket legal.
    root = Path(tempfile.mkdtemp(prefix=PREFIX, dir="/tmp" if os.geteuid() == 0 else None))
    _remove_stale(root.parent)
    data = root / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        initdb = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "--no-sync"], capture_output=True, text=True, timeout=120, check=False,
            **_as_postgres(),
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed ({initdb.returncode}): {initdb.stderr[-2000:]}")
        with _running(bindir, root, data) as server:
            server.execute(f'CREATE DATABASE "{database}"')
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _remove_stale(parent: Path) -> None:
    # A killed run stops its server (see dies_with_parent) but cannot delete its folder: do it
    # for folders an hour old whose server is gone (a stopped server removes postmaster.pid).
    for folder in parent.glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > 3600 and not (folder / "data" / "postmaster.pid").exists():
                shutil.rmtree(folder)


@contextlib.contextmanager
def _running(bindir: Path, root: Path, data: Path) -> Iterator[PostgresServer]:
    # The postmaster is our own child (not daemonised by pg_ctl), so it can die with us.
    # Loopback only, the unix socket in our folder; no fsync: the data is thrown away.
    port, log = free_port(), root / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(root),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
            preexec_fn=dies_with_parent(signal.SIGINT),  # SIGINT: a fast shutdown
            **_as_postgres(),
        )
    try:
        server = PostgresServer(port=port, root=root)
        _wait_until_accepting(server, process, log)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, stop cleanly
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_accepting(server: PostgresServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            server.execute("SELECT 1")
            return
        except Exception:  # not accepting connections yet
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start: {log.read_text(errors='replace')[-2000:]}")


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A real ``chroma run`` on a free loopback port; its URL; terminated at the end."""
    port = free_port()
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=dies_with_parent(signal.SIGTERM),
    )
    try:
        if not wait_for_port(port, seconds=60, process=process):
            raise RuntimeError("chroma run did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
