"""A pronoun follows the speaker, unless another person has become a clause's subject since.

FICTIONAL article written for these tests: every name, place and number is invented.
"""

from __future__ import annotations

from bot.attribution import AttributionExtractor
from bot.attribution.candidates import Candidate, EntityMention, Mention, MentionKind
from bot.attribution.resolve import Resolution, SpeakerResolver

ARTICLE = """Ferry dispute in Maren Bay

The harbour director, Dr Lotte Farrow, said on Tuesday that 60 crossings had been cancelled. \
She said the figure covered only the winter timetable.

The union's regional secretary, Jonas Kettle, accused the operator of hiding the real numbers. \
He claimed that more than 200 crossings had been lost since November. \
“The director's numbers are a fiction,” he said.

Farrow said the claim was wrong. Kettle rejected calls to withdraw it. \
“I will not take back a word of it,” he said.

The mayor of Kallan, Anna Keller, said the ferries were the town's only link in winter. \
“We need a timetable we can trust,” she said.
"""


def speakers(extractor: AttributionExtractor) -> dict[str, str | None]:
    """Content opening (20 characters) -> resolved speaker, for every claim of the article."""
    return {claim.content[:20]: claim.speaker for claim in extractor.extract(ARTICLE)}


def test_a_new_subject_takes_the_pronoun_from_the_last_speaker(extractor: AttributionExtractor) -> None:
    found = speakers(extractor)
    assert found["that more than 200 c"] == "Jonas Kettle"  # not Farrow, the last speaker
    assert found["“The director's numb"] == "Jonas Kettle"


def test_the_subject_of_a_non_reporting_clause_counts_too(extractor: AttributionExtractor) -> None:
    found = speakers(extractor)
    assert found["the claim was wrong"] == "Lotte Farrow"
    assert found["“I will not take bac"] == "Jonas Kettle"  # "Kettle rejected ...", then "he said"


def test_a_pronoun_right_after_its_speaker_stays_with_them(extractor: AttributionExtractor) -> None:
    assert speakers(extractor)["the figure covered o"] == "Lotte Farrow"


def _candidate(text: str, kind: MentionKind, start: int) -> Candidate:
    mention = Mention(span=(start, start + len(text)), text=text, kind=kind, head=text.split()[-1].lower())
    return Candidate(cue_span=(start + len(text) + 1, start + len(text) + 5), cue="said", stance="asserts",
                     content=[(start + 100, start + 120)], source=mention)


def test_a_role_and_name_the_tagger_missed_become_a_person() -> None:
    resolver = SpeakerResolver([EntityMention(span=(0, 14), text="Lindqvist Water", label="ORG")])
    recent: list[tuple[int, str, str]] = []
    minister = resolver.resolve(_candidate("The health minister, Ana Ruiz", "nominal", 100), recent)
    assert minister == Resolution("Ana Ruiz", "health minister") and resolver.is_person("Ana Ruiz")
    assert resolver.resolve(_candidate("Ruiz", "nominal", 400), recent).speaker == "Ana Ruiz"
    company = resolver.resolve(_candidate("The water company, Lindqvist Water", "nominal", 700), recent)
    assert company.speaker == "water company, Lindqvist Water" and not resolver.is_person(company.speaker)


def test_a_name_in_apposition_after_of_is_the_speaker(extractor: AttributionExtractor) -> None:
    # The parser hangs "Anna Keller" on "Kallan", inside "of ...": the mention must keep it.
    claims = {claim.content[:20]: claim for claim in extractor.extract(ARTICLE)}
    mayor = claims["the ferries were the"]
    assert (mayor.speaker, mayor.role, mayor.speaker_mention) == (
        "Anna Keller", "mayor of Kallan", "The mayor of Kallan, Anna Keller"
    )
    assert claims["“We need a timetable"].speaker == "Anna Keller"
