"""Character-span arithmetic shared by the patterns, the resolver and the evals."""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Span

# Marks trimmed from the edges of a content span unless they close a quotation.
_EDGE_PUNCT = " \t\n\r,;:-–—.()[]"


def merge(spans: Iterable[Span], *, gap: int = 0) -> list[Span]:
    """Return sorted spans with overlapping (or ``gap``-close) ones merged."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def subtract(spans: Iterable[Span], cut: Span) -> list[Span]:
    """Remove ``cut`` from every span, splitting where needed."""
    out: list[Span] = []
    for s, e in spans:
        if not overlaps((s, e), cut):
            out.append((s, e))
            continue
        if s < cut[0]:
            out.append((s, cut[0]))
        if cut[1] < e:
            out.append((cut[1], e))
    return out


def trim(text: str, span: Span) -> Span | None:
    """Strip whitespace and dangling punctuation from the edges; keep closing quote marks."""
    s, e = span
    while s < e and text[s] in _EDGE_PUNCT:
        s += 1
    # A period just inside a closing quote survives: the quote mark stops the trim.
    while e > s and text[e - 1] in _EDGE_PUNCT:
        e -= 1
    return (s, e) if e > s else None


def clean(text: str, spans: Iterable[Span]) -> list[Span]:
    """Trim every span, drop empty ones and merge what touches across whitespace."""
    trimmed = [t for t in (trim(text, sp) for sp in spans) if t is not None]
    merged: list[Span] = []
    for s, e in merge(trimmed):
        if merged and not text[merged[-1][1] : s].strip():
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def char_count(spans: Iterable[Span]) -> int:
    """Number of characters covered by possibly overlapping spans."""
    return sum(e - s for s, e in merge(spans))


def intersection(a: Iterable[Span], b: Iterable[Span]) -> int:
    """Number of characters covered by both span sets."""
    left, right = merge(a), merge(b)
    i = j = total = 0
    while i < len(left) and j < len(right):
        lo = max(left[i][0], right[j][0])
        hi = min(left[i][1], right[j][1])
        total += max(0, hi - lo)
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return total


def dice(a: Iterable[Span], b: Iterable[Span]) -> float:
    """Character-level Dice coefficient of two span sets."""
    a, b = list(a), list(b)
    size = char_count(a) + char_count(b)
    return 2 * intersection(a, b) / size if size else 0.0
