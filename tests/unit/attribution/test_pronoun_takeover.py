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


# FICTIONAL: a "she" after a man's words, and names the tagger may take for organisations.
GENDERED = """Flood count disputed in Orlen

Dr. Bram Tessel, the director of Orlen Clinic, said 40 people had been treated. \
He said nine were in a serious condition.

Mirela Vostok, a spokeswoman for the Water Board, said the board's count included only confirmed \
victims. “Eleven people have died, and that is our figure,” she said.

The Water Board spokeswoman, Mirela Vostok, put the number of homes flooded at 300. \
Tessel said the clinic had run out of beds. Vostok rejected the criticism. \
“Nobody was turned away,” she said.
"""


def test_a_pronoun_agrees_with_what_the_article_says_of_the_person(extractor: AttributionExtractor) -> None:
    claims = {claim.content[:20]: claim for claim in extractor.extract(GENDERED)}
    assert claims["nine were in a serio"].speaker == "Bram Tessel"
    eleven = claims["“Eleven people have "]
    assert (eleven.speaker, eleven.role) == ("Mirela Vostok", "spokeswoman for the Water Board")
    assert claims["“Nobody was turned a"].speaker == "Mirela Vostok"  # "Vostok rejected", then "she said"


def test_a_she_skips_a_man_and_an_unknown_gender_agrees_with_both() -> None:
    resolver = SpeakerResolver([])
    recent: list[tuple[int, str, str]] = []
    woman = resolver.resolve(_candidate("Ana Ruiz, a spokeswoman for the ministry", "group", 0), recent)
    assert woman == Resolution("Ana Ruiz", "spokeswoman for the ministry")
    recent.append((0, "Ana Ruiz", "person"))
    man = resolver.resolve(_candidate("The ministry spokesman, Piet Olsen", "nominal", 200), recent)
    recent.append((200, man.speaker or "", "person"))
    assert resolver.resolve(_candidate("she", "pronoun", 400), recent).speaker == "Ana Ruiz"
    assert resolver.resolve(_candidate("he", "pronoun", 420), recent).speaker == "Piet Olsen"
    recent.append((500, "Kim Lee", "person"))  # nothing says which pronoun Kim Lee takes
    assert resolver.resolve(_candidate("she", "pronoun", 600), recent).speaker == "Kim Lee"


def test_a_name_tagged_as_an_organisation_beside_a_persons_role_is_a_person() -> None:
    text = "The Water Board spokeswoman, Mirela Vostok, put the number at 300. Vostok said so. Orlen Water said no."
    start = text.index("Mirela")
    entities = [
        EntityMention(span=(start, start + 13), text="Mirela Vostok", label="ORG"),
        EntityMention(span=(text.index("Vostok s"), text.index("Vostok s") + 6), text="Vostok", label="ORG"),
        EntityMention(span=(text.index("Orlen"), text.index("Orlen") + 11), text="Orlen Water", label="ORG"),
    ]
    resolver = SpeakerResolver(entities, text)
    recent: list[tuple[int, str, str]] = []
    vostok = resolver.resolve(_candidate("Vostok", "nominal", text.index("Vostok s")), recent)
    assert vostok == Resolution("Mirela Vostok", "Water Board spokeswoman")
    assert resolver.is_person("Mirela Vostok") and not resolver.is_person("Orlen Water")
    recent.append((text.index("Vostok s"), "Mirela Vostok", "person"))
    assert resolver.resolve(_candidate("he", "pronoun", len(text)), recent).speaker != "Mirela Vostok"
