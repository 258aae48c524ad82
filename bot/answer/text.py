"""Text helpers for verifying answers: sentences, quoted text and content words.

Everything here is regex-based and linear in the length of the text, and never raises on
odd input (empty strings, unbalanced quotes, stray brackets).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from bot.attribution.quantities import figure_key, figures_in


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A sentence ends at . ! ? or … plus closing quotes/brackets, then any [n] markers after it.
_END = re.compile(r"[.!?…]+[\"”’')]*(?:[ \t]*\[\d+\])*[.!?]?(?=\s|$)")
_LAST_WORD = re.compile(r"(\S+)$")
_ABBREVIATIONS = _words(
    "mr mrs ms dr prof st gen col lt sgt capt gov sen rep jr sr no vs etc e.g i.e u.s u.k u.n "
    "inc ltd co corp dept est approx fig jan feb mar apr jun jul aug sep sept oct nov dec"
)
_MAX_QUOTED = 1500  # an unclosed quote stops holding sentences together after this many characters
_LIST_PREFIX = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")

# Quoted text: curly doubles, straight doubles, and curly singles only when clearly a quote
# (opening after a non-word character, closing before one, and more than one word inside),
# because ’ is also the apostrophe.
_QUOTES = (
    re.compile(r"“([^“”]*)”"),
    re.compile(r"\"([^\"]*)\""),
    re.compile(r"(?<!\w)‘([^‘’]*?\s[^‘]*?)’(?!\w)"),
)
# Ellipses and editorial [insertions] split a quote into fragments that are checked separately.
_QUOTE_GAP = re.compile(r"\.\.\.|…|\[[^\]]*\]")
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

STOPWORDS = _words(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves
    yet may might must shall upon whether however although though while thus"""
)
# Neutral reporting and framing words an answer adds around a claim ("X said", "according to
# the sources") without the passage needing to contain them; stance verbs such as "denied"
# or "admitted" are deliberately absent because they carry meaning.
FRAMING_WORDS = _words(
    """said say says saying told tells tell stated states state according added adds noted notes
    reported reports report announced announces claimed claims claim wrote writes statement
    source sources passage passages article articles cited cites quoted quote quotes
    also further meanwhile separately unattributed"""
)


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence of a text with the whitespace that followed it."""

    text: str
    sep: str


def split_sentences(text: str) -> list[Segment]:
    """Split text into sentences, keeping markers with the sentence they follow."""
    segments: list[Segment] = []
    for line in re.split(r"(\n+)", text):
        if not line:
            continue
        if line.startswith("\n"):
            if segments:
                last = segments[-1]
                segments[-1] = Segment(last.text, last.sep + line)
            continue
        segments.extend(_split_line(line))
    return segments


def _split_line(line: str) -> list[Segment]:
    segments: list[Segment] = []
    start = scanned = curly = straight = 0
    for match in _END.finditer(line):
        # Track open curly and straight quotes incrementally so a quoted passage of several
        # sentences stays one sentence, without rescanning (which would be quadratic).
        chunk = line[scanned : match.end()]
        scanned = match.end()
        curly += chunk.count("“") - chunk.count("”")
        straight = (straight + chunk.count('"')) % 2
        inside = curly > 0 or straight == 1
        if (inside and match.end() - start < _MAX_QUOTED) or not _is_boundary(line, start, match):
            continue
        curly = straight = 0
        gap_end = match.end()
        while gap_end < len(line) and line[gap_end].isspace():
            gap_end += 1
        if line[start : match.end()].strip():
            segments.append(Segment(line[start : match.end()].strip(), line[match.end() : gap_end]))
        start = gap_end
    if line[start:].strip():
        segments.append(Segment(line[start:].strip(), ""))
    return segments


def _is_boundary(line: str, start: int, match: re.Match[str]) -> bool:
    """Reject full stops after abbreviations and initials, or before a lower-case word."""
    after = line[match.end() :].lstrip()
    if after and after[0].islower():
        return False
    if not match.group().startswith("."):
        return True
    word = _LAST_WORD.search(line, start, match.start())
    if word is None:
        return True
    token = word.group(1).lstrip("(\"“'‘").lower()
    if token in _ABBREVIATIONS:
        return False
    return not (len(token) == 1 and token.isalpha())  # an initial such as "J."


def join_sentences(segments: list[Segment], keep: list[bool]) -> str:
    """Rebuild text from the kept segments, keeping paragraph breaks of dropped ones."""
    parts: list[str] = []
    for segment, kept in zip(segments, keep, strict=True):
        if kept:
            parts.extend([segment.text, segment.sep])
        elif parts and segment.sep.count("\n") > parts[-1].count("\n"):
            parts[-1] = segment.sep  # a dropped paragraph end still ends the paragraph
    return "".join(parts).strip()


def strip_list_prefix(sentence: str) -> str:
    """Remove a leading bullet or list number, which is layout rather than content."""
    return _LIST_PREFIX.sub("", sentence, count=1)


def quoted_fragments(sentence: str) -> list[list[str]]:
    """Return the quotations in a sentence, each as its normalised fragments."""
    quotes: list[list[str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _QUOTES:
        for match in pattern.finditer(sentence):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue  # already inside a quote found by an earlier pattern
            taken.append(match.span())
            fragments = [normalise(part) for part in _QUOTE_GAP.split(match.group(1))]
            fragments = [f for f in fragments if any(ch.isalnum() for ch in f)]
            if fragments:
                quotes.append(fragments)
    return quotes


def normalise(text: str) -> str:
    """Fold quote styles, dashes, case and whitespace so verbatim checks ignore typography."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_CHARS)
    # Quotes are often re-cased when embedded and carry punctuation of the host sentence.
    return _SPACE.sub(" ", text).strip(" \t\n,.;:!?'\"").casefold()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# Irregular past forms and their verbs. Content terms read them as the verb, so that "kept ...
# quiet" shares "keep" with "tried to keep the incident quiet" (the stemmer only strips regular
# endings); not "built" or "met", whose verbs stem like the nouns "building" and "meeting" ("a
# building site" is no answer to "when was the bridge built?"), nor the reporting words.
IRREGULAR_PAST: dict[str, str] = {
    form: base for base, forms in (
        ("keep", "kept"), ("pay", "paid"), ("spend", "spent"), ("make", "made"), ("take", "took taken"),
        ("give", "gave given"), ("know", "knew known"), ("find", "found"), ("get", "got gotten"),
        ("leave", "left"), ("lose", "lost"), ("send", "sent"), ("see", "saw seen"), ("win", "won"),
        ("begin", "began begun"), ("hold", "held"), ("bring", "brought"), ("buy", "bought"), ("build", "built"),
        ("run", "ran"), ("meet", "met"), ("lead", "led"), ("sell", "sold"), ("hear", "heard"), ("fall", "fell fallen"),
        ("rise", "rose risen"), ("drive", "drove driven"), ("break", "broke broken"), ("choose", "chose chosen"),
        ("fly", "flew flown"), ("grow", "grew grown"), ("hide", "hid hidden"), ("steal", "stole stolen"),
        ("write", "wrote written"), ("speak", "spoke spoken"), ("sleep", "slept"), ("stand", "stood"),
        ("understand", "understood"), ("teach", "taught"), ("catch", "caught"), ("fight", "fought"),
        ("seek", "sought"), ("think", "thought"), ("feel", "felt"), ("deal", "dealt"), ("mean", "meant"),
        ("sit", "sat"), ("shut", "shut"), ("strike", "struck"), ("freeze", "froze frozen"), ("wake", "woke woken"),
        ("forbid", "forbade forbidden"), ("withdraw", "withdrew withdrawn"), ("undertake", "undertook undertaken"),
        ("say", "said"), ("tell", "told"), ("put", "put"), ("cut", "cut"), ("set", "set"),
    ) for form in forms.split()
}
_AS_VERBS = {form: base for form, base in IRREGULAR_PAST.items() if form not in {"built", "met", "said", "told"}}


def content_terms(text: str, *, framing: bool = False) -> set[str]:
    """Stemmed, lower-cased content words and normalised numbers of a text.

    Reporting words ("said", "told", "report") are left out unless ``framing``: in a statement's
    own words ("staff were told not to report leaks") they are the point.
    """
    words: list[str] = []
    numbers: set[str] = set()
    for token in _TOKEN.findall(text.lower()):
        if token[0].isdigit():
            numbers.add(_number(token))
            continue
        token = re.sub(r"['’]s$", "", token)
        token = _AS_VERBS.get(token, token)
        if token not in STOPWORDS and (framing or token not in FRAMING_WORDS) and len(token) > 1:
            words.append(token)
    return set(_stemmer().stemWords(words)) | numbers


# Words of a question that ask for something rather than name it ("how many bodies").
QUESTION_WORDS = _words("many much often")
_CAPITALISED = re.compile(r"\b[^\W\d_][\w'’-]*")


def topic_terms(text: str) -> set[str]:
    """Content terms of a question or claim that are not names, or all of them if only names.

    A name ("Borodyanka", "Harbor Bridge") places a question but is not what it asks about: a
    source that only shares the place does not answer "What is the population of Borodyanka?".
    """
    common = " ".join(w for w in _CAPITALISED.findall(text) if not w[0].isupper())
    digits = " ".join(_NUMBER.findall(text))
    terms = content_terms(f"{common} {digits}") - _question_terms()
    return terms or content_terms(text) - _question_terms()


@lru_cache(maxsize=1)
def _question_terms() -> frozenset[str]:
    return frozenset(content_terms(" ".join(QUESTION_WORDS)))


def coverage(terms: set[str], text: str) -> float:
    """Share of ``terms`` (from ``topic_terms``) that occur among the content terms of ``text``."""
    return len(terms & content_terms(text)) / len(terms) if terms else 0.0


def point_coverage(content: str, found: str) -> float:
    """Share of a statement's words, names and reporting words included, that ``found`` has.

    In "staff were told not to report leaks", "told" and "report" are the point, not framing;
    in "Quillon's negligence did not cause the explosion", so is "Quillon".
    """
    terms = content_terms(content, framing=True)
    return len(terms & content_terms(found, framing=True)) / len(terms) if terms else 0.0


def numbers_in(text: str) -> set[str]:
    """The figures of a text, spelled one way ("15,000", "15000" and "15 thousand" agree)."""
    return figures_in(text)


def _number(token: str) -> str:
    """A number token as ``figure_key`` spells it ("1,351" -> "1351", "2.0" -> "2")."""
    try:
        return figure_key(float(token.replace(",", "")))
    except ValueError:  # "1.2.3": not one number
        return token


def word_count(text: str) -> int:
    """Number of word tokens in a text."""
    return len(_TOKEN.findall(text))
