"""Chunking: exact offsets, boilerplate left out, overlap, and linear behaviour on odd text."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.chunking import chunk_text, is_boilerplate, pack

SEED = Path(__file__).resolve().parents[2] / "seeds" / "kremlin-admits-significant-loss-of-troops.txt"
HARBOR = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "harbor-bridge.txt"


def test_every_chunk_is_an_exact_window_of_the_text() -> None:
    text = SEED.read_text(encoding="utf-8")
    chunks = chunk_text(text, article_id="a")
    assert len(chunks) > 2
    for n, chunk in enumerate(chunks):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.ordinal == n and chunk.id == f"a:{n}"


def test_boilerplate_lines_are_in_no_chunk_but_stay_in_the_text() -> None:
    text = HARBOR.read_text(encoding="utf-8")
    joined = "\n".join(c.text for c in chunk_text(text, article_id="h"))
    for furniture in ("Related News", "Share this article", "Copyright ©"):
        assert furniture in text
        assert furniture not in joined
    assert "Reportedly, two ferry operators" in joined


def test_consecutive_chunks_overlap_by_one_sentence() -> None:
    sentence = "The council met again today to discuss the bridge. "
    text = sentence * 40
    chunks = chunk_text(text, article_id="o", max_chars=200, overlap=1)
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # the last sentence of one starts the next


def test_a_sentence_longer_than_the_limit_is_a_chunk_of_its_own() -> None:
    assert list(pack([(0, 10), (11, 5000), (5001, 5010)], max_chars=100, overlap=1)) == [
        (0, 10), (11, 5000), (5001, 5010),
    ]


def test_boilerplate_patterns() -> None:
    assert is_boilerplate("Copyright © 2024 The Brussels Times. All Rights Reserved.")
    assert is_boilerplate("Related News")
    assert is_boilerplate("Dmitry Peskov, spokesperson of the Kremlin. Credit: Belga")
    assert not is_boilerplate("The council said the bridge would reopen in May.")


def test_one_very_long_line_is_chunked_in_bounded_windows() -> None:
    text = "word " * 200_000  # 1 MB on one line, no sentence ends
    chunks = chunk_text(text, article_id="l")
    assert chunks and all(text[c.start : c.end] == c.text for c in chunks)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\n“”\"'\u200b\u202e\t©")) | st.characters(), max_size=400))
def test_chunks_are_exact_ordered_windows_of_any_text(text: str) -> None:
    chunks = chunk_text(text, article_id="p", max_chars=120)
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() or not chunk.text[-1].isspace()
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
