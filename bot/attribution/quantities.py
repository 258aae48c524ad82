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
