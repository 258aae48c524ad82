"""Rate limits, body size limits, validation errors and unknown routes: each one JSON sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import ADMIN_KEY, KEYS, QUESTION, MakeClient, fake_service


def test_questions_past_the_burst_get_429_with_retry_after(make_client: MakeClient) -> None:
    app = make_client(rate_limit_burst=2, rate_limit_per_minute=2, **KEYS)
    first_key = {"X-Whosaid-Key": ADMIN_KEY}
    for _ in range(2):
        assert app.post("/v1/ask", json={"question": QUESTION}, headers=first_key).status_code == 200
    limited = app.post("/v1/chat", json={"message": QUESTION}, headers=first_key)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 30  # 2 a minute: the next token within 30 s
    assert limited.json() == {"error": f"Too many questions: try again in {limited.headers['retry-after']} seconds."}
    # Buckets are per key: another key is not limited; routes that ask nothing are not limited.
    other = make_client(rate_limit_burst=2, rate_limit_per_minute=2, admin_keys=[ADMIN_KEY, "sk-second"])
    assert other.post("/v1/check", json={"claim": QUESTION}, headers={"X-Whosaid-Key": "sk-second"}).status_code == 200
    assert all(app.get("/healthz").status_code == 200 for _ in range(5))


def test_without_keys_the_anonymous_bucket_still_limits(make_client: MakeClient) -> None:
    app = make_client(rate_limit_burst=1, rate_limit_per_minute=1)
    assert app.post("/v1/check", json={"claim": QUESTION}).status_code == 200
    limited = app.post("/v1/ask", json={"question": QUESTION})
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60


def test_ratings_have_their_own_bucket(make_client: MakeClient) -> None:
    app = make_client(rate_limit_burst=2, rate_limit_per_minute=1)
    answer_id = app.post("/v1/ask", json={"question": QUESTION}).json()["answer_id"]
    rate = {"answer_id": answer_id, "rating": 1}
    assert [app.post("/v1/feedback", json=rate).status_code for _ in range(3)] == [201, 201, 429]
    limited = app.post("/v1/feedback", json=rate)
    assert limited.json()["error"].startswith("Too many ratings: try again in ")
    # Ratings did not use up questions: the question bucket still holds its second token.
    assert app.post("/v1/ask", json={"question": QUESTION}).status_code == 200


def test_slack_payloads_may_be_larger_than_questions(make_client: MakeClient) -> None:
    # A button click carries the whole message it was clicked on; the Slack route is off here
    # (404), which shows the body got past the limit a question would have hit.
    app = make_client(max_request_bytes=2048)
    payload = {"payload": "x" * 200_000}
    assert app.post("/slack/events", data=payload).status_code == 404
    assert app.post("/slack/events", data={"payload": "x" * 1_100_000}).status_code == 413


def test_a_body_over_the_limit_is_413(make_client: MakeClient, tmp_path: Path) -> None:
    # Its own index: this test ingests.
    app = make_client(service=fake_service(tmp_path / "data"), max_request_bytes=2048, max_ingest_bytes=8192)
    too_big = app.post("/v1/ask", json={"question": "x" * 3000})
    assert too_big.status_code == 413
    assert too_big.json() == {"error": "The request body is larger than 2,048 bytes."}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies as the body streams in
        yield b'{"question": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    streamed = app.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"].startswith("The request body is larger")
    # Ingest has its own, larger limit.
    article = {"text": "Fictional test text. " * 200, "title": "Limit test"}
    assert app.post("/v1/ingest", json={"articles": [article]}).status_code == 200
    assert app.post("/v1/ingest", json={"articles": [article] * 3}).status_code == 413


@pytest.mark.parametrize(
    ("path", "body", "sentence"),
    [
        ("/v1/ask", {}, "The field 'question' is required."),
        ("/v1/ask", {"question": 7}, "The field 'question' is invalid: input should be a valid string."),
        ("/v1/ask", {"question": "   "}, "The question is empty: type a few words."),
        ("/v1/ask", {"question": "?!"}, "The question has no words in it."),
        ("/v1/check", {"claim": ""}, "The claim is empty: type a few words."),
        ("/v1/chat", {"message": "hi", "mode": "shout"},
         "The field 'mode' is invalid: input should be 'ask' or 'check'."),
        ("/v1/ask", [1, 2], "The request body is missing or is not a JSON object."),
        ("/v1/feedback", {"rating": 1}, "The field 'answer_id' is required."),
        ("/v1/ingest", {"articles": [{"title": "no text"}]}, "The field 'articles.0.text' is required."),
        ("/v1/ingest", {"articles": [{"text": "t", "published": "last week"}]},
         "The field 'articles.0.published' is invalid"),
    ],
)
def test_invalid_requests_are_422_with_one_sentence(client: TestClient, path: str, body: object, sentence: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["error"].startswith(sentence)
    assert response.json()["error"].count(". ") == 0  # one sentence


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json() == {"error": "The request body is not valid JSON."}


def test_a_query_parameter_error_names_the_parameter(client: TestClient) -> None:
    response = client.get("/v1/claims", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["error"].startswith("The query parameter 'limit' is invalid")


def test_unknown_routes_and_methods(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "There is no GET /v1/nothing-here here; the API is described at /docs."}
    wrong = client.get("/v1/ask")
    assert wrong.status_code == 405 and wrong.json() == {"error": "GET is not allowed on /v1/ask; use POST."}
    slack = client.post("/slack/events", json={})
    assert slack.status_code == 404 and slack.json()["error"].startswith("Slack is off")


@pytest.mark.parametrize(
    ("body", "status", "sentence"),
    [
        (b'{"question": "Mari\xffupol"}', 400,
         "The request body is not valid UTF-8 (an undecodable byte at position 18)."),
        (b'{"answer_id": "a", "rating": 1' + b"0" * 5000 + b"}", 400,
         "The request body has a number too long to read; numbers here are small integers."),
        (b"[" * 30_000, 400, "The request body is nested too deeply to read."),
    ],
)
def test_an_unreadable_body_says_what_is_wrong(client: TestClient, body: bytes, status: int, sentence: str) -> None:
    response = client.post("/v1/feedback", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (status, {"error": sentence})


@pytest.mark.parametrize("rating", [True, False, 1.0, -1.0, "1", 2, 0, None])
def test_a_rating_is_the_integer_1_or_minus_1(client: TestClient, rating: object) -> None:
    answer_id = client.post("/v1/ask", json={"question": QUESTION}).json()["answer_id"]
    response = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": rating})
    assert response.status_code == 422
    assert response.json() == {
        "error": "The field 'rating' is invalid: it must be the integer 1 (helpful) or -1 (not helpful)."
    }
    assert client.post("/v1/feedback", json={"answer_id": answer_id, "rating": -1}).status_code == 201
