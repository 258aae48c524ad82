"""The conversation store's contract (sessions, answers, turns, feedback) on SQLite and a real PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bot.errors import InvalidQueryError
from bot.index.conversations import Conversations
from bot.index.records import RecordStore

ANSWER = {
    "answer": "Mayor Émilie Durand said the ferry runs in May [1].",  # a fictional answer
    "abstained": False,
    "citations": [{"id": 1, "quote": "“Not before 2027 — 12 %”", "start": 3, "end": 27, "url": None}],
    "attributions": [{"speaker": "Kenji Sato", "stance": "disputes"}],
    "score": 0.25,
}


@pytest.fixture
def conversations(database_url: str) -> Iterator[Conversations]:
    records = RecordStore(database_url)
    yield Conversations(records.engine)
    records.engine.dispose()


def answer_in(conversations: Conversations, session: str | None, question: str, n: int = 0) -> str:
    return conversations.record(
        question=question, mode="ask", answer={**ANSWER, "n": n}, session_id=session, standalone=f"{question}?"
    )


def test_sessions_are_created_once_and_known(conversations: Conversations) -> None:
    conversations.create_session("s-1")
    conversations.create_session("s-1")  # a no-op
    assert conversations.session_exists("s-1")
    assert not conversations.session_exists("s-2") and conversations.history("s-2") == []


@pytest.mark.parametrize("session", ["x" * 65, "nul\x00inside"])
def test_session_ids_no_backend_can_hold_are_unknown_and_refused(conversations: Conversations, session: str) -> None:
    assert not conversations.session_exists(session) and conversations.history(session) == []
    with pytest.raises(InvalidQueryError, match="session id"):
        conversations.create_session(session)
    conversations.create_session("x" * 64)  # the longest id that fits
    assert conversations.session_exists("x" * 64)


def test_answers_are_stored_with_their_json_intact(conversations: Conversations) -> None:
    first, second = answer_in(conversations, None, "Who said it?"), answer_in(conversations, None, "Who said it?")
    assert first != second and len(first) == 32
    assert conversations.answer_exists(first) and not conversations.answer_exists("0" * 32)
    assert not conversations.answer_exists("bad\x00id")


def test_history_is_the_last_turns_oldest_first(conversations: Conversations) -> None:
    conversations.create_session("s")
    conversations.create_session("other")
    for n in range(5):
        answer_in(conversations, "s", f"question {n}", n)
    answer_in(conversations, "other", "elsewhere")
    answer_in(conversations, None, "no session")
    history = conversations.history("s", limit=3)
    assert [turn["question"] for turn in history] == ["question 2", "question 3", "question 4"]
    assert history[-1] == {"question": "question 4", "standalone": "question 4?", "answer": {**ANSWER, "n": 4}}
    assert len(conversations.history("s")) == 5 and len(conversations.history("other")) == 1


def test_concurrent_answers_in_one_session_each_take_a_turn(conversations: Conversations) -> None:
    conversations.create_session("busy")
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            answer_in(conversations, "busy", f"question {n}", n)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(turn["answer"]["n"] for turn in conversations.history("busy", limit=20)) == list(range(8))


def test_feedback_is_kept_per_answer_in_order(conversations: Conversations) -> None:
    answer_id, other = answer_in(conversations, None, "q"), answer_in(conversations, None, "q2")
    conversations.add_feedback(answer_id, rating=1, comment=None, channel="widget")
    conversations.add_feedback(answer_id, rating=-1, comment="Wrong speaker — it was Sato 🚢", channel="slack")
    conversations.add_feedback(other, rating=1, comment="ok", channel="api")
    assert conversations.feedback_for(answer_id) == [
        {"rating": 1, "comment": None, "channel": "widget"},
        {"rating": -1, "comment": "Wrong speaker — it was Sato 🚢", "channel": "slack"},
    ]
    assert conversations.feedback_for("unknown") == [] and conversations.feedback_for("nul\x00") == []


def test_a_comment_with_nul_is_refused_on_every_backend(conversations: Conversations) -> None:
    answer_id = answer_in(conversations, None, "q")
    with pytest.raises(InvalidQueryError, match="NUL"):
        conversations.add_feedback(answer_id, rating=1, comment="bad\x00comment", channel="api")
    assert conversations.feedback_for(answer_id) == []


def test_prune_deletes_what_is_past_retention_and_keeps_rated_answers(conversations: Conversations) -> None:
    conversations.create_session("idle")
    unrated, rated = answer_in(conversations, "idle", "one"), answer_in(conversations, None, "two")
    conversations.add_feedback(rated, rating=1, comment=None, channel="api")
    cutoff = time.time() + 1  # everything so far is "old"
    time.sleep(1.1)
    conversations.create_session("active")
    recent = answer_in(conversations, "active", "three")
    assert conversations.prune(before=cutoff) == {"sessions": 1, "answers": 1}
    assert not conversations.answer_exists(unrated) and conversations.answer_exists(rated)
    assert conversations.feedback_for(rated) == [{"rating": 1, "comment": None, "channel": "api"}]
    assert not conversations.session_exists("idle") and conversations.history("idle") == []
    assert conversations.answer_exists(recent) and [t["question"] for t in conversations.history("active")] == ["three"]
