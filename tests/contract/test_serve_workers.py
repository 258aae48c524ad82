"""Two ``whosaid serve`` workers behind two ports, sharing one PostgreSQL and one Chroma server.

A load balancer would put them behind one address; here the test plays it, sending each
request to the worker it chooses, so every cross-worker path is taken on purpose.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.api.schemas import ArticleIn
from bot.index.conversations import Conversations
from bot.index.records import RecordStore
from tests.conftest import FIXTURES
from tests.contract.servers import dies_with_parent, free_port, wait_for_port

pytestmark = pytest.mark.server

ADMIN_KEY = "scale-out-admin-key-for-tests-only"
QUESTION = "tram line Kessingford"  # answered without claims by the hash embedder


def fixture_articles() -> list[dict[str, Any]]:
    """The fictional fixture articles as API ingest items."""
    bridge = (FIXTURES / "harbor-bridge.txt").read_text(encoding="utf-8")
    items = [{"text": bridge, "title": bridge.splitlines()[0], "url": "https://example.test/harbor-bridge"}]
    for line in (FIXTURES / "wire.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        items.append({k: v for k, v in record.items() if k in ArticleIn.model_fields})
    return items


def launch_worker(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    data_dir.mkdir(parents=True)
    with (data_dir / "serve.log").open("wb") as log:  # a file, not a pipe nobody drains
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**env, "WHOSAID_DATA_DIR": str(data_dir)}, stdout=log, stderr=log,
            preexec_fn=dies_with_parent(signal.SIGTERM),
        )
    return process, port


def wait_for_worker(process: subprocess.Popen[bytes], port: int, log: Path) -> str:
    if not wait_for_port(port, seconds=90, process=process):
        process.kill()
        process.wait()
        pytest.fail(f"whosaid serve did not start: {log.read_text(errors='replace')[-2000:]}")
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def workers(tmp_path: Path, fresh_postgres_url: str, chroma_url: str) -> Iterator[tuple[str, str, str]]:
    """Two serve processes with their own data directories; yields their URLs and the database URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
    env.update(
        WHOSAID_DATABASE_URL=fresh_postgres_url, WHOSAID_CHROMA_URL=chroma_url,
        WHOSAID_COLLECTION_PREFIX=f"t{uuid.uuid4().hex[:12]}", WHOSAID_EMBEDDING_MODEL="hash",
        WHOSAID_EXTRACT_CLAIMS="false", WHOSAID_ADMIN_KEYS=json.dumps([ADMIN_KEY]),
    )
    dirs = [tmp_path / f"worker-{n}" for n in (1, 2)]
    started = [launch_worker(data_dir, env) for data_dir in dirs]  # both start at once
    try:
        one, two = (wait_for_worker(p, port, d / "serve.log") for (p, port), d in zip(started, dirs, strict=True))
        yield one, two, fresh_postgres_url
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, url, headers={"X-Whosaid-Key": ADMIN_KEY}, timeout=60, **kwargs)


def ingest_through_both_at_once(one: str, two: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same articles posted to both workers at the same moment, in opposite orders."""
    results: dict[str, httpx.Response] = {}

    def post(url: str, articles: list[dict[str, Any]]) -> None:
        results[url] = call("POST", f"{url}/v1/ingest", json={"articles": articles})

    threads = [threading.Thread(target=post, args=(one, items)), threading.Thread(target=post, args=(two, items[::-1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[url].status_code for url in (one, two)] == [200, 200], [r.text for r in results.values()]
    return [results[url].json() for url in (one, two)]


def test_two_workers_share_the_index_conversations_and_feedback(workers: tuple[str, str, str]) -> None:
    one, two, database_url = workers
    items = fixture_articles()
    # The database lock makes one ingest wait for the other: none fails, none is half written or doubled.
    reports = ingest_through_both_at_once(one, two, items)
    assert sorted(r["added"] for r in reports) == [0, len(items)] and all(r["skipped"] == [] for r in reports)
    records = RecordStore(database_url)  # what an operator (or a third worker) reads from the database
    assert records.counts()["articles"] == len(items) and records.pending_ids() == [] and records.tombstoned() == []
    assert call("GET", f"{two}/readyz").json() == {"status": "ready", "articles": len(items)}

    answer = call("POST", f"{two}/v1/ask", json={"question": QUESTION}).json()
    assert not answer["abstained"] and answer["citations"]
    for citation in answer["citations"]:
        article = call("GET", f"{one}/v1/articles/{citation['article_id']}").json()
        assert article["text"][citation["start"] : citation["end"]] == citation["quote"]

    chat = call("POST", f"{one}/v1/chat", json={"message": QUESTION, "session": None}).json()
    follow_up = call("POST", f"{two}/v1/chat", json={"message": "What else did he say?", "session": chat["session"]})
    assert follow_up.status_code == 200 and follow_up.json()["session"] == chat["session"]

    for worker, answer_id, rating in ((one, answer["answer_id"], -1), (two, chat["answer_id"], 1)):
        stored = call("POST", f"{worker}/v1/feedback", json={"answer_id": answer_id, "rating": rating})
        assert stored.status_code == 201, stored.text  # each worker rates an answer the other one gave
    conversations = Conversations(records.engine)
    assert conversations.feedback_for(answer["answer_id"]) == [{"rating": -1, "comment": None, "channel": "api"}]
    assert conversations.feedback_for(chat["answer_id"]) == [{"rating": 1, "comment": None, "channel": "api"}]
    assert [t["question"] for t in conversations.history(chat["session"])] == [QUESTION, "What else did he say?"]
    assert call("POST", f"{two}/v1/feedback", json={"answer_id": "0" * 32, "rating": 1}).status_code == 404

    tram = answer["citations"][0]["article_id"]
    assert call("DELETE", f"{two}/v1/articles/{tram}").json() == {"removed": [tram]}
    assert call("GET", f"{one}/v1/articles/{tram}").status_code == 404
    again = call("POST", f"{one}/v1/ask", json={"question": QUESTION}).json()
    assert tram not in {c["article_id"] for c in again["citations"]}
    assert records.counts()["articles"] == len(items) - 1
    records.engine.dispose()
