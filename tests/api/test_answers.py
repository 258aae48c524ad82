"""Ask, check, chat (JSON and server-sent events) and feedback, through the HTTP app."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.errors import INTERNAL_ERROR
from bot.errors import StoreUnavailableError
from bot.model import VERDICTS
from bot.service import Whosaid

from ..conftest import NoClaims
from .conftest import QUESTION, MakeClient, events, fake_service

STREAM = {"Accept": "text/event-stream"}


def test_ask_returns_the_answer_contract_with_exact_citations(client: TestClient) -> None:
    answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert list(answer) == [
        "answer_id", "session", "question", "answer", "abstained", "verdict", "attributions", "citations",
        "attribution",
    ]
    assert answer["attribution"] is None  # set only for a checked claim that names its speaker
    assert not answer["abstained"] and answer["session"] is None
    for citation in answer["citations"]:
        article = client.get(f"/v1/articles/{citation['article_id']}").json()
        assert article["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert f"[{citation['id']}]" in answer["answer"]


def test_check_returns_a_verdict(client: TestClient) -> None:
    answer = client.post("/v1/check", json={"claim": "The Harbor Bridge will close for six months"}).json()
    assert answer["verdict"] in VERDICTS
    assert answer["question"] == "The Harbor Bridge will close for six months"


def test_chat_as_json_starts_and_continues_a_session(client: TestClient, indexed: Whosaid) -> None:
    first = client.post("/v1/chat", json={"message": QUESTION, "session": None}).json()
    assert first["session"] and first["answer_id"]
    second = client.post("/v1/chat", json={"message": "And the cables?", "session": first["session"]}).json()
    assert second["session"] == first["session"]
    history = indexed.conversations.history(first["session"])
    assert [turn["question"] for turn in history] == [QUESTION, "And the cables?"]


def test_chat_streams_status_deltas_citations_done_in_order(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"message": QUESTION}, headers=STREAM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    stream = events(response.text)
    kinds = [kind for kind, _ in stream]
    statuses = kinds.count("status")
    deltas = kinds.count("delta")
    assert statuses >= 1 and deltas >= 1
    assert kinds == ["status"] * statuses + ["delta"] * deltas + ["citations", "done"]
    stages = [data["stage"] for kind, data in stream if kind == "status"]
    assert stages == ["retrieving", "composing", "verifying"]  # the chain's real stages, in order
    answer = stream[-2][1]
    assert "".join(data["text"] for kind, data in stream if kind == "delta") == answer["answer"]
    assert not answer["abstained"] and answer["citations"]
    assert stream[-1][1] == {"answer_id": answer["answer_id"], "session": answer["session"]}


def test_an_abstention_streams_too(client: TestClient) -> None:
    stream = events(client.post("/v1/chat", json={"message": "Who won the chess olympiad?"}, headers=STREAM).text)
    answer = stream[-2][1]
    assert answer["abstained"] and answer["citations"] == []
    assert "".join(data["text"] for kind, data in stream if kind == "delta") == answer["answer"]


def test_errors_a_person_can_fix_come_before_the_stream_as_json(client: TestClient, tmp_path: Path) -> None:
    empty = client.post("/v1/chat", json={"message": "   "}, headers=STREAM)
    assert empty.status_code == 422 and empty.headers["content-type"] == "application/json"
    assert empty.json() == {"error": "The question is empty: type a few words."}
    unknown = client.post("/v1/chat", json={"message": QUESTION, "session": "nope"}, headers=STREAM)
    assert unknown.status_code == 404 and "No conversation with id 'nope'" in unknown.json()["error"]


def test_an_empty_index_is_404_before_any_stream(make_client: MakeClient, tmp_path: Path) -> None:
    app = make_client(service=fake_service(tmp_path / "empty"))
    response = app.post("/v1/chat", json={"message": QUESTION}, headers=STREAM)
    assert response.status_code == 404 and response.json()["error"].startswith("The index is empty")


class FailingService(Whosaid):
    """A real service whose answering fails the way ``failure`` says (a fake at the service seam)."""

    failure: Exception = RuntimeError("secret detail /srv/whosaid/data")

    def ask(self, question: str, **kwargs: Any) -> Any:
        progress = kwargs.get("progress")
        if progress:
            progress("retrieving")
        raise self.failure


@pytest.fixture
def failing(indexed: Whosaid) -> FailingService:
    return FailingService(indexed.settings, embedder=indexed.embedder, extractor=NoClaims())


@pytest.mark.parametrize(
    ("failure", "status", "sentence"),
    [
        (RuntimeError("secret detail /srv/whosaid/data"), 500, INTERNAL_ERROR),
        (StoreUnavailableError("cannot reach 10.0.0.7:8000"), 503,
         "The index is unavailable right now; try again shortly."),
    ],
)
def test_a_failure_while_streaming_is_an_error_event(
    make_client: MakeClient, failing: FailingService, failure: Exception, status: int, sentence: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing.failure = failure
    response = make_client(service=failing).post("/v1/chat", json={"message": QUESTION}, headers=STREAM)
    stream = events(response.text)
    assert [kind for kind, _ in stream] == ["status", "error"]
    assert stream[-1][1] == {"error": sentence, "status": status}
    assert "secret" not in response.text and "10.0.0.7" not in response.text
    assert str(failure) in caplog.text  # the detail is logged for the operator


def test_an_unexpected_failure_is_500_json_without_a_traceback(
    make_client: MakeClient, failing: FailingService, caplog: pytest.LogCaptureFixture
) -> None:
    response = make_client(service=failing).post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 500
    assert response.json() == {"error": INTERNAL_ERROR}
    assert "Traceback" in caplog.text and "secret detail" in caplog.text  # logged, not sent


def test_feedback_is_stored(client: TestClient, indexed: Whosaid) -> None:
    answer_id = client.post("/v1/ask", json={"question": QUESTION}).json()["answer_id"]
    stored = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": -1, "comment": "Wrong bridge"})
    assert stored.status_code == 201 and stored.json() == {"status": "stored"}
    client.post("/v1/feedback", json={"answer_id": answer_id, "rating": 1}, headers={"Origin": "http://localhost:8000"})
    assert indexed.conversations.feedback_for(answer_id) == [
        {"rating": -1, "comment": "Wrong bridge", "channel": "api"},
        {"rating": 1, "comment": None, "channel": "widget"},
    ]


def test_feedback_on_an_unknown_answer_or_with_a_bad_rating(client: TestClient) -> None:
    unknown = client.post("/v1/feedback", json={"answer_id": "0" * 32, "rating": 1})
    assert unknown.status_code == 404 and unknown.json() == {"error": f"No answer with id {'0' * 32!r}."}
    bad = client.post("/v1/feedback", json={"answer_id": "0" * 32, "rating": 5})
    assert bad.status_code == 422 and bad.json()["error"].startswith("The field 'rating' is invalid")


def test_the_request_log_has_one_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.api")
    client.post("/v1/ask", json={"question": QUESTION})
    client.get("/healthz")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.api"]
    assert len(lines) == 2
    assert lines[0].startswith("POST /v1/ask 200 ") and lines[0].endswith(" ms")
    assert lines[1].startswith("GET /healthz 200 ")
    client.get("/v1/articles/x%0AINFO forged line")
    assert caplog.records[-1].getMessage().startswith("GET /v1/articles/x?INFO forged line 400 ")
