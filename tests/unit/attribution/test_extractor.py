"""Behaviour of the engine on a fictional article and on the seed article."""

from __future__ import annotations

import sys

import pytest

from bot.attribution import AttributionExtractor
from bot.model import Claim


@pytest.fixture(scope="module")
def harbour(extractor: AttributionExtractor, harbour_text: str) -> list[Claim]:
    return extractor.extract(harbour_text, article_id="harbour")


@pytest.fixture(scope="module")
def seed(extractor: AttributionExtractor, seed_text: str) -> list[Claim]:
    return extractor.extract(seed_text)


def _by_cue(claims: list[Claim], cue: str, nth: int = 0) -> Claim:
    return [c for c in claims if c.cue == cue][nth]


def test_import_does_not_load_spacy() -> None:
    # The CLI imports the package; spaCy must wait for the first extraction.
    import subprocess

    code = "import sys, bot.attribution; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_spans_reproduce_the_text(harbour: list[Claim], harbour_text: str) -> None:
    for claim in harbour:
        assert claim.content == " ".join(harbour_text[s:e] for s, e in claim.content_spans)
        assert harbour_text[slice(*claim.cue_span)] == claim.cue
        if claim.source_span is not None:
            assert harbour_text[slice(*claim.source_span)] == claim.speaker_mention
        assert claim.article_id == "harbour"


def test_full_name_role_and_pronoun(harbour: list[Claim]) -> None:
    first, second = [c for c in harbour if c.cue == "said"][:2]
    assert (first.speaker, first.role) == ("Helena Voss", "Port Alder Mayor")
    assert first.kind == "indirect"
    assert first.content == "that the harbour bridge would reopen in June"
    assert (second.speaker, second.speaker_mention, second.kind) == ("Helena Voss", "she", "direct")
    assert second.content == '"We will not cut corners on safety,"'


def test_surname_and_role_noun_resolve_to_the_person(harbour: list[Claim]) -> None:
    assert _by_cue(harbour, "insisted").speaker == "Helena Voss"
    told = _by_cue(harbour, "told")
    assert (told.speaker, told.speaker_mention) == ("Tomas Brandt", "the spokesman")


def test_quote_in_the_next_sentence_joins_its_cue(
    harbour: list[Claim], harbour_text: str
) -> None:
    told = _by_cue(harbour, "told")
    assert [harbour_text[s:e] for s, e in told.content_spans] == [
        "“The repairs are on schedule,”", "“Nobody in this town should worry.”",
    ]
    assert told.kind == "direct"


def test_mixed_quote(harbour: list[Claim]) -> None:
    assert _by_cue(harbour, "insisted").kind == "mixed"


def test_negation(harbour: list[Claim]) -> None:
    say = _by_cue(harbour, "say")
    assert say.negated and say.speaker == "Tomas Brandt"


def test_estimate_with_approximate_quantity(harbour: list[Claim], harbour_text: str) -> None:
    claim = _by_cue(harbour, "estimated")
    assert claim.stance == "estimates" and claim.role == "council spokesman"
    (qty,) = claim.quantities
    assert (qty.value, qty.text, qty.counted) == (1200, "up to 1,200", "commuters")
    assert qty.approximate
    assert harbour_text[slice(*qty.span)] == "up to 1,200"


def test_according_to(harbour: list[Claim]) -> None:
    claim = _by_cue(harbour, "according to")
    assert claim.kind == "according-to"
    assert claim.speaker == "regional transport agency"
    assert claim.content == "The bridge was closed after a storm"


def test_unattributed_reportedly(harbour: list[Claim]) -> None:
    claim = _by_cue(harbour, "Reportedly")
    assert claim.speaker is None and claim.source_span is None and claim.stance == "reports"
    assert claim.quantities[0].counted == "ferries"


def test_colon_cue(harbour: list[Claim]) -> None:
    claim = _by_cue(harbour, ":")
    assert claim.speaker == "Ines Calloway"
    assert claim.content == "the budget is a mess and everyone knows it"


def test_claim_noun(harbour: list[Claim]) -> None:
    claim = _by_cue(harbour, "claim")
    assert claim.speaker == "Helena Voss" and claim.stance == "claims"
    assert claim.quantities[0].approximate and claim.quantities[0].value == 3_000_000


def test_seed_peskov_is_one_speaker(seed: list[Claim]) -> None:
    peskov = [c for c in seed if c.speaker == "Dmitry Peskov"]
    mentions = {c.speaker_mention for c in peskov}
    assert {"Kremlin spokesman Dmitry Peskov", "Peskov", "he", "He"} <= mentions
    assert all(c.role == "Kremlin spokesman" for c in peskov)


def test_seed_nato_estimate(seed: list[Claim]) -> None:
    claim = _by_cue(seed, "estimated")
    assert claim.speaker == "NATO" and claim.stance == "estimates"
    assert claim.quantities[0].text == "up to 15,000" and claim.quantities[0].counted == "soldiers"


def test_seed_reportedly_is_not_pinned_on_a_name(seed: list[Claim]) -> None:
    claim = _by_cue(seed, "Reportedly")
    assert claim.speaker is None
    assert claim.content.startswith("26 bodies have been found among the rubble")
    assert "Venediktova" not in claim.content
    assert _by_cue(seed, "suspects").speaker == "Irina Venediktova"


def test_seed_according_to_and_denial(seed: list[Claim]) -> None:
    assert _by_cue(seed, "according to").speaker == "British military reports"
    denial = _by_cue(seed, "denies")
    assert (denial.speaker, denial.stance) == ("Moscow", "denies")
    assert denial.content == "attacking civilian targets"


def test_extract_many_keeps_order(extractor: AttributionExtractor) -> None:
    texts = ["", "Anna Berg said that it rained.", "No attribution here.", "Bo Lind said no."]
    results = list(extractor.extract_many(texts))
    assert len(results) == 4
    assert results[0] == [] and results[2] == []
    assert results[1][0].speaker == "Anna Berg"


def test_a_figure_put_at_by_its_source_is_an_estimate(extractor: AttributionExtractor) -> None:
    # FICTIONAL sentences.
    text = ("Organisers said 8,000 people had marched. The Tarn police put the number at about 1,500. "
            "The hospital put the toll at 31.")
    claims = extractor.extract(text)
    police = next(c for c in claims if c.cue == "put" and "1,500" in c.content)
    assert police.speaker == "Tarn police" and police.stance == "estimates"
    assert police.content == "the number at about 1,500"
    assert [(q.counted, q.event) for q in police.quantities] == [("people", "attending")]
    hospital = next(c for c in claims if c.cue == "put" and "31" in c.content)
    assert hospital.quantities[0].event == "dead"


def test_who_a_description_names(extractor: AttributionExtractor) -> None:
    # FICTIONAL sentences.
    text = ("VELMOR, May 2 (Harl Wire) — Health Minister Oda Renn denied the report. "
            "Tarnco's chief executive, Ivo Pellan, admitted that the pump had failed. "
            "Two former Kessel Hill operators told the Wire that the pump had broken down. "
            "Ana Voss, the director of the Water Board, which regulates the works, said the plant was safe.")
    claims = {c.cue: c for c in extractor.extract(text)}
    assert claims["denied"].speaker == "Oda Renn"  # not the dateline
    assert claims["admitted"].speaker == "Ivo Pellan" and claims["admitted"].role == "Tarnco's chief executive"
    assert claims["told"].speaker != "Kessel Hill"  # a group of operators, not the place that qualifies them
    assert claims["said"].role == "director of the Water Board"


def test_a_forecast_of_an_event_is_the_speakers_claim(extractor: AttributionExtractor) -> None:
    # FICTIONAL. "expect" takes a plain object as its content ("expected a deal"), as "predict" does.
    text = "Tomas Brel, a former mediator, said such disputes end in a draw. He expected a deal within three weeks."
    forecast = _by_cue(extractor.extract(text, article_id="f1"), "expected")
    assert forecast.speaker == "Tomas Brel" and forecast.stance == "predicts"
    assert forecast.content == "a deal within three weeks"


# FICTIONAL: every name below is invented.
SPLIT_QUOTES = """Harl fire chief speaks to farmers

Fire chief Ada Voss spoke to the farmers on Monday. "A sheep can be replaced," she said. "You cannot."

"We did not agree to any delay," Tomas Brel said in an interview at the office, "and none was asked for."

The works were "a disgrace", said Ines Calloway. She would not say more.
"""


def test_a_split_quote_is_one_speakers_and_a_cue_inside_a_quote_claims_no_other(
    extractor: AttributionExtractor,
) -> None:
    claims = extractor.extract(SPLIT_QUOTES)
    text = {c.speaker: " ".join(SPLIT_QUOTES[a:b] for a, b in c.content_spans) for c in claims}
    assert "You cannot." in text["Ada Voss"]  # a short quotation that is a sentence of its own
    assert "and none was asked for" in text["Tomas Brel"]
    assert not any(c.cue == "agree" for c in claims)  # "We did not agree", inside Brel's words
    assert sum("and none was asked for" in t for t in text.values()) == 1


VOX_POPS = """Readers in Harl on the bridge vote (fictional)

Mira Solberg, 52, Harl:
"She never answered a single question about the bridge."

Tomas Ekdal, 31, a teacher in Norrvik: "The most prepared candidate I have seen in years."

"Maybe we can build a fence around the whole council." — Lena Varg, 44, Harl
"""


def test_vox_pops_and_signed_quotations_are_their_speakers(extractor: AttributionExtractor) -> None:
    found = {(c.speaker, c.cue, c.content) for c in extractor.extract(VOX_POPS)}
    assert {
        ("Mira Solberg", ":", '"She never answered a single question about the bridge."'),
        ("Tomas Ekdal", ":", '"The most prepared candidate I have seen in years."'),
        ("Lena Varg", "—", '"Maybe we can build a fence around the whole council."'),
    } <= found
