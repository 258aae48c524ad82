"""Quotation-mark pairing that survives unbalanced, mixed and multi-paragraph quotes.

``pair_quotes`` returns the top-level quotations of a text as half-open spans that include
the marks themselves (PolNeAR's convention). Guarantees, whatever the input: spans are
sorted, disjoint, inside the text, start on an opening mark, and pairing is linear in length.
A double quote still open at the end of a paragraph is closed there, which is how news
writing continues a quotation into the next paragraph.
"""

from __future__ import annotations

import re

from bot.model import Span

# Opening double marks and the marks that may close them (mixed styles are common).
_DOUBLE_OPENERS: dict[str, str] = {
    "“": "”\"",
    "«": "»",
    "„": "“”\"",
    '"': "\"”",
}
_DOUBLE_CLOSERS = frozenset("”»")
_SINGLE_OPENERS = frozenset("‘'‹")
_SINGLE_CLOSERS = frozenset("’'›")
QUOTE_MARKS = "".join(sorted(set(_DOUBLE_OPENERS) | _DOUBLE_CLOSERS | _SINGLE_OPENERS | _SINGLE_CLOSERS))
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LINE = re.compile(r"\n")


def paragraph_bounds(text: str) -> list[Span]:
    """Split ``text`` into paragraphs: blank-line separated, else one per line."""
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE
    bounds: list[Span] = []
    start = 0
    for match in splitter.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def pair_quotes(text: str) -> list[Span]:
    """Return the top-level quotations of ``text`` as spans including their marks."""
    spans: list[Span] = []
    for start, end in paragraph_bounds(text):
        spans.extend(_pair_paragraph(text, start, end))
    return spans


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _pair_paragraph(text: str, start: int, end: int) -> list[Span]:
    """Pair the marks of one paragraph with a small state machine."""
    spans: list[Span] = []
    double: tuple[int, str] | None = None  # (offset, accepted closers)
    single: int | None = None
    for i in range(start, end):
        ch = text[i]
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if double is not None and ch in double[1] and not prev.isspace():
            spans.append((double[0], i + 1))
            double, single = None, None
        elif ch in _DOUBLE_OPENERS and ch != "”" and not nxt.isspace():
            if ch == '"' and _is_word(prev):
                continue  # a stray mark glued to a word, e.g. 12" or inches
            # An opener while one is open means the earlier one was never closed: drop it.
            double, single = (i, _DOUBLE_OPENERS[ch]), None
        elif ch == "”" and double is None and prev.isspace() and _is_word(nxt):
            double = (i, "”\"")  # some texts use the closing mark on both sides
        elif ch in _DOUBLE_CLOSERS:
            continue  # a stray closer: ignore it
        elif double is None:
            single, closed = _step_single(ch, prev, nxt, single, i)
            if closed is not None:
                spans.append(closed)
    if double is not None and end - double[0] > 1:
        tail = len(text[double[0] : end].rstrip())
        spans.append((double[0], double[0] + tail))
    return spans


def _step_single(
    ch: str, prev: str, nxt: str, single: int | None, i: int
) -> tuple[int | None, Span | None]:
    """Advance single-quote state; apostrophes inside or after words are skipped."""
    if ch in _SINGLE_CLOSERS and single is not None and not prev.isspace() and not _is_word(nxt):
        return None, (single, i + 1)
    if ch in _SINGLE_OPENERS and not _is_word(prev) and nxt.isalpha():
        if ch == "'" and single is not None:
            return single, None  # nested straight marks are too ambiguous to reopen
        return i, None
    return single, None
