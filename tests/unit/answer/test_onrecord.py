"""Attributions read from passages when no extracted claim decides. FICTIONAL: every name is invented."""

from __future__ import annotations

from bot.answer.attributed import check_attribution
from bot.answer.checks import Evidence
from bot.answer.claimparse import parse_claim
from bot.answer.onrecord import sentences_on_record
from bot.attribution.names import SpeakerIndex
from bot.model import SearchHit

ARTICLE = (
    "Coal credits in Varn\n\n"
    "The company plants trees to offset its emissions. Mr. Tolvan hoped electric utilities would be able "
    "to count his forest credits toward the state's carbon goals. Officials have ruled that out.\n\n"
    "He said the credits would cost 4 dollars a ton. Ilse Marrow said the credits were a gimmick."
)
SPEAKERS = SpeakerIndex({"Arvid Tolvan": 3, "Ilse Marrow": 2})


def hits(start: int = 22) -> list[SearchHit]:
    """One passage: the article from ``start`` on."""
    return [SearchHit(article_id="a1", title="Coal credits", source="fixture", text=ARTICLE[start:],
                      start=start, end=len(ARTICLE), score=0.03)]


def on_record(content: str, speakers: SpeakerIndex = SPEAKERS) -> list[Evidence]:
    return sentences_on_record(content, hits(), article_text=lambda _: ARTICLE, speakers=speakers, floor=0.8)


def test_a_sentence_naming_the_speaker_becomes_their_record_with_exact_spans() -> None:
    content = "electric utilities would be able to count his forest credits toward the state's carbon goals"
    found = on_record(content)
    assert len(found) == 1
    claim = found[0].claim
    assert (claim.speaker, claim.speaker_mention, claim.cue) == ("Arvid Tolvan", "Mr. Tolvan", "hoped")
    assert ARTICLE[claim.content_spans[0][0] : claim.content_spans[0][1]] == claim.content
    assert ARTICLE[claim.start : claim.end].startswith("Mr. Tolvan hoped electric utilities")  # "Mr." ends no sentence


def test_a_pronoun_a_stranger_or_too_few_of_the_words_is_not_on_record() -> None:
    assert on_record("the credits would cost 4 dollars a ton") == []
    assert on_record("trees offset the company's emissions in Varn") == []
    assert on_record("the credits were a gimmick", speakers=SpeakerIndex({"Arvid Tolvan": 1})) == []


def test_a_sentence_decides_only_when_no_claim_does() -> None:
    def check(text: str) -> tuple[str, str | None]:
        parsed = parse_claim(text)
        result = check_attribution(parsed, [], speakers=SPEAKERS, sentences=lambda: on_record(parsed.content))
        finding = result.attribution
        return result.verdict, finding.found.claim.speaker if finding and finding.found else None

    assert check("Tolvan said utilities would be able to count his forest credits toward the state's carbon goals") == (
        "supported", "Arvid Tolvan"
    )
    assert check("Marrow said utilities would be able to count his forest credits toward the state's carbon goals") == (
        "misattributed", "Arvid Tolvan"
    )
    assert check("Tolvan said the credits were a gimmick") == ("misattributed", "Ilse Marrow")
    assert check("Marrow said the credits were a bargain") == ("unverified", None)
