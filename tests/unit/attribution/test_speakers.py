"""Speakers beyond recency: organisations the tagger calls people, descriptions named later,
"the company" and "the ministry", a person in apposition to their group, and Q/A transcripts.

FICTIONAL article written for these tests: every name, place, company and number is invented.
"""

from __future__ import annotations

import pytest

from bot.attribution import AttributionExtractor
from bot.model import Claim

ARTICLE = """Harlow Rail to cut fares after derailment

KESTON, May 4 (Valley Wire) — Harlow Rail will cut fares on the coast line by a fifth until the \
autumn, its chief executive said on Monday, as commuters in Dellby counted a third week of delays.

Marta Quinlan told reporters at the station that the cut would cost Harlow Rail about 6 million \
crowns. Asked whether Harlow had ignored warnings about the track, she replied: "No. Every warning \
was acted on."

Harlow Rail said the storm had loosened the embankment. The company said it had told the Transport \
Ministry about the damage on Friday.

The ministry said it first heard of the damage on Sunday.

Piet Ostrander, the coordinator of the passengers' group Coastline Voice, said the delays had cost \
commuters far more. Edda Lorne, 61, who has commuted from Dellby for a decade, said she had stopped \
taking the train. The group says at least 900 people missed work last week.

Q: Will the line reopen this month?

A: No. The embankment has to be rebuilt first. I expect the work to take six weeks.
"""


@pytest.fixture(scope="module")
def claims(extractor: AttributionExtractor) -> list[Claim]:
    return extractor.extract(ARTICLE)


def said(claims: list[Claim], opening: str) -> list[Claim]:
    found = [c for c in claims if c.content.startswith(opening)]
    assert found, f"no claim opens with {opening!r}"
    return found


def test_a_lead_s_unnamed_speaker_is_the_person_named_next(claims: list[Claim]) -> None:
    (lead,) = said(claims, "Harlow Rail will cut fares")
    assert lead.speaker == "Marta Quinlan" and lead.speaker_mention == "its chief executive"
    assert lead.role == "Harlow Rail's chief executive"  # "its" is the company the sentence opens with


def test_an_age_beside_a_name_is_no_role(claims: list[Claim]) -> None:
    (commuter,) = said(claims, "she had stopped taking the train")
    assert commuter.speaker == "Edda Lorne" and commuter.role is None  # "Edda Lorne, 61, who ...": no role


def test_a_pronoun_never_refers_to_an_organisation(claims: list[Claim]) -> None:
    # "Asked whether Harlow had ignored warnings, she replied": Harlow is the company, she is Quinlan.
    assert {c.speaker for c in said(claims, "Harlow had ignored")} == {"Marta Quinlan"}
    assert all(c.speaker != "Harlow" for c in claims)


def test_the_company_and_the_ministry_are_the_organisations_they_refer_to(claims: list[Claim]) -> None:
    (company,) = said(claims, "it had told the Transport Ministry")
    assert company.speaker == "Harlow Rail"  # the organisation that spoke last, not the place or the ministry
    (ministry,) = said(claims, "it first heard of the damage")
    assert ministry.speaker == "Transport Ministry"


def test_a_person_in_apposition_to_their_group_speaks_and_the_group_is_their_role(claims: list[Claim]) -> None:
    (coordinator,) = said(claims, "the delays had cost")
    assert coordinator.speaker == "Piet Ostrander"
    assert coordinator.role == "coordinator of the passengers' group Coastline Voice"
    (group,) = said(claims, "at least 900 people")
    assert group.speaker == "Coastline Voice"  # "The group says": the group in the last speaker's role


def test_a_transcript_s_answers_are_the_interviewee_s(claims: list[Claim]) -> None:
    answers = [c for c in claims if c.cue == "answered"]
    assert {c.speaker for c in answers} == {"Marta Quinlan"}
    whole = next(c for c in answers if c.stance == "asserts")
    assert whole.content.startswith("No. The embankment") and whole.kind == "direct"
    assert ARTICLE[slice(*whole.content_spans[0])] == whole.content  # exact span
    (denial,) = [c for c in answers if c.stance == "denies"]
    assert denial.content == "Will the line reopen this month"  # the question answered "No"
    (estimate,) = said(claims, "the work to take six weeks")
    assert estimate.speaker == "Marta Quinlan"  # "I" inside an answer, not the last speaker named


def test_an_article_without_answers_gets_no_transcript_claims(extractor: AttributionExtractor) -> None:
    text = "Q: a question with no answer label anywhere.\n\nThe mayor, Ada Lind, said the bridge was safe."
    assert all(c.cue != "answered" for c in extractor.extract(text))


NAMESAKES = """Two Velders on the harbour plan

Anneke Velder, the harbour board's chair, said the new quay would open in June. Velder said the \
board had found the money.

Her brother, Joost Velder, who runs the ferry company, said the plan would cost him customers. \
Velder said the quay would take his berths.
"""


def test_a_shared_surname_is_the_namesake_named_last_before_it(extractor: AttributionExtractor) -> None:
    # The same answer on every run too: which namesake won was a set's hash order before.
    speakers = [c.speaker for c in extractor.extract(NAMESAKES)]
    assert speakers == ["Anneke Velder", "Anneke Velder", "Joost Velder", "Joost Velder"]


ROLES = """Regulator denies delaying audit

The Harbour Safety Office, which inspects the port's cranes, is under pressure. Its director, \
Orla Wendt, denied that the office had delayed an inspection. A spokeswoman for the Port \
Ministry, Ines Tallow, said the ministry had not been told. "We heard on Monday," Tallow said. \
"Every warning was checked, including Mr Brandt's," she added.
"""


def test_its_role_names_the_organisation_and_a_role_before_a_name_is_the_name_s(
    extractor: AttributionExtractor,
) -> None:
    claims = extractor.extract(ROLES)
    assert ("Orla Wendt", "Harbour Safety Office's director") in {(c.speaker, c.role) for c in claims}
    tallow = [c for c in claims if "Tallow" in (c.speaker_mention or "") or "spokeswoman" in (c.speaker_mention or "")]
    assert len(tallow) >= 2
    assert all(c.speaker == "Ines Tallow" and (c.role or "").startswith("spokeswoman") for c in tallow)
    assert all(c.role != "'s" for c in claims)  # "including Mr Brandt's": a possessive is no role


def test_a_name_the_tagger_missed_after_a_role_is_the_speaker(extractor: AttributionExtractor) -> None:
    text = ('A spokeswoman for the Finance Ministry, Ines Carrow, denied reports that the plan was dead. '
            '"Not one crown," Carrow said.')
    claims = extractor.extract(text)
    assert [(c.speaker, c.role) for c in claims] == [("Ines Carrow", "spokeswoman for the Finance Ministry")] * 2


INTERVIEW = """Harbour Commissioner Wendt: "Every crane was inspected"

KESTON, May 4 (Valley Wire) — The Harbour Commissioner, Orla Wendt, said on Monday that the port \
was safe, in an interview with Valley Radio.

Q: How many cranes failed the inspection?

A: Our own figures show that only two cranes failed, and both were repaired.

Q: It has been reported that your office ignored a warning about the cranes. Did it?

A: That is simply untrue. We acted on the same day.
"""


def test_an_interview_s_titled_name_our_figures_and_a_reported_claim_put_to_the_interviewee(
    extractor: AttributionExtractor,
) -> None:
    claims = extractor.extract(INTERVIEW)
    # "Harbour Commissioner Wendt" in the headline is Orla Wendt, and so is "Our own figures".
    assert {c.speaker for c in claims if c.speaker} == {"Orla Wendt"}  # the question is nobody's
    (denial,) = [c for c in claims if c.stance == "denies"]
    assert denial.content == "your office ignored a warning about the cranes"


# FICTIONAL sentences: the union, its president and the survey are invented.
RELATIVE = """Ferry workers back pay deal

The deal was welcomed by the Ostreva ferry union's president, Mirela Sand, who said the offer was \
fair to every deckhand. A survey by the Tidewater Institute, which found that fares rose by a third, \
was published on Monday.
"""


def test_a_relative_pronoun_s_claim_is_the_person_or_body_it_stands_for(extractor: AttributionExtractor) -> None:
    by_cue = {c.cue: c for c in extractor.extract(RELATIVE)}
    said, found = by_cue["said"], by_cue["found"]
    assert said.speaker == "Mirela Sand" and said.speaker_mention == "who"  # as written, as a "he" is
    assert "fair to every deckhand" in said.content
    assert found.speaker == "Tidewater Institute" and "fares rose by a third" in found.content
    assert found.speaker_mention == "which"
