"""The extractive answering path on two fictional eval articles, with the real models.

FICTIONAL: evals/corpus/corran-wildfire.txt and halden-recount.txt invent every person, place
and figure. They have several speakers on one subject, figures that changed between dates,
denials and quotes attributed by a pronoun ("..., he said").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings
from bot.model import Answer
from bot.service import Whosaid

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "evals" / "corpus"
ARTICLES = (CORPUS / "corran-wildfire.txt", CORPUS / "halden-recount.txt")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    whosaid = Whosaid(Settings(data_dir=tmp_path_factory.mktemp("fictional"), llm=None))
    whosaid.ingest(list(ARTICLES))
    return whosaid


def assert_exact(service: Whosaid, answer: Answer) -> None:
    for citation in answer.citations:
        assert service.article(citation.article_id).text[citation.start : citation.end] == citation.quote
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == {c.id for c in answer.citations}


def cited(answer: Answer) -> str:
    return " ".join(c.quote for c in answer.citations)


def test_conflicting_figures_are_disputed_with_both_figures_cited(service: Whosaid) -> None:
    answer = service.ask("The Corran Valley wildfire burned 8,000 hectares", mode="check")
    assert answer.verdict == "disputed" and not answer.abstained
    assert "8,000 hectares" in cited(answer) and "14,500 hectares" in cited(answer)
    assert_exact(service, answer)


def test_several_speakers_are_shown_each_with_their_claims_together(service: Whosaid) -> None:
    answer = service.ask("The Corran Valley wildfire burned 8,000 hectares", mode="check")
    speakers = [a.speaker for a in answer.attributions]
    assert "Beatrix Holm" in speakers and "national satellite monitoring agency" in speakers
    # Grouped: once a speaker's claims end, that speaker does not come back further down.
    runs = [s for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1]]
    assert len(runs) == len(set(runs))


def test_a_figure_changed_later_by_the_same_speaker_is_disputed(service: Whosaid) -> None:
    answer = service.ask("Marchetti won the Halden election by 2,300 votes", mode="check")
    assert answer.verdict == "disputed"
    assert "2,300 votes" in cited(answer) and "1,870 votes" in cited(answer)


def test_a_denial_contradicts_the_claim(service: Whosaid) -> None:
    answer = service.ask(
        "The city government pressured the Halden electoral commission to finish the recount quickly", mode="check"
    )
    assert answer.verdict == "contradicted"
    assert answer.attributions[0].speaker == "Olav Berntsen" and answer.attributions[0].stance == "denies"
    assert_exact(service, answer)


def test_a_claim_only_related_to_the_sources_is_unverified(service: Whosaid) -> None:
    answer = service.ask("The Halden electoral commission cancelled the election", mode="check")
    assert answer.verdict == "unverified" and answer.abstained and not answer.citations


def test_a_quote_attributed_by_a_pronoun_names_the_right_person(service: Whosaid) -> None:
    answer = service.ask("Who said firefighters were fighting the fire with half the aircraft they need?")
    top = answer.attributions[0]
    assert (top.speaker, top.speaker_mention) == ("Anton Kreuger", "he")
    assert "half the aircraft we need" in answer.citations[0].quote
    assert_exact(service, answer)


def test_unattributed_reports_answer_a_how_many_question(service: Whosaid) -> None:
    answer = service.ask("How many homes were destroyed in Tessel?")
    assert not answer.abstained
    assert answer.attributions[0].speaker is None and "60 homes" in answer.citations[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "Who said that 25,000 hectares had burned?",  # a figure nobody gave
        "What did Carla Holm say about the evacuation?",  # an unknown speaker sharing a surname
        "What did Beatrix Holm say about the recount?",  # a known speaker on a topic she never spoke about
        "What is the population of Halden?",  # off-topic, about a place the sources name
    ],
)
def test_near_misses_are_abstained(service: Whosaid, question: str) -> None:
    answer = service.ask(question)
    assert answer.abstained and not answer.citations
