"""A relative pronoun before a cue is the claim's source as written. FICTIONAL: every name is invented."""

from __future__ import annotations

import pytest

from bot.attribution.relatives import relative_sources
from bot.model import Claim


def claim(text: str, source: str, cue: str) -> Claim:
    s, c = text.index(source), text.index(cue)
    return Claim(speaker="Harl drivers", speaker_mention=source, source_span=(s, s + len(source)), cue=cue,
                 cue_span=(c, c + len(cue)), content="x", content_spans=((len(text) - 1, len(text)),),
                 kind="indirect", stance="asserts")


@pytest.mark.parametrize(("text", "source", "cue", "pronoun"), [
    ("Harl drivers, who say the timetable is unsafe, met.", "Harl drivers", "say", "who"),
    ("the union's report, which notes that the line is late.", "the union's report", "notes", "which"),
    ("the drivers' leaders, who, on a call on Friday, criticised the plan.", "the drivers' leaders", "criticised",
     "who"),
])
def test_the_pronoun_is_the_source_as_written_and_the_speaker_stays(
    text: str, source: str, cue: str, pronoun: str
) -> None:
    [found] = relative_sources(text, [claim(text, source, cue)])
    assert found.speaker == "Harl drivers" and found.speaker_mention == pronoun
    assert text[slice(*found.source_span)] == pronoun  # type: ignore[misc]


@pytest.mark.parametrize(("text", "source", "cue"), [
    ("Vera Lind, who was speaking in Harl, said the line was late.", "Vera Lind", "said"),  # a closed clause
    ("any group that understands the timetable.", "any group", "understands"),  # "that" is left alone
    ("Vera Lind said the line was late.", "Vera Lind", "said"),
])
def test_a_source_not_standing_before_a_relative_pronoun_of_its_cue_stays(text: str, source: str, cue: str) -> None:
    [found] = relative_sources(text, [claim(text, source, cue)])
    assert found.speaker_mention == source
