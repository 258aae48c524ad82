"""``whosaid serve`` as a real process: uvicorn on 127.0.0.1, real HTTP, a clean stop; and its refusals."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ..conftest import FIXTURES
from .conftest import QUESTION, events
from .serving import clean_env, serve_process


def whosaid(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env or clean_env(),
        timeout=300, check=False,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``whosaid serve --port 0`` over the ingested fixtures; yields its URL, stops it afterwards."""
    data = tmp_path / "data"
    assert whosaid("ingest", str(FIXTURES), "--data-dir", str(data)).returncode == 0
    with serve_process(data, log=True) as started:
        yield started


@pytest.mark.server
def test_a_real_server_answers_over_http_and_stops_cleanly(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = server
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("healthz").json() == {"status": "ok"}
        assert http.get("readyz").json() == {"status": "ready", "articles": 5}
        answer = http.post("v1/ask", json={"question": QUESTION}).json()
        assert not answer["abstained"] and answer["citations"]
        with http.stream("POST", "v1/chat", json={"message": QUESTION}, headers={"Accept": "text/event-stream"}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            stream = events(r.read().decode())
        assert [kind for kind, _ in stream][-2:] == ["citations", "done"]
        assert stream[-2][1]["answer"] == answer["answer"]
        # Concurrent questions share one service: every one is answered, identically.
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: http.post("v1/ask", json={"question": QUESTION}).json(), range(6)))
        assert {a["answer"] for a in answers} == {answer["answer"]}
        assert http.get("v1/articles/0123456789abcdef").json() == {"error": "No article has the id 0123456789abcdef."}
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    log = process.stderr.read() if process.stderr else ""
    assert "No API keys configured: local demo mode, listening on 127.0.0.1 only" in log
    assert "Slack is off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable it)" in log
    assert re.search(r"POST /v1/chat 200 \d+ ms", log)
    assert "Traceback" not in log


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.test"])
def test_serve_without_keys_refuses_a_public_host(tmp_path: Path, host: str) -> None:
    result = whosaid("serve", "--host", host, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: No API keys are configured, so whosaid serves on 127.0.0.1 only, not {host}: "
        "set WHOSAID_ADMIN_KEYS or WHOSAID_WIDGET_KEYS to serve on other addresses."
    )
    assert not (tmp_path / "chroma").exists()  # refused before anything was opened


def test_serve_on_a_port_in_use_is_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # With keys the host check passes (WHOSAID_HOST is read); the port in use is then refused.
        env = clean_env(WHOSAID_ADMIN_KEYS=json.dumps(["sk-test"]), WHOSAID_HOST="127.0.0.1")
        result = whosaid("serve", "--port", str(port), "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: Cannot listen on 127.0.0.1:{port} (Address already in use); choose another --port."
    )
    assert "Traceback" not in result.stderr and "sk-test" not in result.stderr
