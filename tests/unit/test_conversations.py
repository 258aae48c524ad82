"""Answers are stored with an id; feedback names one; sessions keep their turns."""

from __future__ import annotations

import pytest

from bot.errors import InvalidQueryError, NotFoundError
from bot.service import Whosaid
from tests.conftest import FIXTURES


@pytest.fixture
def answered(service: Whosaid) -> tuple[Whosaid, str]:
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    answer = service.ask("What happened to the harbor bridge?")
    assert answer.id
    return service, answer.id


def test_every_answer_is_stored_with_an_id(service: Whosaid) -> None:
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    first, second = service.ask("bridge"), service.ask("bridge")
    assert first.id and second.id and first.id != second.id
    assert first.to_dict()["answer_id"] == first.id
    assert service.conversations.answer_exists(first.id)


def test_feedback_is_stored_against_the_answer(answered: tuple[Whosaid, str]) -> None:
    service, answer_id = answered
    service.feedback(answer_id, rating=1, channel="widget")
    service.feedback(answer_id, rating=-1, comment="wrong speaker", channel="slack")
    assert service.conversations.feedback_for(answer_id) == [
        {"rating": 1, "comment": None, "channel": "widget"},
        {"rating": -1, "comment": "wrong speaker", "channel": "slack"},
    ]


@pytest.mark.parametrize(
    ("answer_id", "rating", "comment", "error"),
    [
        ("nope", 1, None, NotFoundError),
        (None, 0, None, InvalidQueryError),
        (None, 1, "x" * 2001, InvalidQueryError),
    ],
)
def test_bad_feedback_is_refused(
    answered: tuple[Whosaid, str], answer_id: str | None, rating: int, comment: str | None, error: type[Exception]
) -> None:
    service, real_id = answered
    with pytest.raises(error):
        service.feedback(answer_id or real_id, rating=rating, comment=comment)
    assert service.conversations.feedback_for(real_id) == []


def test_a_session_answer_carries_its_session(service: Whosaid) -> None:
    service.ingest([FIXTURES / "harbor-bridge.txt"])
    session = service.start_session()
    answer = service.ask("bridge", session=session)
    assert answer.session == session
    assert [turn["question"] for turn in service.conversations.history(session)] == ["bridge"]
