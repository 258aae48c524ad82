"""Reading a claim against a source: opposite words, double negations, suppositions, counts of
different events, and a party's other words. FICTIONAL: every name and figure is invented."""

from __future__ import annotations

from dataclasses import replace

from bot.answer.attributed import check_attribution
from bot.answer.checks import Evidence, check_verdict
from bot.answer.claimparse import parse_claim
from bot.answer.compare import compare, defends, own_conduct, subject_shared
from bot.attribution.lexicon import negated
from bot.attribution.names import SpeakerIndex
from bot.attribution.quantities import (
    compatible,
    find_quantities,
    matching_quantities,
    parse_quantities,
    quantity_range,
)
from bot.model import Claim

SPEAKERS = SpeakerIndex({"Ida Lunde": 3, "Tomas Brel": 2, "Vera Holt": 2}, {"Ida Lunde": {"Tarn Water spokeswoman"}})


def said(speaker: str, content: str, *, stance: str = "asserts", role: str | None = None) -> Claim:
    return Claim(
        speaker=speaker, speaker_mention=speaker, source_span=(0, 5), cue="said", cue_span=(6, 10), content=content,
        content_spans=((11, 11 + len(content)),), kind="indirect", stance=stance, role=role,
        quantities=find_quantities(content, ((0, len(content)),)), article_id="a1",
    )


def attributed(text: str, *items: tuple[Claim, float]) -> tuple[str, object]:
    evidence = [Evidence(c, relevance, i, context=c.content) for i, (c, relevance) in enumerate(items)]
    result = check_attribution(parse_claim(text), evidence, speakers=SPEAKERS)
    return result.verdict, result.attribution


def bare(text: str, *items: tuple[Claim, float]) -> str:
    evidence = [Evidence(c, relevance, i, context=c.content) for i, (c, relevance) in enumerate(items)]
    return check_verdict(text, evidence, speakers=SPEAKERS).verdict


def test_a_negation_is_read_by_its_parity() -> None:
    assert negated("staff were told not to report leaks")
    assert not negated("Nobody at Tarn Water was ever told not to report a leak")
    assert negated("neither the mayor nor the council knew")  # one negation, not two


def test_a_word_of_opposite_sense_reverses_the_statement() -> None:
    source = said("Ida Lunde", "the crews had been right to keep residents out until the site was safe")
    verdict, finding = attributed("Lunde said the crews were wrong to keep residents out of the site", (source, 0.8))
    assert verdict == "misquoted" and finding.differences[0].kind == "negation"  # type: ignore[attr-defined]
    same = attributed("Lunde said the crews had been right to keep residents out", (source, 0.8))[0]
    assert same == "supported"


def test_a_supposition_or_a_possibility_is_not_a_confirmation() -> None:
    conditional = said("Vera Holt", '"If this memo is genuine, someone at Tarn Water has a lot to explain"')
    verdict, finding = attributed("Vera Holt confirmed that the memo is genuine", (conditional, 0.8))
    assert verdict == "misquoted" and finding.differences[0].kind == "cue"  # type: ignore[attr-defined]
    possible = said("Tomas Brel", "Tarn Water could face fines large enough to close it")
    assert attributed("Brel said Tarn Water will face fines large enough to close it", (possible, 0.85))[0] == (
        "misquoted"
    )
    assert attributed("Brel said Tarn Water could face fines large enough to close it", (possible, 0.85))[0] == (
        "supported"
    )


def test_the_claimed_speakers_own_stand_outranks_closer_words_of_someone_else() -> None:
    accuser = said("Tomas Brel", "that staff had been told not to log small leaks")
    denial = said("Ida Lunde", '"Nobody at Tarn Water was ever told not to report a leak. That claim is false,"')
    evidence = ((accuser, 0.81), (denial, 0.57))
    restated = attributed("Ida Lunde denied that staff were told not to report leaks", *evidence)
    assert restated[0] == "supported" and restated[1].found.claim is denial  # type: ignore[attr-defined]
    assert attributed("Ida Lunde admitted staff were told not to report leaks", *evidence)[0] == "contradicted"
    # Without a stand of her own on it, the words are Brel's.
    assert attributed("Ida Lunde said staff had been told not to log small leaks", (accuser, 0.95))[0] == (
        "misattributed"
    )


def test_figure_ranges_that_only_touch_are_different_figures() -> None:
    (more_5000,), (more_2500,) = parse_quantities("more than 5,000 homes"), parse_quantities("more than 2,500 homes")
    assert not compatible(more_5000, more_2500)
    (twelve,), (at_least_12,) = parse_quantities("12 people"), parse_quantities("at least 12 people")
    assert compatible(twelve, at_least_12)
    (high,) = parse_quantities("the real toll could be as high as 60 once the missing are counted")
    assert high.approximate and high.counted is None  # "once" counts nothing
    (hundred,) = parse_quantities("Fewer than a hundred people were hurt")
    assert hundred.value == 100 and hundred.approximate


def test_people_killed_are_not_people_injured() -> None:
    (injured,) = parse_quantities("214 people were injured in the blast")
    dead, treated = parse_quantities("31 people had died, and his staff had treated 214 injured people overnight")
    assert (injured.event, dead.event, treated.event) == ("injured", "dead", "injured")
    assert matching_quantities(injured, (dead, treated)) == (treated,)
    (killing,) = parse_quantities("the blast ended in a fire, killing at least 12 people")
    assert killing.event == "dead"


def test_the_number_put_at_a_figure_counts_what_the_paragraph_counted() -> None:
    text = "Organisers said 8,000 people had taken part. The ministry put the number at about 1,500."
    start = text.index("the number")
    (figure,) = find_quantities(text, ((start, len(text)),))
    assert (figure.text, figure.counted, figure.event) == ("about 1,500", "people", "attending")


def test_a_statement_about_another_subject_takes_no_side() -> None:
    assert not subject_shared("Tarn Water's negligence did not cause the flood",
        "an inquiry into the cause of the flood")
    assert not subject_shared("Tarn Water's negligence did not cause the flood",
        "the council would open an inquiry into it")
    assert not subject_shared("The flood was caused by sabotage",
        "the delay had been caused by the risk of a second flood")
    assert subject_shared("The flood was caused by sabotage", "Sabotage caused the flood")
    assert subject_shared("Velmar lost 498 soldiers", "it confirms the losses")
    inquiry = said("Vera Holt", "the council would open an inquiry into the cause of the flood")
    assert bare("The flood was caused by sabotage", (inquiry, 0.64)) == "unverified"
    assert compare("The flood was caused by sabotage", "asserts", inquiry).flipped is False


def test_a_party_is_a_party_in_everything_it_says_on_the_claim() -> None:
    denial = said("Ida Lunde", "reports circulating online that Tarn Water staff had cut the chlorine dose",
                  stance="denies", role="Tarn Water spokeswoman")
    assert own_conduct(denial)  # what is denied is the company's own conduct
    plain = said("Ida Lunde", '"No chlorine dose was cut on Saturday,"', role="Tarn Water spokeswoman")
    assert not own_conduct(plain)
    # Her second statement is about her company's staff too: a position, even alone.
    assert defends("Tarn Water staff did not cut the chlorine dose", plain)
    assert bare("Tarn Water staff did not cut the chlorine dose", (plain, 0.8)) == "unverified"
    # A watchdog named after the place is not a party to what others did there.
    watch = said("Oskova Watch", "Velmar troops shelled the Oskova hospital", stance="denies")
    assert not defends("Velmar troops shelled the Oskova hospital", watch)
    regulator = said("Anna Veit", "the report had never reached the authority",
                     role="director of the Water Standards Authority")
    assert defends("The Water Standards Authority never received the report", regulator)
    assert not defends("The Health Ministry never received the report",
                       said("Ola Berg", "no report came", role="Interior Ministry spokesman"))
    assert bare("Tarn Water staff did not cut the chlorine dose", (denial, 0.8), (plain, 0.66)) == "unverified"
    managers = replace(said("its managers", 'that "every manager on duty stayed on site"'), speaker="its managers")
    assert own_conduct(managers)


def test_who_speaks_for_a_side_is_read_from_their_role_and_their_words() -> None:
    # Crews are the service's people; "Harl Fire Service's spokesman" speaks for it.
    crews = said("Odd Rask", "that crews had been pulled out of Lunde to guard holiday homes", stance="denies",
                 role="Harl Fire Service's spokesman")
    assert bare("No fire crews were pulled out of Lunde to guard holiday homes", (crews, 0.8)) == "unverified"
    # "Tarn's managing director" speaks for Tarn Construction; a council named after the town does not.
    director = said("Eli Moe", "the company was cooperating fully with the police", role="Tarn's managing director")
    assert defends("Tarn Construction is cooperating fully with the police", director)
    council = said("Ola Berg", "Harl Athletic was cooperating fully", role="Harl city council's spokesman")
    assert not defends("Harl Athletic is cooperating fully with the police", council)
    # "its chair" speaks for the body the article named, which she calls "the association".
    chair = said("Kari Dahl", "Nobody in the association has asked for a single extra krone", role="its chair")
    assert defends("The volunteer drivers' association has not asked for a single extra krone", chair)
    assert not defends("The city council has not asked for a single extra krone", chair)
    # What a speaker denies of "his office" or of "a claim that he ..." is their own conduct.
    assert own_conduct(said("Per Lie", "that anyone in his office had pressed the inspectors", stance="denies"))
    assert own_conduct(said("Per Lie", "a claim, posted on a forum, that he had switched the siren off",
                            stance="denies"))
    assert not own_conduct(said("Per Lie", "that the siren had been switched off", stance="denies"))


def test_a_record_sharing_none_of_the_words_does_not_say_them() -> None:
    demand = said("Vera Holt", "to suspend Tarn Water's operating licence until the inquiry had reported")
    verdict, finding = attributed("Vera Holt said the city will sue Tarn Water", (demand, 0.64))
    assert verdict == "unverified" and finding.said_on_topic[0].claim is demand  # type: ignore[attr-defined]


def test_a_negation_on_too_few_of_the_words_is_read_neither_way() -> None:
    staying = said("Tomas Brel", '"Tarn Water is not leaving Harl. We have been here for 60 years,"')
    claim = "Brel said Tarn Water was preparing to move its headquarters out of Harl"
    assert attributed(claim, (staying, 0.67))[0] == "unverified"  # not "supported"


def test_clauses_are_not_cut_inside_a_comparison_or_a_figure() -> None:
    toll = said("Vera Holt", '"We believe the real toll could be as high as 60 once the missing are counted,"')
    verdict, finding = attributed("Vera Holt confirmed that 60 people died in the flood", (toll, 0.5))
    assert verdict == "misquoted" and [d.kind for d in finding.differences] == ["cue"]  # type: ignore[attr-defined]
    staff = said("Ida Lunde", '"We have 38 inspectors for more than 1,100 sites. We cannot be everywhere,"')
    assert attributed("Lunde said there are 38 inspectors for more than 1,100 sites", (staff, 0.9))[0] == "supported"


def test_a_company_is_known_by_the_first_word_of_its_name() -> None:
    index = SpeakerIndex({"Quarn Chemicals": 2, "Harl General Hospital": 1})
    assert index.resolve("Quarn") == "Quarn Chemicals"
    assert index.resolve("Harl") is None  # a place, not a company's short name


def test_a_spokesman_for_the_company_speaks_for_the_company_the_article_names() -> None:
    index = SpeakerIndex({"Quarn Chemicals": 2, "Ola Marr": 2}, {"Ola Marr": {"spokesman for the company"}})
    denial = said("Quarn Chemicals", "reports that it was preparing to move its headquarters out of Harl",
                  stance="denies")
    evidence = [Evidence(denial, 0.83, 0, context=denial.content)]
    claim = parse_claim("Ola Marr said Quarn Chemicals was preparing to move its headquarters out of Harl")
    assert check_attribution(claim, evidence, speakers=index).verdict == "contradicted"


def test_a_clean_record_worded_apart_still_says_the_claim() -> None:
    supplies = said("Ida Lunde", "the Harl works supplies about 18,000 households with drinking water")
    # Below a paraphrase's similarity, but the same figure for the same households.
    assert attributed("Ida Lunde said the plant supplies about 18,000 households", (supplies, 0.55))[0] == "supported"
    backup = said("Tomas Brel", "the backup pump at the Harl works had been out of service since mid-August")
    claim = "Brel said the backup pump had been out of action since the middle of August"
    assert attributed(claim, (backup, 0.58))[0] == "supported"


def test_what_a_modal_says_will_happen_must_be_in_the_record() -> None:
    review = said("Vera Holt", "the authority would review all of Tarn Water's sites across the region")
    claim = "Vera Holt said the authority would close all of Tarn Water's sites across the region"
    assert attributed(claim, (review, 0.58))[0] == "unverified"
    assert attributed(claim.replace("close", "review"), (review, 0.58))[0] == "supported"


def test_a_lower_bound_and_an_addition_are_not_negations() -> None:
    (bound,) = parse_quantities("no fewer than 1,800 people were evacuated")
    assert bound.approximate and quantity_range(bound) == (1800, 3600)
    (cap,) = parse_quantities("not more than 40 people")
    assert quantity_range(cap) == (20, 40)
    assert not negated("no fewer than 1,800 people were evacuated")
    assert not negated("the leak was not only in Harl but in Tarn too")
    assert not negated("it wasn't only the pump")
    assert negated("no people were evacuated") and negated("the leak was not in Harl")


def test_the_same_hedge_on_another_number_is_another_figure() -> None:
    (claimed,), (given,) = parse_quantities("at least 2,800 people"), parse_quantities("at least 1,800 people")
    assert not compatible(claimed, given)  # the ranges overlap, but the number was changed
    (about,), (exact,) = parse_quantities("about 1,800 people"), parse_quantities("1,850 people")
    assert compatible(about, exact) and compatible(given, parse_quantities("at least 1,800 people")[0])
    estimate = said("Vera Holt", "at least 1,800 people have been infected in Harl")
    verdict, finding = attributed("Vera Holt said at least 2,800 people had been infected in Harl", (estimate, 0.9))
    assert verdict == "misquoted" and finding.differences[0].kind == "figure"  # type: ignore[attr-defined]


def test_this_year_is_not_last_year() -> None:
    visit = said("Ida Lunde", "inspectors had last visited the Harl works in March of last year")
    verdict, finding = attributed("Ida Lunde said inspectors last visited the Harl works in March of this year",
                                  (visit, 0.95))
    assert verdict == "misquoted" and [d.kind for d in finding.differences] == ["date"]  # type: ignore[attr-defined]
    assert attributed("Ida Lunde said inspectors last visited the Harl works in March of last year",
                      (visit, 0.95))[0] == "supported"


def test_another_day_of_the_same_month_is_a_changed_date() -> None:
    told = said("Ida Lunde", "the ministry had first been told of the leak by the regulator on October 21")
    verdict, finding = attributed("Ida Lunde said the regulator told the ministry of the leak on October 15",
                                  (told, 0.92))
    assert verdict == "misquoted" and [(d.kind, d.found) for d in finding.differences] == [  # type: ignore[attr-defined]
        ("date", "October 21")]
    assert attributed("Ida Lunde said the regulator told the ministry of the leak on 21 October", (told, 0.92))[0] == (
        "supported")
    later = said("Ida Lunde", "the ministry was told of the leak on the 21st")
    assert attributed("Ida Lunde said the ministry was told of the leak on October 15", (later, 0.9))[0] == "misquoted"


def test_a_claim_opening_with_a_quantifier_names_nobody() -> None:
    # "Some" opening the claim is no place the source would have to name.
    counted = said("Vera Holt", "volunteers had counted about 31,000 households on the supply, not the 18,000 given "
                   "by Tarn Water")
    assert compare("Some 31,000 households were on the supply", "asserts", counted).differences == ()
    assert bare("Some 31,000 households were on the supply", (counted, 0.8)) == "supported"


def test_another_time_season_or_side_of_an_event_is_a_changed_date() -> None:
    alert = said("Ida Lunde", "the alert went out at 9:40 p.m., before the evacuation, in the spring")
    for changed, found in (
        ("the alert went out at 11:15 p.m.", "9:40 p.m."),
        ("the alert went out after the evacuation", "before the evacuation"),
        ("the alert went out in the winter", "spring"),
    ):
        verdict, finding = attributed(f"Ida Lunde said {changed}", (alert, 0.92))
        assert verdict == "misquoted" and ("date", found) in [  # type: ignore[attr-defined]
            (d.kind, d.found) for d in finding.differences]
    assert attributed("Ida Lunde said the alert went out at 9:45 p.m., before the evacuation",
                      (alert, 0.92))[0] == "supported"


def test_a_negated_infinitive_is_what_was_told_not_a_negation_of_telling() -> None:
    denial = said("Ida Lunde", "reports that she had told Tarn Water's managers not to raise its prices",
                  stance="denies")
    assert attributed("Ida Lunde said she had told Tarn Water what prices to charge", (denial, 0.8))[0] == (
        "contradicted")
    order = said("Ida Lunde", "managers were told not to report leaks")
    assert compare("managers were told to report leaks", "asserts", order).flipped  # both have the verb


def test_never_told_against_the_speakers_own_denial_is_only_their_word() -> None:
    denial = said("Ida Lunde", "reports that she had told Tarn Water what prices to charge", stance="denies")
    verdict, finding = attributed("Ida Lunde never told Tarn Water what prices to charge", (denial, 0.85))
    assert verdict == "unverified" and finding.found is not None  # type: ignore[attr-defined]


def test_a_bare_claim_about_a_side_is_its_position_when_only_that_side_speaks() -> None:
    organiser = said("Tomas Brel", "that union officials had warned members they would be expelled",
                     stance="denies", role="the union's regional organiser")
    assert bare("No union official has threatened to expel members who go to work", (organiser, 0.6)) == "unverified"
    himself = said("Tomas Brel", '"I was wide awake, and I was the one who stopped that train"')
    assert bare("Tomas Brel was wide awake on the night of the collision", (himself, 0.8)) == "unverified"
    spending = said("Vera Holt", "Tarn Water had spent 95 million crowns on new pipes",
                    role="chief executive of Tarn Water")
    assert bare("Tarn Water spent 95 million crowns on new pipes", (spending, 0.85)) == "unverified"
    watchdog = said("Oskova Watch", "Tarn Water had spent 95 million crowns on new pipes")
    assert bare("Tarn Water spent 95 million crowns on new pipes", (spending, 0.85), (watchdog, 0.85)) == "supported"


def test_two_parties_saying_opposite_things_is_a_dispute() -> None:
    company = said("Tarn Water", "it had alerted the ministry to abnormal test results on Saturday")
    ministry = said("Ida Lunde", "that the ministry was alerted to abnormal test results on Saturday",
                    stance="denies", role="Tarn ministry spokeswoman")
    assert bare("Tarn Water alerted the ministry to abnormal test results on Saturday",
                (company, 0.85), (ministry, 0.8)) == "disputed"


def test_a_source_sharing_only_the_circumstances_says_nothing_of_the_point() -> None:
    night = said("Vera Holt", "a single signaller had been running both boxes on the night of the collision")
    assert bare("Tomas Brel was wide awake on the night of the collision", (night, 0.7)) == "unverified"


def test_a_doubt_is_a_position_against_the_words() -> None:
    doubt = said("Vera Holt", "the union's claim that its hardship fund could pay strikers for six weeks",
                 stance="doubts")
    fund = said("Oskova Watch", "the union's hardship fund can pay strikers for six weeks")
    assert bare("The union's hardship fund can pay strikers for six weeks", (doubt, 0.88), (fund, 0.8)) == "disputed"


def test_a_span_of_time_is_no_count_of_anything_else() -> None:
    (years,), (affected,) = parse_quantities("over the last three years"), parse_quantities("it says 97,000")
    assert matching_quantities(years, (affected,)) == () and matching_quantities(affected, (years,)) == ()
    six = said("Vera Holt", '"It went in at the end of January, six weeks late. That was a failure"')
    other = said("Vera Holt", "the team had detected unusual activity at about 2 a.m. on Sunday")
    verdict, finding = attributed("Vera Holt admitted the update was installed ten weeks late",
                                  (other, 0.47), (six, 0.44))
    assert verdict == "misquoted" and finding.differences[0].kind == "figure"  # type: ignore[attr-defined]


def test_a_denial_inside_the_sources_words_denies_the_clause_it_governs() -> None:
    record = said("Vera Holt", "one operator had called in sick, and she rejected the union's claim that single "
                  "staffing had become the rule at night", role="chief executive of Tarn Water")
    verdict, _ = attributed("Vera Holt said single staffing had become the rule on night shifts", (record, 0.7))
    assert verdict == "contradicted"
    assert compare("one operator had called in sick", "asserts", record).clean  # the other clause is hers


def test_a_spokesman_named_by_the_companys_short_name_speaks_for_it() -> None:
    index = SpeakerIndex({"Tobias Wren": 2, "Harl Rail": 1}, {"Tobias Wren": {"Harl's spokesman"}})
    record = said("Tobias Wren", "the company had not refused mediation", role="Harl's spokesman")
    result = check_attribution(parse_claim("Harl Rail said it had not refused mediation"),
                               [Evidence(record, 0.88, 0, context=record.content)], speakers=index)
    assert result.verdict == "supported"


def test_another_place_in_the_same_slot_differs_though_the_paragraph_names_the_claimed_one() -> None:
    record = said("Tomas Brel", "he saw the fault on the Fenby panel and put the signal back to red")
    evidence = [Evidence(record, 0.8, 0, context="Brel ran the Aldwick and Fenby boxes. " + record.content)]
    result = check_attribution(parse_claim("Brel said he saw the fault on the Aldwick panel and put the signal "
                                           "back to red"), evidence, speakers=SPEAKERS)
    assert result.verdict == "misquoted"
    assert [(d.kind, d.found) for d in result.attribution.differences] == [("place", "Fenby")]  # type: ignore[union-attr]


def test_a_certainty_the_source_only_expects_is_a_stronger_cue() -> None:
    forecast = said("Vera Holt", "a deal within three weeks", stance="predicts")
    verdict, finding = attributed("Vera Holt said the strike would definitely be settled within three weeks",
                                  (forecast, 0.6))
    assert verdict == "misquoted" and [d.kind for d in finding.differences] == ["cue"]  # type: ignore[attr-defined]


def test_an_order_for_a_plea_is_a_stronger_cue() -> None:
    plea = said("Ida Lunde", "the builder and the council to go to mediation", stance="urges")
    plea = replace(plea, cue="urged")
    verdict, finding = attributed("Ida Lunde ordered the builder and the council into mediation", (plea, 0.8))
    assert verdict == "misquoted" and [(d.kind, d.found) for d in finding.differences] == [  # type: ignore[attr-defined]
        ("cue", "urged")]
    assert parse_claim("Ida Lunde ordered an inquiry").speaker is None  # an act the claim states, no saying


def test_an_order_for_what_the_speaker_only_suggested_is_a_stronger_cue() -> None:
    advice = said("Ida Lunde", "That is for the city. But I would suggest that the council looks hard at the contract")
    verdict, finding = attributed("Ida Lunde ordered the council to look hard at the contract", (advice, 0.8))
    assert verdict == "misquoted" and [(d.kind, d.found) for d in finding.differences] == [  # type: ignore[attr-defined]
        ("cue", "I would suggest")]


def test_without_reads_as_the_negation_it_stands_for_where_it_governs_the_same_word() -> None:
    source = said("Tomas Brel", "that the strip under the Harl line had not been cleared for three years")
    claim = "Tomas Brel said the ground under the Harl line had gone three years without being cleared"
    assert attributed(claim, (source, 0.8))[0] == "supported"
    nobody = said("Tomas Brel", "No patient was sent home from the Harl clinic without being seen by a doctor")
    turned_away = "Tomas Brel said the Harl clinic sent patients home without a doctor seeing them"
    assert attributed(turned_away, (nobody, 0.8))[0] == "misquoted"  # the "No" is the negation here


def test_the_end_of_a_change_that_leaves_out_its_noun_counts_the_other_ends() -> None:
    source = said("Tomas Brel", "the night shift was reduced from two signallers to one")
    assert attributed("Tomas Brel said the night shift was cut to one signaller", (source, 0.8))[0] == "supported"
    three = attributed("Tomas Brel said the night shift was cut to three signallers", (source, 0.8))
    assert three[0] == "misquoted"


def test_a_promise_or_a_guarantee_is_more_than_an_expectation_or_a_hope() -> None:
    expected = said("Ida Lunde", "the inspectorate would publish its findings by the end of January", stance="predicts")
    for claim in ("Ida Lunde promised that the inspectorate would publish its findings by the end of January",
                  "Ida Lunde guaranteed that the inspectorate would publish its findings by the end of January"):
        verdict, finding = attributed(claim, (expected, 0.8))
        assert verdict == "misquoted" and finding.differences[0].kind == "cue"  # type: ignore[attr-defined]
    hoped = said("Ida Lunde", '"I hope the first payments reach families by the end of next week"')
    assert attributed("Ida Lunde promised that the first payments would reach families by the end of next week",
                      (hoped, 0.8))[0] == "misquoted"
    stated = said("Ida Lunde", "the inspectorate would publish its findings by the end of January")
    assert attributed("Ida Lunde said the inspectorate would publish its findings by the end of January",
                      (expected, 0.8))[0] == "supported"  # "said" claims no more than the forecast
    assert attributed("Ida Lunde promised that the inspectorate would publish its findings by the end of January",
                      (stated, 0.8))[0] == "supported"


def test_an_order_is_more_than_advice_and_a_finding_more_than_an_appearance() -> None:
    advice = said("Vera Holt", '"I would strongly advise the council to keep the whole ground closed"')
    assert attributed("Vera Holt ordered the council to keep the ground closed", (advice, 0.8))[0] == "misquoted"
    looks = said("Vera Holt", '"From the photographs it looks like a connection failure"')
    assert attributed("Vera Holt established that a connection failure caused the collapse",
                      (looks, 0.8))[0] == "misquoted"


def test_a_negation_governs_its_word_past_adverbs_and_whose_it_is() -> None:
    kept = said("Tomas Brel", "he still had the email and had handed a copy to the police on Monday")
    assert attributed("Tomas Brel said he no longer has the email he sent in April", (kept, 0.6))[0] == "misquoted"


def test_a_contrast_turned_round_is_a_misquote() -> None:
    source = said("Vera Holt", 'the row over the guards was "mostly about jobs, not safety"')
    swapped = attributed("Vera Holt said the row over the guards was mostly about safety, not jobs", (source, 0.8))
    assert swapped[0] == "misquoted" and swapped[1].differences[0].kind == "negation"  # type: ignore[attr-defined]
    same = attributed("Vera Holt said the row over the guards was about jobs, not safety", (source, 0.8))
    assert same[0] == "supported"
    mine = said("Vera Holt", '"But it is the council\'s decision, not mine"')
    assert attributed("Vera Holt said closing the ground was her decision, not the council's", (mine, 0.8))[0] == (
        "misquoted"
    )


def test_a_date_is_read_from_the_sentence_about_the_same_thing() -> None:
    source = said("Vera Holt", '"Two of my inspectors were at Harl Park on the 22nd of July. '
                               'The certificate was signed on the 29th, after they had reported."')
    assert attributed("Vera Holt said two of her inspectors visited Harl Park on July 29", (source, 0.8))[0] == (
        "misquoted"
    )
    assert attributed("Vera Holt said two of her inspectors were at Harl Park on July 22", (source, 0.8))[0] == (
        "supported"
    )


def test_a_quoted_sentence_after_a_quote_is_a_clause_of_its_own() -> None:
    # Two quotations joined into one content: the second's negation is not the first's.
    source = said("Vera Holt", '"But I do not see where it is going." \'Harl Is Not the Villain.\'')
    assert attributed("Vera Holt said she did not see where it was going", (source, 0.8))[0] == "supported"
