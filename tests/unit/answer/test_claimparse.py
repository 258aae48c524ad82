"""Reading a checked claim as an attribution. FICTIONAL: every name below is invented."""

from __future__ import annotations

import pytest

from bot.answer.claimparse import parse_claim


@pytest.mark.parametrize(
    ("text", "speaker", "cue", "stance", "content"),
    [
        ("Ida Lunde said that the bridge will close in May", "Ida Lunde", "said", "asserts",
         "the bridge will close in May"),
        ("According to the Tarn ministry, 40 people died", "the Tarn ministry", "according to", "asserts",
         "40 people died"),
        ("Lunde: “the bridge is safe”", "Lunde", "said", "asserts", "the bridge is safe"),
        ("The bridge is safe, Lunde claimed.", "Lunde", "claimed", "claims", "The bridge is safe"),
        ("The bridge is safe, said the mayor", "the mayor", "said", "asserts", "The bridge is safe"),
        ("Velmar denies shelling the hospital", "Velmar", "denies", "denies", "shelling the hospital"),
        ("The Tarn police spokeswoman admitted a loss of records", "The Tarn police spokeswoman", "admitted",
         "admits", "a loss of records"),
        ("Lunde told reporters on Monday that the bridge is safe", "Lunde", "told", "asserts", "the bridge is safe"),
        ("Did Lunde really deny the closure?", "Lunde", "deny", "denies", "the closure"),
        ("The ministry's chief engineer, Ida Lunde, estimated that the bridge will close in May", "Ida Lunde",
         "estimated", "estimates", "the bridge will close in May"),
        ("Ida Lunde, the ministry's chief engineer, said the bridge is safe", "Ida Lunde", "said", "asserts",
         "the bridge is safe"),
        ("Ida Lunde urged residents to boil their water", "Ida Lunde", "urged", "urges",
         "residents to boil their water"),
        ("'The bridge is safe. We checked it,' said Transport Minister Ida Lunde.", "Transport Minister Ida Lunde",
         "said", "asserts", "The bridge is safe. We checked it"),
        ("Ida Lunde ordered the builder and the council into mediation", "Ida Lunde", "ordered", "demands",
         "the builder and the council into mediation"),
        ("Former state engineer Ida Lunde expects the bridge to reopen within three weeks",
         "Former state engineer Ida Lunde", "expects", "predicts", "the bridge to reopen within three weeks"),
        ("Judge Brel called for the bridge contract to be cancelled", "Judge Brel", "called", "urges",
         "the bridge contract to be cancelled"),
        ("Lunde recommended extending the closure to Harl", "Lunde", "recommended", "urges",
         "extending the closure to Harl"),
        ("Ida Lunde said: 'We did not close the bridge, and nobody asked us to.'", "Ida Lunde", "said", "asserts",
         "We did not close the bridge, and nobody asked us to"),
        ('Lunde admitted to reporters: "the bridge is shut"', "Lunde", "admitted", "admits", "the bridge is shut"),
        ("Asked about the cost, Lunde said the ministry had put savings ahead of safety", "Lunde", "said", "asserts",
         "the ministry had put savings ahead of safety"),
        ("In an interview with Tarn Radio, Brel said the bridge was safe", "Brel", "said", "asserts",
         "the bridge was safe"),
        ("Brel said there was evidence that the bridge had cracked", "Brel", "said", "asserts",
         "there was evidence that the bridge had cracked"),
        ("Brel said in a statement that the bridge had cracked", "Brel", "said", "asserts", "the bridge had cracked"),
        ("According to the harbour commissioner, Ida Lunde, her office counted 40 cracks", "Ida Lunde",
         "according to", "asserts", "her office counted 40 cracks"),
        ("According to police, Tomas Brel was arrested on Monday", "police", "according to", "asserts",
         "Tomas Brel was arrested on Monday"),
        ("According to the ministry, Oskova, Harl and Tarn were shelled", "the ministry", "according to", "asserts",
         "Oskova, Harl and Tarn were shelled"),  # "Oskova" is no holder of a ministry
        ("The bridge had cracked, according to investigators", "investigators", "according to", "asserts",
         "The bridge had cracked"),
    ],
)
def test_attributed_forms(text: str, speaker: str, cue: str, stance: str, content: str) -> None:
    parsed = parse_claim(text)
    assert (parsed.speaker, parsed.cue, parsed.stance, parsed.content) == (speaker, cue, stance, content)
    assert parsed.attributed and not parsed.never


def test_never_said_is_a_claim_that_it_was_not_said() -> None:
    parsed = parse_claim("Ida Lunde never said that the bridge would close")
    assert parsed.speaker == "Ida Lunde" and parsed.never and parsed.content == "the bridge would close"
    assert parse_claim("Lunde did not say the bridge would close").never


@pytest.mark.parametrize(
    "text",
    [
        "Velmar lost 498 soldiers near Oskova",
        "Western sanctions pose a threat to Velmar",
        "Velmar wants peace",  # a wish verb with a plain object is no attribution
        "The mayor called the plan a mistake",  # "called" names, asks for nothing
        "Velmar called Tarn a threat to peace",
        "NATO supports Tarn",
        "26 bodies were found in Oskova",
        "According to many, the bridge was unsafe",  # nobody in particular
        "The harbour board never received Ana Lind's report about the crane",  # "report" is a noun here
        "",
        "?!",
    ],
)
def test_bare_claims(text: str) -> None:
    parsed = parse_claim(text)
    assert not parsed.attributed and parsed.speaker is None


def test_a_wish_verb_with_that_attributes() -> None:
    assert parse_claim("NATO believes that Tarn lost 40 tanks").speaker == "NATO"


def test_a_news_sentence_may_leave_out_that_after_a_belief_verb() -> None:
    sentence = "Mr. Tolvan hoped utilities would count his forest credits"
    assert not parse_claim(sentence).attributed  # a checked claim: "hoped" needs "that"
    parsed = parse_claim(sentence, clause_after_belief=True)
    assert (parsed.speaker, parsed.content) == ("Mr. Tolvan", "utilities would count his forest credits")
    assert not parse_claim("Velmar wants peace", clause_after_belief=True).attributed  # no clause


@pytest.mark.parametrize(
    "text",
    ["Nobody at Tarn Chemicals was told to hide the leak", "Night-shift workers were not told to keep working"],
)
def test_a_passive_told_names_no_speaker(text: str) -> None:
    assert not parse_claim(text).attributed


def test_a_rejected_speaker_close_to_the_longest_reads_the_claim_as_bare() -> None:
    # Each longer speaker is tried up to the longest a speaker may be, never past it.
    text = "Nobody told the chemical safety inspectorate about Brel's concerns before the blast at the depot."
    assert parse_claim(text).speaker is None
    assert parse_claim("x " * 45 + "said that it rains").speaker is None
