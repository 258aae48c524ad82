"""Hostile questions: validation refuses them in one sentence, or everything after it copes.

Any string that ``validate_query`` accepts must go through follow-up rewriting and routing
without an exception, and through the whole service (answer, storage, history) with every
citation exact; any string it refuses gets one ``InvalidQueryError`` sentence.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.answer.routing import SpeakerIndex, condense, plan
from bot.config import Settings
from bot.errors import InvalidQueryError
from bot.index.embedder import HashEmbedder
from bot.model import Answer
from bot.service import MAX_QUERY_CHARS, Whosaid, validate_query
from tests.conftest import FIXTURES, NoClaims

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = [
    "Who said", "What did", "say about", "Is it true that", "fact-check", "check:", "he", "his", "they",
    "and about", "How many", "ships", "Alma Veritt", "Veritt", "Mr", "?", " ", "\u200b", "\u202e", "\x00",
    "\ud800", "\udfff", "\n", "\t", "(", "[", "\\", "*", "+", "$", "\u0301", "\ufeff", "\u00a0",
]
questions = st.lists(st.sampled_from(PIECES) | st.characters(), max_size=25).map("".join) | st.text(max_size=60)
speaker_names = st.lists(
    st.lists(st.sampled_from(["Alma", "Veritt", "Kesh", "(", ")", "*", "\\", "[a-", "", " ", "\u200b", "Dr."])
             | st.text(max_size=6), max_size=4).map(" ".join),
    max_size=6,
)


def validated(question: str) -> str | None:
    """The accepted question, or None after checking the refusal is one clear sentence."""
    try:
        accepted = validate_query(question)
    except InvalidQueryError as exc:
        message = str(exc)
        assert message.startswith("The question") and message.endswith(".") and "\n" not in message
        return None
    assert accepted == accepted.strip() and 0 < len(accepted) <= MAX_QUERY_CHARS
    accepted.encode("utf-8")  # it is stored with the answer, in any database
    return accepted


@FUZZ
@given(questions, speaker_names, st.sampled_from(["ask", "check"]), st.lists(questions, max_size=2))
def test_any_accepted_question_is_rewritten_and_routed_without_an_error(
    question: str, names: list[str], mode: str, previous: list[str]
) -> None:
    accepted = validated(question)
    if accepted is None:
        return
    speakers = SpeakerIndex({name: 1 for name in names})
    history: list[dict[str, Any]] = [
        {"question": p, "standalone": p, "answer": {"attributions": [{"speaker": n} for n in names[:1]]}}
        for p in previous
    ]
    standalone = condense(accepted, history, speakers)
    route = plan(accepted, standalone, speakers, mode=mode)
    assert route.route in ("who_said", "what_did", "check", "general")
    assert route.speaker is None or route.speaker in names


def test_oversized_and_empty_questions_are_refused_in_one_sentence() -> None:
    for question in ("", " \u3000\n", "\x00word", "?!…", "\u200b\u202e", "w" * (MAX_QUERY_CHARS + 1), "a \ud800 b"):
        assert validated(question) is None


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    """One small index of the fictional fixture articles, shared by the examples."""
    data = tmp_path_factory.mktemp("questions") / "data"
    whosaid = Whosaid(Settings(data_dir=data, embedding_model="hash", extract_claims=False),
                      embedder=HashEmbedder(), extractor=NoClaims())
    whosaid.ingest([FIXTURES])
    return whosaid


def assert_exact(answer: Answer, service: Whosaid) -> None:
    """Every citation quotes its article exactly."""
    for citation in answer.to_dict()["citations"]:
        text = service.article(citation["article_id"]).text
        assert text[citation["start"] : citation["end"]] == citation["quote"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(questions, st.sampled_from(["ask", "check"]), st.booleans())
@example("What did Alma Veritt say about \ud800 ferries?", "ask", True)
@example("Is it true that the \u202etram\u200b opened early?", "check", False)
def test_the_service_answers_or_refuses_any_question(
    service: Whosaid, question: str, mode: str, in_session: bool
) -> None:
    session = service.start_session() if in_session else None
    try:
        first = service.ask(question, mode=mode, session=session)
    except InvalidQueryError:
        assert validated(question) is None
        return
    assert_exact(first, service)
    if session is not None:  # the hostile question is now history for a follow-up
        assert_exact(service.ask("And what about him?", session=session), service)
