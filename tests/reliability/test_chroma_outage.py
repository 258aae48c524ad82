"""The Chroma server disappears under a running ``whosaid serve``, then comes back.

While it is gone, questions get 503 with one JSON sentence (never a 500 or a traceback) and
``/readyz`` says not ready; once it is back on the same port and folder, the same server
answers again, without a restart.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.contract.servers import CHROMA, dies_with_parent, free_port, wait_for_port
from tests.reliability.corpus import write_corpus
from tests.reliability.state import run_whosaid, start_server, whosaid_env

pytestmark = pytest.mark.server

QUESTION = "Local shops reported quieter trade than usual"


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    """``chroma run`` on 127.0.0.1:``port`` over ``path``, once it accepts connections."""
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=dies_with_parent(signal.SIGTERM),
    )
    assert wait_for_port(port, seconds=60, process=process), "chroma run did not start"
    return process


def assert_one_sentence(response: httpx.Response, status: int) -> None:
    """A JSON error body with one sentence and no internals."""
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    print(response.request.url.path, status, message)  # shown by `pytest -s`


def test_questions_get_503_while_chroma_is_gone_and_succeed_when_it_is_back(tmp_path: Path) -> None:
    write_corpus(tmp_path / "articles", count=10, seed=31)
    port = free_port()
    chroma = start_chroma(tmp_path / "chroma", port)
    env = whosaid_env(tmp_path / "data", embedding_model="hash", extract_claims="false",
                      chroma_url=f"http://127.0.0.1:{port}", rate_limit_per_minute="100000", rate_limit_burst="1000")
    server = None
    try:
        assert run_whosaid("ingest", str(tmp_path / "articles"), env=env).returncode == 0
        server = start_server(env, tmp_path / "server.log")
        with httpx.Client(base_url=server.url, timeout=60) as client:
            before = client.post("/v1/ask", json={"question": QUESTION})
            assert before.status_code == 200 and before.json()["citations"]
            chroma.kill()  # gone at once, as a crashed host would be
            chroma.wait()
            for _ in range(3):  # not only the first request after the loss: every one, until it is back
                assert_one_sentence(client.post("/v1/ask", json={"question": QUESTION}), 503)
                assert_one_sentence(client.post("/v1/check", json={"claim": "The ferry timetable changed."}), 503)
                assert_one_sentence(client.post("/v1/chat", json={"message": QUESTION, "session": None}), 503)
                assert_one_sentence(client.get("/readyz"), 503)
            streamed = client.post("/v1/chat", json={"message": QUESTION, "session": None},
                                   headers={"Accept": "text/event-stream"})
            if streamed.headers["content-type"].startswith("text/event-stream"):  # failed once streaming
                assert "event: error" in streamed.text and '"status": 503' in streamed.text, streamed.text
                assert "event: done" not in streamed.text
            else:
                assert_one_sentence(streamed, 503)
            assert client.get("/healthz").status_code == 200  # the process itself is alive
            chroma = start_chroma(tmp_path / "chroma", port)
            after = client.post("/v1/ask", json={"question": QUESTION})
            assert after.status_code == 200, after.text
            assert after.json()["citations"] == before.json()["citations"]  # the same index, nothing lost
            assert client.get("/readyz").status_code == 200
    finally:
        if server is not None:
            server.stop()
        chroma.terminate()
        chroma.wait(timeout=20)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
