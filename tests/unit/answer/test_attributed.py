"""Attributed claim checks, one test per outcome. FICTIONAL: every name and figure is invented."""

from __future__ import annotations

from bot.answer.attributed import check_attribution
from bot.answer.checks import Evidence
from bot.answer.claimparse import parse_claim
from bot.attribution.names import SpeakerIndex
from bot.attribution.quantities import find_quantities
from bot.model import Claim

SPEAKERS = SpeakerIndex(
    {"Ida Lunde": 3, "Tomas Brel": 2, "Tarn ministry": 1},
    {"Ida Lunde": {"Tarn ministry spokeswoman"}, "Tomas Brel": {"mayor"}},
)


def said(
    speaker: str, content: str, *, stance: str = "asserts", cue: str = "said", role: str | None = None, at: int = 0
) -> Claim:
    return Claim(
        speaker=speaker, speaker_mention=speaker, source_span=(at, at + 5), cue=cue, cue_span=(at + 6, at + 10),
        content=content, content_spans=((at + 11, at + 11 + len(content)),), kind="indirect", stance=stance, role=role,
        quantities=find_quantities(content, ((0, len(content)),)), article_id="a1",
    )


LUNDE = said("Ida Lunde", "the Harl bridge will close for six weeks in May", role="Tarn ministry spokeswoman")
BREL = said("Tomas Brel", "40 people were injured near the Harl bridge")
BREL_DENIAL = said("Tomas Brel", "the closure was planned to help his campaign", stance="denies", cue="denied")


def check(text: str, *items: tuple[Claim, float]) -> tuple[str, object]:
    evidence = [Evidence(c, relevance, i, context=c.content) for i, (c, relevance) in enumerate(items)]
    result = check_attribution(parse_claim(text), evidence, speakers=SPEAKERS)
    return result.verdict, result.attribution


def test_supported_when_the_claimed_speaker_said_it() -> None:
    verdict, finding = check("Lunde said the Harl bridge will close for six weeks in May", (LUNDE, 0.95))
    assert verdict == "supported"
    assert finding.claimed_speaker == "Ida Lunde" and finding.match == "exact"  # type: ignore[attr-defined]


def test_a_role_and_an_organisation_resolve_to_their_speaker() -> None:
    # a role's qualifier ("ministry") names the organisation; the description means its spokeswoman
    assert SPEAKERS.resolve("The ministry spokeswoman") == "Ida Lunde"
    assert SPEAKERS.resolve("The Tarn ministry") == "Tarn ministry"
    assert check("The ministry spokeswoman said the Harl bridge will close for six weeks in May", (LUNDE, 0.95))[0] == (
        "supported"
    )
    assert check("The Tarn ministry said the Harl bridge will close for six weeks in May", (LUNDE, 0.95))[0] == (
        "supported"
    )


def test_a_description_headed_by_what_someone_does_means_that_person() -> None:
    speakers = SpeakerIndex(
        {"Odile Varn": 2, "Harl Weather Office": 1, "Bram Holt": 1},
        {"Odile Varn": {"senior forecaster at the Harl Weather Office"}, "Bram Holt": {"the other"}},
    )
    assert speakers.resolve("The Weather Office forecaster") == "Odile Varn"
    assert speakers.resolve("the Harl Weather Office") == "Harl Weather Office"
    assert speakers.by_role("the other") is None  # a word that names no role


def test_misattributed_names_who_said_it() -> None:
    verdict, finding = check("Brel said the Harl bridge will close for six weeks in May", (LUNDE, 0.95), (BREL, 0.3))
    assert verdict == "misattributed"
    assert finding.found.claim.speaker == "Ida Lunde"  # type: ignore[attr-defined]
    assert [d.kind for d in finding.differences] == ["speaker"]  # type: ignore[attr-defined]


def test_misquoted_figure_and_place() -> None:
    verdict, finding = check("Brel said 400 people were injured near the Harl bridge", (BREL, 0.9))
    assert verdict == "misquoted"
    assert [(d.kind, d.claimed, d.found) for d in finding.differences] == [("figure", "400", "40")]  # type: ignore[attr-defined]
    verdict, finding = check("Lunde said the Harl bridge will close for six weeks in June", (LUNDE, 0.9))
    assert verdict == "misquoted" and finding.differences[0].kind == "date"  # type: ignore[attr-defined]


def test_a_denial_claimed_as_an_assertion_is_contradicted_and_restated_is_supported() -> None:
    assert check("Brel admitted the closure was planned to help his campaign", (BREL_DENIAL, 0.9))[0] == "contradicted"
    assert check("Brel denied the closure was planned to help his campaign", (BREL_DENIAL, 0.9))[0] == "supported"


def test_a_dropped_negation_is_a_misquote() -> None:
    calm = said("Ida Lunde", "the Harl bridge is not at risk of collapse")
    verdict, finding = check("Lunde said the Harl bridge is at risk of collapse", (calm, 0.9))
    assert verdict == "misquoted" and finding.differences[0].kind == "negation"  # type: ignore[attr-defined]


def test_unverified_when_nobody_said_it_and_never_said_inverts() -> None:
    verdict, finding = check("Lunde said the Harl bridge was sold to Velmar", (BREL, 0.2))
    assert verdict == "unverified" and finding.match == "none" and finding.found is None  # type: ignore[attr-defined]
    assert check("Lunde never said the Harl bridge will close for six weeks in May", (LUNDE, 0.95))[0] == "contradicted"
    assert check("Brel never said the Harl bridge will close for six weeks in May", (LUNDE, 0.95))[0] == "unverified"


def test_a_question_put_to_a_speaker_is_not_their_claim() -> None:
    asked = said("Tomas Brel", "whether the bridge will close in May", stance="asks", cue="Asked")
    assert check("Brel said the bridge will close in May", (asked, 0.95))[0] == "unverified"


def test_a_denial_by_the_speakers_organisation_outranks_a_negation_in_their_words() -> None:
    # Lunde's own words negate it; her ministry denied it: "Lunde said C" is contradicted, not misquoted.
    negated = said("Ida Lunde", "at no point was the Harl bridge closed to lorries", role="Tarn ministry spokeswoman")
    denial = said("Tarn ministry", "that the Harl bridge was closed to lorries", stance="denies", cue="denied")
    claim = "The ministry spokeswoman said the Harl bridge was closed to lorries"
    assert check(claim, (negated, 0.9))[0] == "misquoted"
    verdict, finding = check(claim, (negated, 0.9), (denial, 0.8))
    assert verdict == "contradicted" and finding.found.claim is denial  # type: ignore[attr-defined]


def test_of_two_near_equal_records_the_one_with_the_claims_words_decides() -> None:
    other = said("Ida Lunde", "its records showed the last Harl bridge survey was in 2021")
    quoted = said("Ida Lunde", "we have no record of a survey of the Harl bridge in January")
    claim = "Lunde said the ministry has a record of a survey of the Harl bridge in January"
    verdict, finding = check(claim, (other, 0.73), (quoted, 0.72))
    assert verdict == "misquoted" and finding.found.claim is quoted  # type: ignore[attr-defined]
    assert finding.differences[0].kind == "negation"  # type: ignore[attr-defined]


def test_another_direction_or_time_of_day_is_a_misquote() -> None:
    north = said("Tomas Brel", "rescuers reached the northern quay on Friday afternoon")
    verdict, finding = check("Brel said rescuers reached the southern quay on Friday afternoon", (north, 0.9))
    assert verdict == "misquoted"
    assert [(d.kind, d.claimed, d.found) for d in finding.differences] == [("place", "southern", "northern")]  # type: ignore[attr-defined]
    verdict, finding = check("Brel said rescuers reached the northern quay on Friday morning", (north, 0.9))
    assert verdict == "misquoted" and finding.differences[0].kind == "date"  # type: ignore[attr-defined]


def test_words_the_article_reports_as_a_denial_contradict_the_claim_they_reverse() -> None:
    quote = said("Ida Lunde", '"Nothing about a cracked pillar on the Harl bridge ever reached this ministry,"')
    denial = said("Ida Lunde", "that the ministry had received the engineers' letter", stance="denies", cue="denied")
    claim = "Ida Lunde said a warning about a cracked pillar on the Harl bridge had reached the ministry"
    verdict, finding = check(claim, (quote, 0.76), (denial, 0.55))
    assert verdict == "contradicted" and finding.found.claim is quote  # type: ignore[attr-defined]
    assert check(claim, (quote, 0.76))[0] == "misquoted"  # her words reversed, but no denial on record
    # A claim that adds the negation misquotes words that had none, denial or not.
    plain = said("Ida Lunde", "the ministry would pay for the repairs to the Harl bridge")
    assert check("Ida Lunde said the ministry would not pay for the repairs to the Harl bridge",
                 (plain, 0.8), (denial, 0.5))[0] == "misquoted"


def test_a_company_quoted_by_its_short_name_is_the_company_the_claim_names() -> None:
    index = SpeakerIndex({"Harl Water": 1, "Harl": 2, "Harl General Hospital": 1})
    short = said("Harl", "The plant supplies about 18,000 households")
    evidence = [Evidence(short, 0.61, 0, context=short.content)]
    claim = parse_claim("According to Harl Water, the plant supplies about 18,000 households")
    assert check_attribution(claim, evidence, speakers=index).verdict == "supported"
    hospital = parse_claim("According to Harl General Hospital, the plant supplies about 18,000 households")
    assert check_attribution(hospital, evidence, speakers=index).verdict != "supported"  # a place is no short name


def test_a_negation_is_read_in_the_clause_it_governs() -> None:
    # The claim shares more words with the first clause; the negation sits in the second.
    audit = said("Tomas Brel", "the last survey of the Harl bridge was carried out in 2022 and found no serious cracks")
    verdict, finding = check("Brel said the 2022 survey of the Harl bridge found serious cracks", (audit, 0.95))
    assert verdict == "misquoted" and finding.differences[0].kind == "negation"  # type: ignore[attr-defined]
    restated = "Brel said the 2022 survey of the Harl bridge found no serious cracks"
    assert check(restated, (audit, 0.95))[0] == "supported"
    card = said("Tomas Brel", "the council had shut the Harl bridge on Sunday and that it had still not been reopened")
    assert check("Brel said the Harl bridge had been reopened", (card, 0.8))[0] == "misquoted"


def test_a_denial_of_another_matter_does_not_outrank_a_misquote_of_the_words() -> None:
    # Brel denied one report; the claim reverses other words of his, which it quotes nearly whole.
    audit = said("Tomas Brel", "the last survey of the Harl bridge was carried out in 2022 and found no serious cracks")
    other = said("Tomas Brel", "a report that the council had let the Harl bridge survey be put off", stance="denies",
                 cue="denied", at=200)
    claim = "Brel said the 2022 survey of the Harl bridge found serious cracks"
    assert check(claim, (audit, 0.95), (other, 0.8))[0] == "misquoted"


def test_a_reported_denial_counts_only_beside_the_words_it_reports() -> None:
    beside = said("Ida Lunde", "that the ministry had received the engineers' letter", stance="denies", cue="denied")
    quote = said("Ida Lunde", '"Nothing about a cracked pillar on the Harl bridge ever reached this ministry,"',
                 at=beside.end + 2)  # the next sentence
    claim = "Ida Lunde said a warning about a cracked pillar on the Harl bridge had reached the ministry"
    far = said("Ida Lunde", "that the ministry had received the engineers' letter", stance="denies", cue="denied",
               at=600)
    assert check(claim, (quote, 0.76), (beside, 0.55))[0] == "contradicted"
    assert check(claim, (quote, 0.76), (far, 0.55))[0] == "misquoted"


def test_a_record_with_the_claims_words_decides_under_a_closer_embedding_one() -> None:
    # The closest record of Lunde's is a denial of another matter; the one with the words differs in the day.
    other = said("Ida Lunde", "that the ministry had ever had a complaint about the Harl bridge", stance="denies",
                 cue="denied")
    notice = said("Ida Lunde", "the engineers' notice reached us at seven o'clock on Monday evening", at=300)
    claim = "Lunde said the engineers' notice reached the ministry at seven o'clock on Tuesday evening"
    verdict, finding = check(claim, (other, 0.68), (notice, 0.59))
    assert verdict == "misquoted" and finding.found.claim is notice  # type: ignore[attr-defined]
    assert [d.kind for d in finding.differences] == ["date"]  # type: ignore[attr-defined]


def test_confirming_an_exact_figure_for_a_bound_is_a_stronger_cue() -> None:
    bound = said("Ida Lunde", "at least 2,300 people were affected by the Harl bridge closure")
    verdict, finding = check("Ida Lunde confirmed that 2,300 people were affected by the Harl bridge closure",
                             (bound, 0.9))
    assert verdict == "misquoted"
    assert [(d.kind, d.found) for d in finding.differences] == [("cue", "at least 2,300")]  # type: ignore[attr-defined]
    assert check("Ida Lunde said at least 2,300 people were affected by the Harl bridge closure",
                 (bound, 0.9))[0] == "supported"


def test_a_vaguer_record_does_not_confirm_a_date_the_speakers_own_account_gives_otherwise() -> None:
    headline = said("Tomas Brel", "he warned the contractor in April about the Harl bridge")
    account = said("Tomas Brel", "he had emailed the contractor's engineers on April 14 about cracks", at=200)
    text = "Brel said he sent his warning about the Harl bridge to the contractor on April 4"
    verdict, finding = check(text, (headline, 0.66), (account, 0.42))
    assert verdict == "misquoted"
    assert [(d.kind, d.claimed, d.found) for d in finding.differences] == [  # type: ignore[attr-defined]
        ("date", "April 4", "April 14")
    ]
    # the true date is confirmed by the same account, whatever the vaguer headline says
    assert check(text.replace("April 4", "April 14"), (headline, 0.66), (account, 0.42))[0] == "supported"


def test_a_share_in_words_is_a_figure_to_misquote() -> None:
    record = said("Tomas Brel", "the city had cut the bridge office's budget by a fifth in 2022")
    verdict, finding = check("Brel said the city had cut the bridge office's budget by a third in 2022", (record, 0.8))
    assert verdict == "misquoted"
    assert [(d.kind, d.claimed, d.found) for d in finding.differences] == [  # type: ignore[attr-defined]
        ("figure", "a third", "a fifth")
    ]


def test_a_negation_of_the_very_thing_the_record_says_is_a_misquote() -> None:
    record = said("Tomas Brel", "he had photographs of the cracks, taken in February, which he gave to the police")
    verdict, finding = check("Brel said he had no photographs of the cracks near the pier", (record, 0.5))
    assert verdict == "misquoted"
    assert [d.kind for d in finding.differences] == ["negation"]  # type: ignore[attr-defined]
    # a negation of another thing, on a record merely about the same topic, decides nothing
    other = said("Tomas Brel", "the cracks near the pier were photographed by the police in February")
    assert check("Brel said he had no interest in the pier", (other, 0.5))[0] == "unverified"


def test_a_speaker_known_only_by_a_role_is_not_the_person_a_claim_names_after_it() -> None:
    speakers = SpeakerIndex(
        {"Transport minister": 1, "Ida Lunde": 2, "Harl chief": 1, "Odile Varn": 1, "Tarn ministry": 1},
        {"Odile Varn": {"chief inspector of the Harl Rail Inspectorate"}},
    )
    assert speakers.resolve("Transport Minister Ida Lunde") == "Ida Lunde"
    assert speakers.resolve("the Transport minister") == "Transport minister"
    # a role's last word is no surname: "chief inspector" is Varn's, not the speaker left as "Harl chief"
    assert speakers.resolve("The Harl Rail Inspectorate's chief inspector") == "Odile Varn"
    assert speakers.resolve("the ministry") == "Tarn ministry"  # an organisation's head noun still is


def test_a_description_a_speaker_was_resolved_from_does_not_make_them_speak_for_whom_it_names() -> None:
    # FICTIONAL: descriptions that resolved (rightly or not) to Vera Holm. "The Brel campaign" is a
    # body, not a role in it; a relative clause after a name is no role; "The" is no body's name.
    speakers = SpeakerIndex(
        {"Vera Holm": 4, "Tomas Brel": 3, "Anders Lind": 2, "The Harl Revenue Office": 1},
        {
            "Vera Holm": {"The Brel campaign", "the Holm campaign", "Democratic candidate"},
            "Anders Lind": {"Dr. Anders Lind, who as a navy captain was the physician of former mayor Tomas Brel"},
        },
    )
    words = "Tomas Brel never paid the bridge tax in Harl"
    holm = said("Vera Holm", words, role="Democratic candidate")
    lind = said("Anders Lind", words)
    for text, evidence in (
        (f"Brel said that {words}", holm),  # Holm's words, not Brel's
        (f"The Harl Revenue Office said that {words}", holm),
        (f"Brel said that {words}", lind),
    ):
        result = check_attribution(parse_claim(text), [Evidence(evidence, 0.95, 0, context=words)], speakers=speakers)
        assert result.verdict == "misattributed", (text, evidence.speaker)
    assert speakers.speaks_for("Vera Holm", "the Holm campaign")  # her own campaign is still hers
    assert speakers.roles("Anders Lind") == ()  # "Dr. Anders Lind" is a name, and the clause no role
