"""Markup pasted into plain text: tags are never speakers, and spans still index the stored text."""

from __future__ import annotations

import pytest

from bot.attribution import AttributionExtractor

# FICTIONAL lines written for this test.
MARKUP = [
    "<p>The harbour bridge will close for six months, <b>Mayor Ana Lind</b> said.</p>",
    "<p>\"The bridge will close,\" said <b>Ana Lind</b>.</p>",
    "<div><p>Lind said the bridge will close.</p><p>She said it would reopen in May.</p></div>",
    "<b>Tomas Brandt</b>: \"The repairs are on schedule.\"",
    "<br>said the bridge will close</br>",
    "<span>-></span> said the bridge will close.",
]


@pytest.mark.parametrize("text", MARKUP)
def test_tags_are_never_speakers(extractor: AttributionExtractor, text: str) -> None:
    for claim in extractor.extract(text):
        for name in (claim.speaker, claim.speaker_mention):
            assert name is None or ("<" not in name and ">" not in name and name == name.strip() and name[0].isalpha())
        if claim.source_span:
            assert " ".join(text[slice(*claim.source_span)].split()).endswith(claim.speaker_mention or "")
        assert claim.content == " ".join(text[s:e] for s, e in claim.content_spans)  # the stored text, exactly


def test_markup_leaves_the_speakers_it_wraps(extractor: AttributionExtractor) -> None:
    speakers = [c.speaker for text in MARKUP[:4] for c in extractor.extract(text)]
    assert speakers == ["Mayor Ana Lind", "Ana Lind", "Lind", "She", "Tomas Brandt"]
