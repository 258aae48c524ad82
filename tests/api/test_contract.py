"""The fact-check contract over HTTP: the OpenAPI schema derives from bot.model, and an answer with an
attribution check passes through every answer route's response model whole (JSON and the SSE stream)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.model import (
    DIFFERENCE_KINDS,
    MATCHES,
    VERDICTS,
    Answer,
    Attribution,
    AttributionCheck,
    Citation,
    Difference,
)
from bot.service import Whosaid

from ..conftest import NoClaims
from .conftest import MakeClient, events

# Fictional: a claim that puts the harbour master's words in the mayor's mouth, with a changed figure.
MISATTRIBUTED = Answer(
    question="Mayor Tomas Brandt said the ferry would carry 400 passengers",
    answer="These words are on record from harbour master Ines Varga, who spoke of 40 passengers [1].",
    abstained=False,
    verdict="misattributed",
    attributions=(Attribution("Ines Varga", "Varga", "harbour master", "said", "asserts", "40 passengers", 1),),
    citations=(Citation(1, "a1b2c3d4e5f60718", "Lowmere ferry (fictional)", "lowmere.txt",
                        "The ferry will carry 40 passengers, Varga said.", 10, 57),),
    attribution=AttributionCheck(
        claimed_speaker="Tomas Brandt", found_speaker="Ines Varga", match="different",
        differences=(Difference("speaker", "Tomas Brandt", "Ines Varga"), Difference("figure", "400", "40")),
        citation=1,
    ),
    id="c" * 32,
)
STREAM = {"Accept": "text/event-stream"}


class CannedService(Whosaid):
    """A real service whose answering returns one canned answer (a fake at the service seam)."""

    canned: Answer = MISATTRIBUTED

    def ask(self, question: str, **kwargs: Any) -> Answer:
        progress = kwargs.get("progress")
        if progress:
            progress("retrieving")
        return replace(self.canned, session=kwargs.get("session"))


@pytest.fixture
def canned_service(indexed: Whosaid) -> CannedService:
    return CannedService(indexed.settings, embedder=indexed.embedder, extractor=NoClaims())


@pytest.fixture
def canned(make_client: MakeClient, canned_service: CannedService) -> TestClient:
    return make_client(service=canned_service)


def _schema(spec: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` (or an ``anyOf`` with null) to the named component schema."""
    for option in ref_or_schema.get("anyOf", [ref_or_schema]):
        if "$ref" in option:
            return dict(spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]])
    return ref_or_schema


def _enum(schema: dict[str, Any]) -> list[str]:
    return [value for option in schema.get("anyOf", [schema]) for value in option.get("enum", [])]


def test_openapi_lists_every_verdict_and_the_attribution_check(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    answer = spec["components"]["schemas"]["AnswerOut"]["properties"]
    assert _enum(answer["verdict"]) == list(VERDICTS)
    assert answer["verdict"]["description"] and answer["attribution"]["description"]
    check = _schema(spec, answer["attribution"])
    assert check["title"] == "AttributionCheckOut"
    assert set(check["properties"]) == {"claimed_speaker", "found_speaker", "match", "differences", "citation"}
    assert _enum(check["properties"]["match"]) == list(MATCHES)
    difference = _schema(spec, check["properties"]["differences"]["items"])
    assert _enum(difference["properties"]["kind"]) == list(DIFFERENCE_KINDS)
    for schema in (check, difference):
        assert all(field.get("description") for field in schema["properties"].values()), schema["title"]


@pytest.mark.parametrize(
    ("path", "body"), [("/v1/check", {"claim": "x"}), ("/v1/chat", {"message": "x", "mode": "check"})]
)
def test_an_answer_with_an_attribution_check_passes_the_response_model_whole(
    canned: TestClient, path: str, body: dict[str, Any]
) -> None:
    reply = canned.post(path, json=body)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    expected = replace(MISATTRIBUTED, session=data["session"]).to_dict()
    assert data == expected
    assert data["attribution"]["differences"] == [
        {"kind": "speaker", "claimed": "Tomas Brandt", "found": "Ines Varga"},
        {"kind": "figure", "claimed": "400", "found": "40"},
    ]


def test_the_streamed_citations_event_carries_the_attribution_check(canned: TestClient) -> None:
    stream = events(canned.post("/v1/chat", json={"message": "x", "mode": "check"}, headers=STREAM).text)
    assert [kind for kind, _ in stream][-2:] == ["citations", "done"]
    answer = stream[-2][1]
    assert answer == replace(MISATTRIBUTED, session=answer["session"]).to_dict()
    assert answer["attribution"]["found_speaker"] == "Ines Varga"


def test_a_bare_claim_has_a_null_attribution(canned: TestClient, canned_service: CannedService) -> None:
    canned_service.canned = replace(MISATTRIBUTED, verdict="unverified", attribution=None)
    data = canned.post("/v1/check", json={"claim": "x"}).json()
    assert data["verdict"] == "unverified" and data["attribution"] is None
