"""Numbers in a claim's content, so claims about the same count can be compared."""

from __future__ import annotations

import re

from bot.model import Quantity, Span

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozens": 24, "hundreds": 100,
    "thousands": 1000, "millions": 1_000_000,
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_APPROX = (
    r"up\s+to|about|around|roughly|approximately|nearly|almost|over|more\s+than|less\s+than|"
    r"fewer\s+than|at\s+least|at\s+most|as\s+many\s+as|some|an\s+estimated|close\s+to"
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
_NUMBER = re.compile(
    rf"(?:(?P<approx>\b(?:{_APPROX}))\s+)?(?P<cur>[$€£])?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:{'|'.join(_WORD_NUMBERS)})\b)"
    rf"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m)\b)?"
    rf"(?:\s*(?P<unit>%|percent|per\s+cent|km|kilometres|kilometers|miles|kg|tonnes|tons)\b|(?<=%))?",
    re.IGNORECASE,
)
_COUNTED = re.compile(r"\s+(?:of\s+)?(?P<adj>[a-z]+ed\s+)?(?P<noun>[a-z][a-z-]+)")
_DATE_BEFORE = re.compile(rf"(?:{_MONTHS})\s*$")
_DATE_AFTER = re.compile(rf"^\s*(?:{_MONTHS})")
_NOT_COUNTED = frozenset(
    {"and", "or", "of", "the", "a", "in", "on", "to", "per", "percent", "than", "for", "at",
     "by", "from", "with", "is", "are", "was", "were", "had", "have", "has", "will"}
)


def find_quantities(text: str, spans: tuple[Span, ...]) -> tuple[Quantity, ...]:
    """Return the quantities written inside the given spans of ``text``."""
    found: list[Quantity] = []
    for start, end in spans:
        for match in _NUMBER.finditer(text, start, end):
            quantity = _quantity(text, match, end)
            if quantity is not None:
                found.append(quantity)
    return tuple(found)


def _quantity(text: str, match: re.Match[str], limit: int) -> Quantity | None:
    """Build one Quantity, skipping dates and years that only look like counts."""
    raw = match.group("num")
    if _DATE_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        return None
    if _DATE_AFTER.match(text[match.end() : match.end() + 12]):
        return None
    if re.fullmatch(r"(19|20)\d\d", raw) and not match.group("approx"):
        return None  # a year
    value = _WORD_NUMBERS.get(raw.lower())
    number = float(value) if value is not None else float(raw.replace(",", ""))
    scale = match.group("scale")
    if scale:
        number *= _SCALES[scale.lower()]
    unit = _unit(match)
    counted = None
    tail = _COUNTED.match(text, match.end(), limit)
    if tail and tail.group("noun").lower() not in _NOT_COUNTED:
        counted = (tail.group("adj") or "") + tail.group("noun")
    start = match.start("approx") if match.group("approx") else match.start()
    return Quantity(
        value=number, text=text[start : match.end()].strip(), span=(start, match.end()),
        unit=unit, counted=counted, approximate=bool(match.group("approx")),
    )


def _unit(match: re.Match[str]) -> str | None:
    unit = match.group("unit")
    if unit:
        return "percent" if unit in {"%"} or "cent" in unit.lower() else unit.lower()
    cur = match.group("cur")
    return cur or None


def figure_key(value: float) -> str:
    """A figure as one string whatever its spelling: "15,000", "15000" and "15 thousand" -> "15000"."""
    return f"{value:.10g}" if value != int(value) else str(int(value))


def figures_in(text: str) -> set[str]:
    """Every figure of a text (digits, with or without separators, and spelled scales), as ``figure_key``s.

    The one number comparison of the answering core: the who-said filter, the figure bonus and
    the claim checks all compare figures through it.
    """
    quantities = find_quantities(text, ((0, len(text)),))
    taken = [q.span for q in quantities]
    digits = {
        figure_key(float(m.group().replace(",", "")))
        for m in _DIGITS.finditer(text) if not any(s <= m.start() < e for s, e in taken)
    }
    return digits | {figure_key(q.value) for q in quantities}


_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


_UPPER = ("up to", "as many as", "at most", "less than", "fewer than")
_LOWER = ("more than", "over", "at least")
_BELOW = ("nearly", "almost")
_PLURAL_WORDS = frozenset({"dozens", "hundreds", "thousands", "millions"})
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "dead": "dead"}


def parse_quantities(text: str) -> tuple[Quantity, ...]:
    """The quantities written in a claim text."""
    return find_quantities(text, ((0, len(text)),)) if text else ()


def matching_quantities(quantity: Quantity, others: tuple[Quantity, ...]) -> tuple[Quantity, ...]:
    """Quantities counting the same thing in the same unit; unnamed counts match as a fallback."""
    same_unit = [q for q in others if q.unit == quantity.unit]
    key = counted_key(quantity.counted)
    exact = tuple(q for q in same_unit if key is not None and counted_key(q.counted) == key)
    if exact:
        return exact
    return tuple(q for q in same_unit if key is None or q.counted is None)


def compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two figures can describe the same count: their hedged ranges overlap."""
    low_a, high_a = quantity_range(a)
    low_b, high_b = quantity_range(b)
    slack = 1e-9 * max(abs(high_a), abs(high_b), 1.0)
    return low_a <= high_b + slack and low_b <= high_a + slack


def quantity_range(quantity: Quantity) -> tuple[float, float]:
    """The values a hedged figure admits, e.g. "about 500" -> (450, 550)."""
    value = abs(quantity.value)
    text = quantity.text.lower()
    if text.split()[-1:] and text.split()[-1] in _PLURAL_WORDS:
        return value, value * 10  # "thousands" is at least a thousand, less than ten thousand
    if text.startswith(_UPPER):
        return value * 0.5, value
    if text.startswith(_LOWER):
        return value, value * 2
    if text.startswith(_BELOW):
        return value * 0.9, value
    if quantity.approximate:
        return value * 0.9, value * 1.1
    return value, value


def counted_key(counted: str | None) -> str | None:
    """Normalise what is counted without a lemmatiser: lower case, plurals stripped."""
    if not counted:
        return None
    words = [_singular(w) for w in re.findall(r"[a-z]+", counted.lower())]
    return " ".join(words) or None


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word
