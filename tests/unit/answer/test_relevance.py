"""What makes a claim answer a question: names, shared words, nesting, positions. FICTIONAL names only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from bot.answer.checks import Evidence, check_verdict, takes_position
from bot.answer.composer import outermost
from bot.answer.policy import Policy
from bot.answer.routing import SpeakerIndex
from bot.answer.text import coverage, topic_terms
from bot.attribution.quantities import find_quantities
from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.model import Claim
from bot.service import Whosaid


def claim(speaker: str | None, content: str, start: int, *, article: str = "a1", stance: str = "asserts") -> Claim:
    return Claim(
        speaker=speaker, speaker_mention=speaker, source_span=(start, start + 4), cue="said",
        cue_span=(start + 5, start + 9), content=content, content_spans=((start + 10, start + 10 + len(content)),),
        kind="indirect", stance=stance, article_id=article,
    )


def test_a_different_given_name_is_a_different_person() -> None:
    index = SpeakerIndex({"Tomas Brel": 3, "Ida Lunde": 1, "mayor": 1})
    assert index.find("What did Maria Brel say?") is None
    assert index.find("What did Councillor Brel say?") == "Tomas Brel"
    assert index.find("Did Brel really say that?") == "Tomas Brel"
    assert index.find("What did Velmar's Lunde say?") == "Ida Lunde"
    # The fullest name wins over an earlier, shorter one (a role left unresolved as a speaker).
    assert index.find("What did Mayor Ida Lunde say?") == "Ida Lunde"


def test_topic_terms_leave_out_names_and_question_words() -> None:
    assert topic_terms("How many bodies were found in Oskova?") == {"bodi", "find"}  # "found": the verb find
    assert topic_terms("What is the population of Oskova") == {"popul"}
    assert topic_terms("Oskova") == {"oskova"}  # only a name: the name is the topic
    assert "498" in topic_terms("Velmar lost 498 soldiers")
    assert coverage(topic_terms("What is the population of Oskova"), "Oskova is worse than Tarn") == 0.0


def test_nested_and_repeated_claims_are_dropped() -> None:
    outer = claim("Ana Vell", "“Growers tell me the frost ruined the crop,”", 100)
    inner = claim("Growers", "the frost ruined the crop", 112)  # its spans lie inside the outer quote
    repeat = claim("Ana Vell", "“Growers tell me  the frost ruined the crop,”", 900)
    elsewhere = claim("Growers", "the frost ruined the crop", 112, article="a2")
    kept = outermost([(inner, 0.9), (outer, 0.8), (repeat, 0.7), (elsewhere, 0.6)])
    assert [c for c, _ in kept] == [outer, elsewhere]


def test_a_source_on_the_same_subject_takes_no_position_unless_it_says_it() -> None:
    checked = "The Tarn bridge closure was planned to help the mayor's campaign"
    terms = topic_terms(checked)
    announce = Evidence(claim("Ida Lunde", "the Tarn bridge will close for six months", 0), 0.6, 1)
    denied = claim("Ida Lunde", "that the closure was planned to help her campaign", 80, stance="denies")
    denial = Evidence(denied, 0.5, 2)
    assert not takes_position(announce, terms, ())
    assert takes_position(denial, terms, ())
    result = check_verdict(checked, [announce, denial], policy=Policy(check=0.45))
    assert result.verdict == "contradicted" and [a.evidence.citation for a in result.assessments] == [2]
    assert check_verdict(checked, [announce], policy=Policy(check=0.45)).verdict == "unverified"


def test_a_figure_given_later_in_the_same_article_is_weighed() -> None:
    def with_figure(content: str, citation: int, relevance: float, article: str = "a1") -> Evidence:
        quantities = find_quantities(content, ((0, len(content)),))
        said = replace(claim("Olve Tarn", content, 0, article=article), quantities=quantities)
        return Evidence(said, relevance, citation)

    first = with_figure("that Vell had won by 2,300 votes", 1, 0.9)
    later = with_figure("that her margin was 1,870 votes", 2, 0.3)
    other_article = with_figure("that his margin was 900 votes", 3, 0.3, article="a2")
    result = check_verdict("Vell won by 2,300 votes", [first, later, other_article], policy=Policy(check=0.45))
    assert result.verdict == "disputed"
    assert {a.evidence.citation for a in result.assessments} == {1, 2}


class Repeating:
    """An extractor that reports every claim twice, as a text printing its title twice would."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for _ in texts:
            once = claim("Ana Vell", "the frost ruined the crop", 0, article="")
            twice = claim("Ana Vell", "the frost  ruined the crop", 60, article="")
            yield [once, twice]


def test_a_claim_repeated_in_one_article_is_stored_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash")
    service = Whosaid(settings, embedder=HashEmbedder(), extractor=Repeating())
    (tmp_path / "frost.txt").write_text("Frost (fictional)\n\nAna Vell said the frost ruined the crop. " * 2)
    report = service.ingest([tmp_path / "frost.txt"])
    assert report.claims == 1 and len(service.claims()) == 1


class SaidOnly:
    """An extractor that reads only "Name said C." sentences, so "Name told reporters that C." is missed."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        for text in texts:
            found = []
            for match in re.finditer(r"(Tomas Quill) said (the [^.]+)\.", text):
                found.append(Claim(
                    speaker=match.group(1), speaker_mention=match.group(1), source_span=match.span(1), cue="said",
                    cue_span=(match.end(1) + 1, match.end(1) + 5), content=match.group(2),
                    content_spans=(match.span(2),), kind="indirect", stance="asserts",
                ))
            yield found


def test_who_said_reads_a_passage_sentence_the_extractor_missed(tmp_path: Path) -> None:
    service = Whosaid(Settings(data_dir=tmp_path / "data", embedding_model="hash"), embedder=HashEmbedder(),
                      extractor=SaidOnly())
    (tmp_path / "ferry.txt").write_text(
        "Harl ferry to stop (fictional)\n\nTomas Quill said the harbour office was closed on Monday. "
        "Harbour master Tomas Quill told reporters that the Harl ferry would stop running in May after 40 years.\n"
    )
    service.ingest([tmp_path / "ferry.txt"])
    answer = service.ask("Who said that the Harl ferry would stop running in May?")
    assert not answer.abstained and "Tomas Quill" in answer.answer
    assert any("the Harl ferry would stop running in May" in c.quote for c in answer.citations)
    # words nobody is on record with are still abstained on
    assert service.ask("Who said that the Harl ferry would be sold to Velmar?").abstained
    assert service.ask("Who said that the Harl ferry would stop running in May after 30 years?").abstained
