"""The terminal rendering of a fact-check: the verdict, then one ``Attribution:`` line per finding."""

from __future__ import annotations

import json

import pytest

from bot.cli import _print_answer, attribution_lines
from bot.model import Answer, AttributionCheck, Citation, Difference, Verdict
from bot.render import attribution_sentences

# Fictional speakers and words throughout.
CLAIMED, FOUND = "Tomas Brandt", "Ines Varga"
CITATIONS = (
    Citation(1, "a1b2c3d4", "Lowmere ferry (fictional)", "lowmere.txt", "Up to 40 passengers, Varga said.", 0, 32),
    Citation(2, "a1b2c3d4", "Lowmere ferry (fictional)", "lowmere.txt", "Brandt said the pier is safe.", 40, 69),
)


def check(verdict: Verdict, attribution: AttributionCheck | None) -> Answer:
    return Answer("a claim", "What the sources say [1].", False, verdict=verdict, citations=CITATIONS,
                  attribution=attribution)


@pytest.mark.parametrize(
    ("verdict", "attribution", "lines"),
    [
        ("misattributed",
         AttributionCheck(CLAIMED, FOUND, "exact", (Difference("speaker", CLAIMED, FOUND),), citation=2),
         ["Attribution: these words are Ines Varga's, not Tomas Brandt's [2]"]),
        ("misquoted",
         AttributionCheck(CLAIMED, CLAIMED, "different", (
             Difference("figure", "400", "up to 40"), Difference("place", "Tarn", "Lowmere")), citation=1),
         ['Attribution: misquoted: "400" where the source says "up to 40" [1]',
          'Attribution: misquoted: "Tarn" where the source says "Lowmere" [1]']),
        ("supported", AttributionCheck(CLAIMED, CLAIMED, "paraphrase", citation=1),
         ["Attribution: Tomas Brandt is on record saying this [1]"]),
        ("unverified", AttributionCheck(CLAIMED, None, "none"),
         ["Attribution: no indexed source has Tomas Brandt saying this"]),
        ("unverified", None, []),  # a bare claim: no attribution line
    ],
)
def test_attribution_lines(verdict: Verdict, attribution: AttributionCheck | None, lines: list[str]) -> None:
    assert attribution_lines(check(verdict, attribution)) == lines


def test_a_misattribution_also_lists_what_else_differs() -> None:
    differences = (Difference("speaker", CLAIMED, FOUND), Difference("figure", "400", "40"))
    answer = check("misattributed", AttributionCheck(CLAIMED, FOUND, "different", differences, citation=1))
    assert attribution_sentences(answer) == [
        "these words are Ines Varga's, not Tomas Brandt's [1]", '"400" where the source says "40"',
    ]


def test_a_negation_the_claim_drops_or_adds_reads_as_a_sentence() -> None:
    dropped = AttributionCheck(CLAIMED, CLAIMED, "different", (Difference("negation", "", "not"),), citation=1)
    added = AttributionCheck(CLAIMED, CLAIMED, "different", (Difference("negation", "never", ""),), citation=1)
    assert attribution_sentences(check("misquoted", dropped)) == [
        'misquoted: the source says "not", which the claim leaves out [1]'
    ]
    assert attribution_sentences(check("contradicted", added)) == [
        'the claim says "never", which the source does not [1]'
    ]


def test_the_same_name_in_another_case_is_the_same_speaker() -> None:
    answer = check("supported", AttributionCheck(CLAIMED, "tomas  BRANDT", "exact", citation=1))
    assert attribution_sentences(answer) == ["Tomas Brandt is on record saying this [1]"]


def test_a_spokesperson_on_record_speaks_for_the_organisation_claimed() -> None:
    answer = check("supported", AttributionCheck("Lowmere ferry board", FOUND, "exact", citation=1))
    assert attribution_sentences(answer) == ["Ines Varga is on record saying this for Lowmere ferry board [1]"]


def test_the_attribution_line_comes_right_after_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    speaker = (Difference("speaker", CLAIMED, FOUND),)
    answer = check("misattributed", AttributionCheck(CLAIMED, FOUND, "exact", speaker, citation=2))
    _print_answer(answer, as_json=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "Verdict: misattributed (what the indexed sources say, not ground truth)",
        "Attribution: these words are Ines Varga's, not Tomas Brandt's [2]",
        "What the sources say [1].",
    ]
    assert lines[4:6] == ["Sources:", "[1] Up to 40 passengers, Varga said."]


def test_json_output_carries_the_attribution_check(capsys: pytest.CaptureFixture[str]) -> None:
    answer = check("misquoted", AttributionCheck(CLAIMED, CLAIMED, "different", (Difference("date", "May", "June"),)))
    _print_answer(answer, as_json=True)
    assert json.loads(capsys.readouterr().out)["attribution"] == {
        "claimed_speaker": CLAIMED, "found_speaker": CLAIMED, "match": "different",
        "differences": [{"kind": "date", "claimed": "May", "found": "June"}], "citation": None,
    }
