"""Cues whose subject is not their source. FICTIONAL: every name is invented."""

from __future__ import annotations

import pytest

from bot.attribution.engine import create_extractor
from bot.attribution.sourceless import sourceless
from bot.model import Claim


def claim(text: str, source: str, cue: str, content: str) -> Claim:
    s, c, w = text.index(source), text.index(cue), text.index(content)
    return Claim(speaker=source, speaker_mention=source, source_span=(s, s + len(source)), cue=cue,
                 cue_span=(c, c + len(cue)), content=content, content_spans=((w, w + len(content)),),
                 kind="indirect", stance="asserts")


@pytest.mark.parametrize(("text", "source", "cue", "content"), [
    ("The harbour figures appear to be wrong.", "The harbour figures", "appear", "to be wrong"),
    ("Voters in Harl now seem unmoved by the bridge.", "Voters in Harl", "now seem", "unmoved by the bridge"),
    ("Vera Lind is known for speaking her mind.", "Vera Lind", "is known for", "speaking her mind"),
    ("Mayor Brel was widely expected to win the vote.", "Mayor Brel", "was widely expected", "to win the vote"),
    ("The idea is that the ferry pays.", "The idea", "The idea is", "that the ferry pays"),
    ("Holm said, when asked whether the quay would close, that it would not.", "Holm", "asked",
     "whether the quay would close"),
])
def test_a_subject_that_says_nothing_is_no_source(text: str, source: str, cue: str, content: str) -> None:
    [found] = sourceless(text, [claim(text, source, cue, content)])
    assert (found.speaker, found.source_span, found.cue, found.content) == (None, None, cue, content)


@pytest.mark.parametrize(("text", "source", "cue", "content"), [
    ("Vera Lind appeared to imply that the ferry would stop.", "Vera Lind", "appeared to imply",
     "that the ferry would stop"),
    ("Vera Lind has called for a new bridge.", "Vera Lind", "has called for", "a new bridge"),
    ("Lind is seen by many in the party as the favourite.", "Lind", "is seen", "the favourite"),
    ("The harbour master asked whether the quay would close.", "The harbour master", "asked",
     "whether the quay would close"),
])
def test_a_subject_that_speaks_keeps_its_source(text: str, source: str, cue: str, content: str) -> None:
    [found] = sourceless(text, [claim(text, source, cue, content)])
    assert found.speaker == source


def test_the_shipped_engine_leaves_what_seems_or_is_known_unattributed() -> None:
    engine = create_extractor("hybrid")  # its tagger marks the subjects of these cues as their sources
    for text in ("Voters in Harl seem unmoved by the bridge plan.",
                 "Ada Brill is known for speaking her mind on the harbour."):
        assert [c.speaker for c in engine.extract(text)] == [None]
