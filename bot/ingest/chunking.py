"""Sentence-aware chunking with overlap, over the text's content blocks.

Boilerplate lines (copyright, "Related News", photo credits, share prompts) split the text
into content blocks; chunks never cross or contain them, yet the stored text is untouched:
each chunk is only a ``[start, end)`` window with ``text[start:end] == chunk.text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.model import Chunk, Span

if TYPE_CHECKING:
    from spacy.language import Language

_BOILERPLATE = re.compile(
    r"""^(?:
        .*\bcopyright\b.* | .*©.* | .*\ball\ rights\ reserved\b.*
      | (?:related|recommended|more|latest|popular|trending)\ (?:news|stories|articles|reading|posts)
      | read\ (?:more|also|next) .{0,80} | see\ also .{0,80} | advertisement | sponsored(?:\ content)?
      | share(?:\ this)?(?:\ (?:article|story|post))?(?:\ on\ \w+)? | click\ here .{0,120}
      | follow\ us .{0,80} | (?:sign\ up|subscribe) .{0,120}
      | (?:photo|image|picture|credit|source)s?\ ?(?:credit)?:\ .{0,200}
      | .{0,200}\bcredit:\ ?\S.{0,80}
      | \(?(?:photo|image)\ by\ .{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A very long line is cut into windows of this size before sentence splitting, so that
# chunking stays linear in the length of the text whatever its shape.
_WINDOW = 20_000
_MAX_WORD, _MARKS = 200, 32  # as in bot.attribution.chunking: no news word or mark run is as long
_MARK_STRETCH = re.compile(rf"\S{{{_MAX_WORD + 1},}}|(?:[^\w\s]|_)+(?:\s+(?:[^\w\s]|_)+)*")
_NOT_BLANK = re.compile(r"\S")


def is_boilerplate(line: str) -> bool:
    """True when a whole line is page furniture rather than reporting."""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 300 and bool(_BOILERPLATE.match(stripped))


def content_lines(text: str) -> Iterator[list[Span]]:
    """Yield blocks of consecutive non-boilerplate, non-empty lines, as trimmed spans."""
    block: list[Span] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        if is_boilerplate(line):
            if block:
                yield block
            block = []
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        end = match.end() - (len(line) - len(line.rstrip()))
        if end > start:
            block.append((start, end))
    if block:
        yield block


@lru_cache(maxsize=1)
def _sentencizer() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = _WINDOW * 2
    return nlp


def _for_sentencizer(window: str) -> str:
    """The window as the sentencizer reads it, character for character, so offsets stay exact.

    spaCy cannot encode lone surrogates: one replacement character each. Its tokenizer strips
    affixes one at a time, each search scanning the rest of the word, so a long word or a long
    stretch of marks (``"`` a hundred thousand times) costs the square of its length: such
    stretches are read as letters, which hold no sentence end anyway.
    """
    window = _SURROGATE.sub("\ufffd", window)
    return _MARK_STRETCH.sub(_as_letters, window)


def _as_letters(match: re.Match[str]) -> str:
    stretch = match.group()
    if len(stretch) <= _MAX_WORD and len(stretch) - sum(c.isspace() for c in stretch) < _MARKS:
        return stretch
    return _NOT_BLANK.sub("x", stretch)


def sentence_spans(text: str, lines: list[Span]) -> list[Span]:
    """Split each line into sentence spans (absolute, trimmed); sentences never cross lines."""
    windows = [
        (s, min(s + _WINDOW, e)) for line_start, e in lines for s in range(line_start, e, _WINDOW)
    ]
    spans: list[Span] = []
    docs = _sentencizer().pipe(_for_sentencizer(text[s:e]) for s, e in windows)
    for (offset, _), doc in zip(windows, docs, strict=True):
        for sent in doc.sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


def pack(sentences: list[Span], *, max_chars: int, overlap: int) -> Iterator[Span]:
    """Greedily pack consecutive sentences into windows of at most ``max_chars``.

    Each window after the first repeats the last ``overlap`` sentences of the one before.
    A single sentence longer than ``max_chars`` becomes a window of its own.
    """
    i, n = 0, len(sentences)
    while i < n:
        j = i + 1
        while j < n and sentences[j][1] - sentences[i][0] <= max_chars:
            j += 1
        yield sentences[i][0], sentences[j - 1][1]
        if j >= n:
            return
        i = max(j - overlap, i + 1)


def chunk_text(
    text: str, *, article_id: str, max_chars: int = 700, overlap: int = 1
) -> list[Chunk]:
    """Cut an article's text into overlapping sentence-aware chunks with exact offsets."""
    chunks: list[Chunk] = []
    for block in content_lines(text):
        for start, end in pack(sentence_spans(text, block), max_chars=max_chars, overlap=overlap):
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{article_id}:{ordinal}",
                    article_id=article_id,
                    ordinal=ordinal,
                    start=start,
                    end=end,
                    text=text[start:end],
                )
            )
    return chunks
