"""Claim-check verdicts. FICTIONAL: every name, place and number below is invented."""

from __future__ import annotations

from bot.answer.checks import (
    Evidence,
    check_verdict,
    compatible,
    counted_key,
    findings_text,
    quantity_range,
)
from bot.answer.compare import CERTAIN_STANCES, DENIAL_STANCES, HEDGED_STANCES, NON_CLAIM_STANCES
from bot.attribution.lexicon import CUE_NOUNS, CUE_VERBS
from bot.model import Claim, Quantity

MINISTRY = "Velmar defence ministry"
ALLIANCE = "Alliance officials"


def quantity(text: str, value: float, counted: str | None = "soldiers", unit: str | None = None) -> Quantity:
    approximate = not text[0].isdigit()
    return Quantity(value=value, text=text, span=(0, len(text)), unit=unit, counted=counted, approximate=approximate)


def claim(
    speaker: str | None, content: str, *quantities: Quantity, stance: str = "asserts", negated: bool = False
) -> Claim:
    return Claim(
        speaker=speaker, speaker_mention=speaker, source_span=(0, 5), cue="said", cue_span=(6, 10),
        content=content, content_spans=((11, 11 + len(content)),), kind="indirect", stance=stance,
        negated=negated, quantities=quantities,
    )


def evidence(item: Claim, citation: int, relevance: float = 0.9) -> Evidence:
    return Evidence(claim=item, relevance=relevance, citation=citation)


MINISTRY_498 = claim(MINISTRY, "498 soldiers died near Oskova", quantity("498", 498))
ALLIANCE_15000 = claim(ALLIANCE, "up to 15,000 soldiers were killed", quantity("up to 15,000", 15000))
OBSERVERS_1351 = claim("Oskova Watch", "1,351 soldiers died", quantity("1,351", 1351))


def test_supported_when_relevant_sources_assert_it() -> None:
    result = check_verdict("The ministry said 498 soldiers died near Oskova", [evidence(MINISTRY_498, 1)])
    assert result.verdict == "supported"
    assert [a.reason for a in result.assessments] == ["same figure"]
    assert result.conflicts == ()


def test_a_third_party_denial_contradicts() -> None:
    denial = claim("Oskova Watch", "Velmar troops shelled the Oskova hospital", stance="denies")
    result = check_verdict("Velmar troops shelled the Oskova hospital", [evidence(denial, 1)])
    assert result.verdict == "contradicted"
    assert result.contradicting[0].reason == "denies"


def test_a_party_denying_its_own_conduct_is_a_position_not_a_verdict() -> None:
    denial = claim(MINISTRY, "its troops shelled the Oskova hospital", stance="denies")
    result = check_verdict("Velmar troops shelled the Oskova hospital", [evidence(denial, 1)])
    assert result.verdict == "unverified"
    assert [a.evidence.citation for a in result.positions] == [1] and result.positions[0].own
    restated = check_verdict("Velmar troops did not shell the Oskova hospital", [evidence(denial, 1)])
    assert restated.verdict == "unverified"  # its own denial never alone makes the claim supported
    accused = claim("Oskova Watch", "Velmar troops shelled the Oskova hospital")
    both = check_verdict("Velmar troops shelled the Oskova hospital", [evidence(accused, 1), evidence(denial, 2)])
    assert both.verdict == "disputed"


def test_negation_inside_the_source_content_is_read() -> None:
    calm = claim("Oskova Watch", "western sanctions do not pose a threat to Velmar, as it has prepared")
    assert check_verdict("Western sanctions pose a threat to Velmar", [evidence(calm, 1)]).verdict == "contradicted"
    assert check_verdict("Western sanctions do not pose a threat to Velmar", [evidence(calm, 1)]).verdict == "supported"
    negated_cue = claim("Oskova Watch", "the hospital was shelled", negated=True)  # "did not say that ..."
    assert check_verdict("The hospital was shelled", [evidence(negated_cue, 1)]).verdict == "contradicted"


def test_another_place_is_never_support() -> None:
    found = claim(None, "26 bodies were found in Tarnow", quantity("26", 26, counted="bodies"))
    silent = claim(None, "26 bodies were found", quantity("26", 26, counted="bodies"))
    assert check_verdict("26 bodies were found in Oskova", [evidence(found, 1)]).verdict == "unverified"
    assert check_verdict("26 bodies were found in Oskova", [evidence(silent, 1)]).verdict == "unverified"
    assert check_verdict("26 bodies were found in Tarnow", [evidence(found, 1)]).verdict == "supported"


def test_disputed_when_figures_from_different_speakers_disagree() -> None:
    items = [evidence(ALLIANCE_15000, 1), evidence(MINISTRY_498, 2, relevance=0.8)]
    result = check_verdict("Velmar lost 498 soldiers", items)
    assert result.verdict == "disputed"
    assert [(g.speaker, g.position) for g in result.by_speaker] == [(ALLIANCE, "contradicts"), (MINISTRY, "supports")]
    (conflict,) = result.conflicts
    assert conflict.counted == "soldier"
    assert [(f.speaker, f.text, f.citation) for f in conflict.figures] == [
        (ALLIANCE, "up to 15,000", 1), (MINISTRY, "498", 2),
    ]
    assert "Alliance officials: up to 15,000 [1]; Velmar defence ministry: 498 [2]" in findings_text(result)


def test_three_way_conflict_is_one_group() -> None:
    items = [evidence(MINISTRY_498, 1), evidence(OBSERVERS_1351, 2), evidence(ALLIANCE_15000, 3)]
    result = check_verdict("Velmar lost 1,351 soldiers", items)
    assert result.verdict == "disputed"
    assert [f.value for f in result.conflicts[0].figures] == [498, 1351, 15000]


def test_contradicted_when_every_figure_differs() -> None:
    items = [evidence(MINISTRY_498, 1), evidence(ALLIANCE_15000, 2)]
    result = check_verdict("Velmar lost 40,000 soldiers", items)
    assert result.verdict == "contradicted"
    assert {a.reason for a in result.assessments} == {"different figure"}


def test_claim_without_figure_is_supported_but_conflicts_are_reported() -> None:
    items = [evidence(MINISTRY_498, 1), evidence(ALLIANCE_15000, 2)]
    result = check_verdict("Velmar soldiers died near Oskova", items)
    assert result.verdict == "supported"
    assert len(result.conflicts) == 1


def test_unnamed_figure_joins_the_only_counted_group() -> None:
    toll = claim("Oskova Watch", "the toll was 1,351", quantity("1,351", 1351, counted=None))
    result = check_verdict("Soldiers died near Oskova", [evidence(MINISTRY_498, 1), evidence(toll, 2)])
    assert [f.value for f in result.conflicts[0].figures] == [498, 1351]


def test_unverified_when_nothing_is_relevant() -> None:
    result = check_verdict("Velmar lost 498 soldiers", [evidence(MINISTRY_498, 1, relevance=0.2)])
    assert result.verdict == "unverified"
    assert result.assessments == () and result.by_speaker == ()
    assert check_verdict("anything", []).verdict == "unverified"


def test_hedged_figures_become_ranges() -> None:
    assert quantity_range(quantity("up to 15,000", 15000)) == (7500, 15000)
    assert quantity_range(quantity("more than 40", 40)) == (40, 80)
    assert quantity_range(quantity("about 500", 500)) == (450, 550)
    assert compatible(quantity("about 500", 500), quantity("498", 498))
    assert not compatible(quantity("up to 15,000", 15000), quantity("498", 498))


def test_units_must_match() -> None:
    share = claim(MINISTRY, "40 percent of the soldiers died", quantity("40 percent", 40, counted=None, unit="percent"))
    assert check_verdict("40 soldiers died", [evidence(share, 1)]).verdict == "supported"


def test_counted_things_are_compared_without_plurals() -> None:
    assert counted_key("Casualties") == counted_key("casualty") == "casualty"
    assert counted_key("wounded soldiers") == "wounded soldier"
    assert counted_key("people") == "person"
    assert counted_key("boxes") == "box" and counted_key("census") == "census"
    assert counted_key(None) is None


def test_every_stance_the_checks_read_is_one_the_lexicon_emits() -> None:
    emitted = set(CUE_VERBS.values()) | set(CUE_NOUNS.values())
    assert emitted >= DENIAL_STANCES | NON_CLAIM_STANCES | CERTAIN_STANCES | HEDGED_STANCES


def test_a_minister_speaks_for_the_government_and_an_executive_for_the_company() -> None:
    from dataclasses import replace

    from bot.answer.compare import own_conduct

    minister = replace(claim("Ada Rensk", "The ministry never received any warning about the depot"),
                       role="Interior Minister")
    assert own_conduct(minister)
    assert check_verdict("The government was never warned about the depot", [evidence(minister, 1)]).verdict == (
        "unverified"
    )
    chief = replace(claim("Ola Brekk", "that night-shift workers had been told to keep working", stance="denies"),
                    role="chief executive of Tarn Chemicals")
    assert own_conduct(chief)
    quoted = replace(claim("Ivo Marr", '"At no point did police officers fire on the crowd'),
                     role="Interior Ministry spokesman")
    assert own_conduct(quoted)
    witness = replace(claim("Ina Holm", "the government had been warned about the depot"), role="resident")
    assert not own_conduct(witness)
