"""Quote pairing and chunking on hostile text: every span stays an exact window of the text.

``tests/unit`` holds the ordinary properties; these add zero-width and bidi characters, NUL,
lone surrogates, CR/LF mixes and Unicode line separators, and check that no reporting is lost.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.attribution.quotes import _DOUBLE_OPENERS, _SINGLE_OPENERS, pair_quotes
from bot.ingest.chunking import chunk_text, content_lines

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = [
    "\u201c", "\u201d", "\u2018", "\u2019", '"', "'", "\u00ab", "\u00bb", "\u201e", "\u2039", "\u203a",
    "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\ud800", "\udfff", "\r\n", "\r", "\n", "\n\n",
    "\u2028", "\u2029", "\u0085", "\t", " ", "  ", ".", "!", "?", "word", "Fictional", "said", "\u00a9 2026",
    "Related news", "Photo: x",
]
hostile = st.lists(st.sampled_from(PIECES) | st.characters(), max_size=120).map("".join)
OPENERS = set(_DOUBLE_OPENERS) | _SINGLE_OPENERS | {"\u201d"}  # a closing mark may open, by design


@FUZZ
@given(hostile)
def test_quote_spans_are_sorted_disjoint_exact_and_open_on_a_mark(text: str) -> None:
    previous_end = 0
    for start, end in pair_quotes(text):
        assert previous_end <= start < end <= len(text)
        assert text[start] in OPENERS
        assert "\n\n" not in text[start:end].replace("\r", "")  # a quotation never crosses a blank line
        previous_end = end


@FUZZ
@given(hostile, st.integers(100, 400), st.integers(0, 2))
def test_chunks_are_exact_windows_and_cover_every_word_of_the_reporting(text: str, limit: int, overlap: int) -> None:
    chunks = chunk_text(text, article_id="f", max_chars=limit, overlap=overlap)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text) and text[chunk.start : chunk.end] == chunk.text
        assert not chunk.text[0].isspace() and not chunk.text[-1].isspace()
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    for block in content_lines(text):  # every letter outside page furniture is in some passage
        for start, end in block:
            missing = [i for i in range(start, end) if text[i].isalnum() and i not in covered]
            assert not missing, (text[start:end], missing)


def test_a_megabyte_of_hostile_marks_is_paired_and_chunked_quickly() -> None:
    import time

    text = ("\u201c\u202eFictional \u200b'quote \" \u00ab here\u2028 and\u2019 there. " * 20_000)[:1_000_000]
    started = time.perf_counter()
    spans = pair_quotes(text)
    chunks = chunk_text(text, article_id="m")
    assert spans and chunks and time.perf_counter() - started < 30
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert not re.search(r"\S", text[chunks[-1].end :])  # nothing after the last passage but blanks


def test_runs_of_marks_are_chunked_quickly() -> None:
    import time

    # Issue 16: the sentencizer's tokenizer took 125 s on 20 kB of '"' (quadratic in a word).
    for text in ('"' * 200_000, '" ' * 100_000, "x" * 100_000 + ' "' * 50):
        started = time.perf_counter()
        chunks = chunk_text(text, article_id="q")
        assert chunks and time.perf_counter() - started < 30
        assert all(text[c.start : c.end] == c.text for c in chunks)
