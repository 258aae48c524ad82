"""Split texts into parser-sized chunks on paragraph boundaries, keeping exact offsets.

What reaches spaCy is bounded whatever the input, so extraction stays linear in the text:

- a stretch without a letter or a digit (``"`` a million times, a row of dashes) holds no cue,
  speaker or words to quote, and is not parsed at all: spaCy's tokenizer strips affixes one
  at a time, each search scanning the rest of the word, so ``"`` * n costs n squared;
- a word longer than ``MAX_WORD_CHARS`` (news has none past about 90) is not parsed either;
- a run of text without a sentence end longer than ``MAX_SENTENCE_CHARS`` (the longest
  sentence in PolNeAR is 980 characters) is cut at spaces into pieces of at most that size, as
  every cue's content is a subtree of its sentence, so one huge sentence made the pattern
  matching (and the claims' text) grow with the square of its length.

Ordinary prose meets none of these, so its chunks are its paragraphs, as before.
"""

from __future__ import annotations

import re

from bot.attribution.quotes import paragraph_bounds
from bot.model import Span

DEFAULT_CHUNK_CHARS = 20_000
MAX_SENTENCE_CHARS = 1_200
MAX_WORD_CHARS = 200
_MARKS_ONLY = 32  # non-blank characters without a letter or a digit that make a stretch unparsed
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s")
_UNPARSED = re.compile(
    rf"\S{{{MAX_WORD_CHARS + 1},}}|(?:[^\w\s]|_)+(?:\s+(?:[^\w\s]|_)+)*"
)


def chunk_spans(text: str, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Span]:
    """Return ``[start, end)`` ranges, one per paragraph, each at most ``max_chars``.

    One paragraph per parse keeps headlines and captions from being glued into the next
    sentence by the parser; long paragraphs are cut at sentence ends. Stretches that cannot
    hold an attribution are left out (see the module docstring).
    """
    spans: list[Span] = []
    for start, end in paragraph_bounds(text):
        for s, e in _parsable(text, start, end):
            for piece_start, piece_end in _cut_sentences(text, s, e):
                spans.extend(_split_long(text, piece_start, piece_end, max_chars))
    return spans


def _parsable(text: str, start: int, end: int) -> list[Span]:
    """The paragraph without over-long words and long stretches of marks, trimmed."""
    pieces: list[Span] = []
    at = start
    for match in _UNPARSED.finditer(text, start, end):
        stretch = match.group()
        if len(stretch) <= MAX_WORD_CHARS and len(stretch) - _blanks(stretch) < _MARKS_ONLY:
            continue
        pieces.append((at, match.start()))
        at = match.end()
    pieces.append((at, end))
    return _not_blank(text, pieces)


def _blanks(stretch: str) -> int:
    return sum(ch.isspace() for ch in stretch)


def _not_blank(text: str, spans: list[Span]) -> list[Span]:
    """The spans that hold more than whitespace (kept as they are: a parse sees its spaces)."""
    return [(s, e) for s, e in spans if e > s and not text[s:e].isspace()]


def _cut_sentences(text: str, start: int, end: int) -> list[Span]:
    """Cut runs without a sentence end longer than ``MAX_SENTENCE_CHARS`` at spaces."""
    pieces: list[Span] = []
    at = last_end = start
    for match in [*_SENTENCE_END.finditer(text, start, end), None]:
        stop = match.end() if match is not None else end
        while stop - last_end > MAX_SENTENCE_CHARS:
            limit = last_end + MAX_SENTENCE_CHARS
            space = text.rfind(" ", last_end + MAX_SENTENCE_CHARS // 2, limit)
            cut = space + 1 if space >= 0 else limit
            pieces.append((at, cut))
            at = last_end = cut
        last_end = stop
    pieces.append((at, end))
    return _not_blank(text, pieces)


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
