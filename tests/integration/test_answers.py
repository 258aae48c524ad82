"""The answering chain on real models (MiniLM, spaCy) over the seeds and fictional fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import InvalidQueryError, NotFoundError
from bot.model import Answer
from bot.service import Whosaid

from ..conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("answers")


@pytest.fixture(scope="module")
def service(data_dir: Path) -> Whosaid:
    whosaid = Whosaid(Settings(data_dir=data_dir))
    whosaid.ingest([SEEDS, FIXTURES])
    return whosaid


def assert_citations_exact(service: Whosaid, answer: Answer) -> None:
    for citation in answer.citations:
        assert service.article(citation.article_id).text[citation.start : citation.end] == citation.quote
    markers = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.id for c in answer.citations}


def test_who_said_names_the_speaker_with_an_exact_citation(service: Whosaid) -> None:
    answer = service.ask("Who said that Mariupol will be liberated?")
    assert not answer.abstained
    assert answer.attributions[0].speaker == "Dmitry Peskov"
    assert "Mariupol will be liberated" in answer.citations[0].quote
    assert_citations_exact(service, answer)


def test_who_said_on_a_fixture_with_two_speakers(service: Whosaid) -> None:
    answer = service.ask("Who said the bridge repair would cost 80 million?")
    assert answer.attributions[0].speaker == "Tomas Reyes"
    assert_citations_exact(service, answer)


def test_what_did_a_speaker_say_about_a_topic(service: Whosaid) -> None:
    answer = service.ask("What did Peskov say about sanctions?")
    assert {a.speaker for a in answer.attributions} == {"Dmitry Peskov"}
    assert "sanctions" in answer.answer
    assert_citations_exact(service, answer)


@pytest.mark.parametrize(
    "question",
    ["What did Joe Biden say about Bucha?", "What is the capital of France?", "Who said the moon is made of cheese?"],
)
def test_questions_the_sources_do_not_cover_are_abstained(service: Whosaid, question: str) -> None:
    answer = service.ask(question)
    assert answer.abstained and not answer.citations and not answer.attributions


def test_a_follow_up_in_a_session_resolves_the_pronoun(service: Whosaid) -> None:
    session = service.start_session()
    first = service.ask("What did Peskov say about sanctions?", session=session)
    follow = service.ask("What did he say about Mariupol?", session=session)
    assert not first.abstained and not follow.abstained
    assert {a.speaker for a in follow.attributions} == {"Dmitry Peskov"}
    assert "Mariupol" in follow.answer
    assert [t["standalone"] for t in service.conversations.history(session)][-1] == (
        "What did Dmitry Peskov say about Mariupol?"
    )


def test_a_check_with_conflicting_figures_is_disputed_and_lists_both(service: Whosaid) -> None:
    answer = service.ask("The Harbor Bridge repair will cost 42 million dollars", mode="check")
    assert answer.verdict in ("disputed", "supported", "contradicted")
    assert not answer.abstained
    speakers = {a.speaker for a in answer.attributions}
    assert "Elena Brandt" in speakers
    assert_citations_exact(service, answer)


def test_a_check_of_something_absent_is_unverified(service: Whosaid) -> None:
    answer = service.ask("The orchard cooperative won a national award", mode="check")
    assert answer.verdict == "unverified" and answer.abstained


def test_bad_questions_and_sessions_are_clear_errors(service: Whosaid, tmp_path: Path) -> None:
    with pytest.raises(InvalidQueryError):
        service.ask("   ")
    with pytest.raises(NotFoundError, match="No conversation"):
        service.ask("Who said that?", session="nope")
    with pytest.raises(NotFoundError, match="index is empty"):
        Whosaid(Settings(data_dir=tmp_path / "empty")).ask("Who said that?")


def test_batch_answers_one_json_line_per_input_in_order(service: Whosaid, data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join([
        json.dumps({"question": "What did Peskov say about sanctions?", "session": "s1"}),
        "{broken",
        json.dumps({"question": "What did he say about Mariupol?", "session": "s1"}),
        json.dumps({"question": "Russia lost 498 soldiers", "mode": "check"}),
    ]))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--questions", str(questions), "--json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=os.environ, timeout=300, check=True,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert "not valid JSON" in lines[1]["error"]
    assert lines[2]["attributions"][0]["speaker"] == "Dmitry Peskov"
    assert lines[3]["verdict"] in ("disputed", "contradicted", "supported")
