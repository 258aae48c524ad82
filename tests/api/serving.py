"""``whosaid serve`` as a child process on a free 127.0.0.1 port, for tests that need real HTTP."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

SERVING = re.compile(r"whosaid is serving on (http://127\.0\.0\.1:\d+/) — open it to ask questions")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without whosaid or Slack settings, plus the fast fakes and ``extra``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("WHOSAID_", "SLACK_"))}
    return {**kept, "WHOSAID_EMBEDDING_MODEL": "hash", "WHOSAID_EXTRACT_CLAIMS": "false", **extra}


@contextlib.contextmanager
def serve_process(data_dir: Path, *, log: bool = False, **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``whosaid serve --port 0`` over ``data_dir`` with ``env``; yield its URL and process, and
    stop it after unless the test already did. ``log`` pipes stderr for a test that reads it once
    the server has stopped (unread, a pipe would fill and block a chatty server)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE if log else subprocess.DEVNULL, text=True,
        env=clean_env(**env),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True).start()
    try:
        match = SERVING.search(lines.get(timeout=120))
        assert match, "the first line names the URL"
        yield match.group(1), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[str]:
    """``serve_process``, yielding only the URL."""
    with serve_process(data_dir, **env) as (url, _):
        yield url
