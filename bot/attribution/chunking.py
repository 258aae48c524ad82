"""Split long texts into parser-sized chunks on paragraph boundaries, keeping exact offsets."""

from __future__ import annotations

import re

from bot.attribution.quotes import paragraph_bounds
from bot.model import Span

DEFAULT_CHUNK_CHARS = 20_000
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s")


def chunk_spans(text: str, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Span]:
    """Return ``[start, end)`` ranges, one per paragraph, each at most ``max_chars``.

    One paragraph per parse keeps headlines and captions from being glued into the next
    sentence by the parser; long paragraphs are cut at sentence ends.
    """
    spans: list[Span] = []
    for start, end in paragraph_bounds(text):
        spans.extend(_split_long(text, start, end, max_chars))
    return spans


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Cut one over-long paragraph at sentence ends, else at whitespace, else anywhere."""
    pieces: list[Span] = []
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut < max_chars // 2:
            space = window.rfind(" ")
            cut = space + 1 if space > max_chars // 2 else max_chars
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces
