"""Character-level attribution steps: colon cues, vox pops, signed quotations, and linking quotations to cues.

These run on the article text and the candidates from the parser, so they need no spaCy.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import pairwise
from typing import Literal

from bot.attribution.candidates import Candidate, Mention
from bot.attribution.quotes import QUOTE_MARKS
from bot.attribution.spans import clean, merge, overlaps, subtract
from bot.model import Span

# "Pat Caddell: ..." or "WALLACE: ..." at the start of a paragraph or line.
_COLON_CUE = re.compile(
    r"^[ \t]*(?P<name>(?:[A-Z][\w.'’-]*|[a-z]{1,3})(?:[ \t]+(?:[A-Z][\w.'’-]*|of|de|van|von)){0,4})"
    r"[ \t]*(?P<colon>:)[ \t]+(?=\S)",
    re.MULTILINE,
)
_NOT_SPEAKERS = frozenset(
    {
        "note", "editor's note", "editor’s note", "update", "updated", "credit", "photo",
        "source", "sources", "related", "related news", "read more", "watch", "video",
        "warning", "image", "caption", "correction", "by", "tags", "topics", "advertisement",
        "q", "a", "question", "answer", "breaking", "exclusive", "live", "opinion", "analysis",
    }
)
# Vox pops and signed quotations, at the start of a paragraph: "Tomas Ekdal, 31, a teacher in
# Norrvik: ..." (a name, then up to three short descriptions set off by commas: an age, a role, a
# place; the words on that line or the next paragraph), and a paragraph that is one quotation
# signed with a dash ('"..." — Lena Varg, 44, Harl').
_PERSON = r"[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|de|van|von)){1,3}"
_DESCRIBED_COLON = re.compile(
    rf"^[ \t]*(?P<name>{_PERSON})(?:,[ \t]+[^,:;\n\"“”]{{1,40}}?){{1,3}}[ \t]*(?P<colon>:)[ \t]*(?:\n\s*)?(?=\S)",
    re.MULTILINE,
)
_SIGNED = re.compile(
    rf"^[ \t]*(?P<quote>[\"“][^\n]{{12,}}[\"”])[ \t]*(?P<dash>—|–|--?)[ \t]*(?P<name>{_PERSON})"
    r"(?:,[^\n\"“”]{0,60})?[ \t]*$",
    re.MULTILINE,
)
# A line break after a line that ends without closing punctuation: a headline, byline or caption
# ends there, and no sentence runs on across it.
_LAYOUT_BREAK = re.compile(r"(?<=[^\s.!?:;,\"”’'…)\]–—-])[ \t]*\n")
_MIN_QUOTE_WORDS = 4  # shorter quotations are usually scare quotes or titles
_MAX_LINK_GAP = 250  # characters between a cue and a quote it may claim
_BREAKS = re.compile(r"\n\s*")


def colon_candidates(text: str) -> list[Candidate]:
    """Attributions written as 'Name: content' at the start of a line, a vox pop's described name
    ("Tomas Ekdal, 31, a teacher in Norrvik: ...") included."""
    found: list[Candidate] = []
    for match in (*_COLON_CUE.finditer(text), *_DESCRIBED_COLON.finditer(text)):
        name = match.group("name")
        if name.lower() in _NOT_SPEAKERS or not name[0].isupper():
            continue
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        content = clean(text, [(match.end(), end)])
        if not content or len(text[match.end() : end].split()) < 3:
            continue
        kind: Literal["group", "person"] = (
            "group" if name.isupper() and len(name) <= 5 and "." not in name else "person"
        )
        found.append(_named(match, "colon", content, (match.start(), end), kind))
    return found


def signed_candidates(text: str) -> list[Candidate]:
    """Paragraphs that are one quotation signed with a dash ('"..." — Lena Varg, 44, Harl')."""
    return [
        _named(match, "dash", [match.span("quote")], (match.start(), match.end()), "person")
        for match in _SIGNED.finditer(text)
    ]


def _named(
    match: re.Match[str], cue: str, content: list[Span], sentence: Span, kind: Literal["group", "person"]
) -> Candidate:
    """A candidate whose source is the match's ``name`` group and whose cue is its ``cue`` group."""
    name = match.group("name")
    mention = Mention(span=match.span("name"), text=name, kind=kind, name=name, head=name.split()[-1].lower())
    return Candidate(cue_span=match.span(cue), cue=match.group(cue), stance="asserts", content=content,
                     source=mention, sentence=sentence)


def expand_with_quotes(cands: list[Candidate], quotes: list[Span]) -> None:
    """Widen each content span to the whole quotation it overlaps (marks included)."""
    starts = [q[0] for q in quotes]
    for cand in cands:
        blocked = [cand.cue_span] + ([cand.source.span] if cand.source else [])
        grown: list[Span] = list(cand.content)
        for span in cand.content:
            i = max(bisect_right(starts, span[0]) - 1, 0)
            while i < len(quotes) and quotes[i][0] < span[1]:
                q = quotes[i]
                if overlaps(q, span) and not any(overlaps(q, b) for b in blocked):
                    grown.append(q)
                i += 1
        cand.content = merge(grown)


def link_orphan_quotes(text: str, cands: list[Candidate], quotes: list[Span]) -> None:
    """Give each unclaimed quotation to the nearest cue in its paragraph (or the one before)."""
    # Candidates still without content are only attachment points: they never hide a quote.
    taken = merge(s for c in cands if c.content for s in c.spans())
    taken_starts = [t[0] for t in taken]
    ordered = sorted(cands, key=lambda c: c.cue_span)
    cue_starts = [c.cue_span[0] for c in ordered]
    quote_starts = [q[0] for q in quotes]
    for quote in quotes:
        i = bisect_right(taken_starts, quote[0]) - 1
        near_taken = taken[max(i, 0) : i + 2]
        if _covered(quote, near_taken) or (
            len(text[quote[0] : quote[1]].split()) < _MIN_QUOTE_WORDS and not _whole_sentence(text, quote)
        ):
            continue
        lo = bisect_right(cue_starts, quote[0] - _MAX_LINK_GAP - 50)
        hi = bisect_right(cue_starts, quote[1] + _MAX_LINK_GAP)
        # A cue inside someone's quoted words ("'We did not agree to ...,' he said") is theirs to
        # quote, never the one a nearby quotation belongs to.
        outside = [c for c in ordered[lo:hi] if not _quoted(c.cue_span, quotes, quote_starts)]
        best = _nearest(text, quote, outside)
        if best is not None:
            best.extra.append(quote)


def _whole_sentence(text: str, quote: Span) -> bool:
    """Whether a short quotation is a sentence of its own ("'You cannot.'" after "..., she said."),
    not a phrase in scare quotes inside one."""
    inner = text[quote[0] : quote[1]].strip(QUOTE_MARKS + " ")
    before = text[max(0, quote[0] - 5) : quote[0]].rstrip(" \t")
    return bool(inner) and inner[0].isupper() and inner[-1] in ".!?" and (not before or before[-1] in ".!?\n")



def _quoted(span: Span, quotes: list[Span], starts: list[int]) -> bool:
    i = bisect_right(starts, span[0]) - 1
    return i >= 0 and quotes[i][0] < span[0] and span[1] <= quotes[i][1]


def _covered(span: Span, taken: list[Span]) -> bool:
    return any(overlaps(span, t) for t in taken)


def _nearest(text: str, quote: Span, cands: list[Candidate]) -> Candidate | None:
    """The closest cue without a paragraph break in between, preferring ones still empty."""
    best: tuple[float, Candidate] | None = None
    for cand in cands:
        if cand.source is None or cand.kind == "according-to":
            continue
        if cand.cue_span[1] <= quote[0]:
            lo, hi, after = cand.cue_span[1], quote[0], True
        else:
            lo, hi, after = quote[1], cand.cue_span[0], False
        gap = hi - lo
        if gap < 0 or gap > _MAX_LINK_GAP or _crosses_paragraph(text[lo:hi], after=after):
            continue
        score = gap / (3.0 if not cand.content else 1.0)
        if best is None or score < best[0]:
            best = (score, cand)
    return best[1] if best else None


def _crosses_paragraph(between: str, *, after: bool) -> bool:
    """A quote may open the paragraph after its cue's one, but never jump further."""
    if "\n" not in between:
        return False
    if not after:
        return True
    opens_paragraph = not between.rsplit("\n", 1)[1].strip()
    return not opens_paragraph or len(_BREAKS.findall(between)) > 1


def finish(cands: list[Candidate], text: str) -> list[Candidate]:
    """Fold attached quotes into the content, keep it on its cue's side of a layout break, and
    drop candidates left without content."""
    done: list[Candidate] = []
    breaks = [m.start() for m in _LAYOUT_BREAK.finditer(text)]
    for cand in cands:
        content = merge([*cand.content, *cand.extra])
        content = subtract(content, cand.cue_span)
        if cand.source is not None:
            content = subtract(content, cand.source.span)
        content = _cue_block(text, content, cand.cue_span, breaks)
        cand.content, cand.extra = [s for s in content if s[1] > s[0]], []
        if cand.content:
            done.append(cand)
    return done


def _cue_block(text: str, content: list[Span], cue: Span, breaks: list[int]) -> list[Span]:
    """The content cut at layout breaks (sorted offsets), only the part in the cue's block kept
    (when it has one).

    "Kremlin admits to 'significant' loss of troops" as a headline, and the byline below it:
    the content ends with the headline.
    """
    first, last = bisect_left(breaks, cue[0]), bisect_left(breaks, cue[1])
    lo = breaks[first - 1] if first else -1
    hi = breaks[last] if last < len(breaks) else len(text)
    pieces: list[Span] = []
    for s, e in content:
        edges = [s, *breaks[bisect_right(breaks, s) : bisect_left(breaks, e)], e]
        pieces.extend((a, b) for a, b in pairwise(edges) if b > a)
    near = [(s, e) for s, e in pieces if lo <= s and e <= hi]
    return clean(text, near) if near and len(near) < len(pieces) else content
