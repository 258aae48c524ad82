"""Dates as news writes them, read into comparable parts.

"October 15", "15 October", "Oct. 15, 2024", "the 21st", "Monday", "March 2023", "2022": each is
read into a ``Date`` of the parts it gives (year, month, day, weekday). Two dates agree when every
part both give is the same, and differ when one part both give is not: "October 21" differs from
"October 15" and from "the 15th", agrees with "October" and "the 21st", and is neither the same as
nor other than "Monday" (they share no part).

Month names are read in any case except "May" and "March", which must be capitalised ("may" and
"march" are verbs); abbreviations need their full stop ("Oct.").

Times of day ("9:40 p.m.", "21:40", "9 pm", "7 o'clock", "at about 3.15", "noon", "midnight")
are read apart, into minutes after midnight and the bound they may be ("by 9 p.m.",
``find_times``): two times differ when they are more than ``TIME_TOLERANCE`` minutes apart, so
"about 9:40" is not told from "9:45"; a time written without a.m. or p.m. ("at 9:40") may be
either half of the day; and a point differs from a bound it lies outside ("at about 3.15" is
not "after 7 p.m.").
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FULL = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ABBREVIATED = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

# A month as a pattern: case-insensitive names but "May" and "March", abbreviations with a full stop.
MONTH = (
    r"(?:(?i:" + "|".join(m for m in _FULL if m not in ("may", "march")) + r")|May|March"
    r"|(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.)"
)
_WEEKDAY = r"(?i:" + "|".join(_WEEKDAYS) + r")"
_YEAR = r"(?:19|20)\d\d"
_ORDINAL = r"(?:st|nd|rd|th)"

DATE = re.compile(
    rf"\b(?:(?:(?i:the)\s+)?(?P<d1>\d{{1,2}}){_ORDINAL}?\s+(?:of\s+)?(?P<m1>{MONTH})(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{MONTH})\s+(?P<d2>\d{{1,2}}){_ORDINAL}?(?!\d)(?:,?\s+(?P<y2>{_YEAR}))?"
    rf"|(?P<m3>{MONTH})(?:\s+(?P<y3>{_YEAR}))?"
    rf"|(?i:the)\s+(?P<d4>\d{{1,2}}){_ORDINAL}"
    rf"|(?P<w>{_WEEKDAY})"
    rf"|(?P<y4>{_YEAR}))(?![\w-])"
)


class Date(NamedTuple):
    """The parts a written date gives; None where it gives none."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None

    def agrees(self, other: Date) -> bool:
        """Whether both give a part and every part both give is the same."""
        shared = [(a, b) for a, b in zip(self, other, strict=True) if a is not None and b is not None]
        return bool(shared) and all(a == b for a, b in shared)

    def differs(self, other: Date) -> bool:
        """Whether a part both give is not the same: another day, month, weekday or year."""
        return any(a is not None and b is not None and a != b for a, b in zip(self, other, strict=True))


def find_dates(text: str) -> list[tuple[str, Date]]:
    """Every date written in ``text``, as written and as read."""
    return [(match.group(), _read(match)) for match in DATE.finditer(text)]


def read_date(text: str) -> Date | None:
    """The date ``text`` is, if it is one written whole."""
    match = DATE.fullmatch(text.strip())
    return _read(match) if match else None


def _read(match: re.Match[str]) -> Date:
    parts = match.groupdict()
    month = next((parts[k] for k in ("m1", "m2", "m3") if parts[k]), None)
    day = next((parts[k] for k in ("d1", "d2", "d4") if parts[k]), None)
    year = next((parts[k] for k in ("y1", "y2", "y3", "y4") if parts[k]), None)
    weekday = parts["w"]
    return Date(
        year=int(year) if year else None,
        month=_month_number(month) if month else None,
        day=int(day) if day and 1 <= int(day) <= 31 else None,
        weekday=_WEEKDAYS.index(weekday.lower()) if weekday else None,
    )


def _month_number(name: str) -> int:
    word = name.lower().rstrip(".")
    return _FULL.index(word) + 1 if word in _FULL else _ABBREVIATED[word]


# Minutes two written times may be apart and still be the same time ("about 9:40" for "9:45").
TIME_TOLERANCE = 15
_HALF_DAY = 12 * 60
_MERIDIEM = r"(?P<mer>[ap])\.?\s?m\b\.?"
TIME = re.compile(
    rf"\b(?:(?P<h1>\d{{1,2}})[:.](?P<m1>[0-5]\d)(?:\s*{_MERIDIEM})?"
    rf"|(?P<h2>\d{{1,2}})\s*(?P<mer2>[ap])\.?\s?m\b\.?"
    rf"|(?P<h3>\d{{1,2}})(?P<oclock>\s*o['’]clock)"
    rf"|(?P<word>noon|midday|midnight))",
    re.I,
)


class Time(NamedTuple):
    """A time of day as written: minutes after midnight, whether a.m. or p.m. was given, and the
    bound it is, if one ("by", "after", "until": "by 9 p.m." is no point in time)."""

    minutes: int
    meridiem: bool
    bound: str | None = None

    def differs(self, other: Time) -> bool:
        """Whether the two cannot be the same time, ``TIME_TOLERANCE`` minutes allowed.

        Two points (or two bounds of one kind) differ when they are further apart; a point differs
        from a bound it lies outside ("at about 3.15" is not "after 7 p.m."); "after midnight" and
        "by 9 p.m." are not told apart. A time without a.m. or p.m. may be either.
        """
        if not self.compares(other):
            return False
        point, bound = (self, other) if self.bound is None else (other, self)
        readings = [(a, b) for a in point._readings() for b in bound._readings()]
        if bound.bound is None or bound.bound == point.bound:
            return all(_apart(a, b) > TIME_TOLERANCE for a, b in readings)
        if bound.bound in _LOWER_BOUNDS:
            return all(a < b - TIME_TOLERANCE for a, b in readings)
        if bound.bound in _UPPER_BOUNDS:
            return all(a > b + TIME_TOLERANCE for a, b in readings)
        return False

    def compares(self, other: Time) -> bool:
        """Whether the two can be told apart at all: not two bounds of different kinds."""
        return self.bound is None or other.bound is None or self.bound == other.bound

    def _readings(self) -> tuple[int, ...]:
        """Minutes after midnight it may be: both halves of the day without a.m. or p.m."""
        return (self.minutes,) if self.meridiem else (self.minutes % _HALF_DAY, self.minutes % _HALF_DAY + _HALF_DAY)


def _apart(a: int, b: int) -> int:
    return min(abs(a - b), 2 * _HALF_DAY - abs(a - b))


_LOWER_BOUNDS = frozenset({"after", "since", "from"})
_UPPER_BOUNDS = frozenset({"before", "by", "until", "to"})


# The word a time is told with: "at about 3.15", or a bound ("until after midnight", "by 9 p.m.",
# "since 6 a.m.", either end of "from 6 a.m. to noon").
_TOLD = re.compile(
    r"\b(at|after|before|by|until|till|since|from|between|and|to)\s+(?:about\s+|around\s+|shortly\s+)?$", re.I
)
_BOUND_WORDS = {"till": "until", "between": "from", "and": "to"}
# A decimal is a time only told with one of these ("at about 3.15"; "rose to 3.15" is a figure).
_DECIMAL_TIME_WORDS = frozenset({"at", "by", "until", "till", "after", "before", "since", "from"})
_NOT_TIME = re.compile(r"\s*(?:%|per\s*cent|percent|points?|times|[a-z]*illion|euros?|pounds?|dollars?|crowns?"
                       r"|marks?|florins?|metres?|meters?|kilo\w*|miles?|hours?|minutes?)\b", re.I)


def time_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` writes a time no count could be ("6 a.m.", "22:47", "7 o'clock"): its numbers
    are no counts. "at about 3.15" may be a time or a figure, so it stays a figure as well."""
    return [m.span() for m in TIME.finditer(text) if _read_time(m) is not None and not _ambiguous(m)]


def _ambiguous(match: re.Match[str]) -> bool:
    """A decimal-looking time without a.m. or p.m.: "3.15"."""
    return bool(match.group("h1")) and "." in match.group() and not match.group("mer")


def _told(match: re.Match[str]) -> str | None:
    """The word a time is told with, lower case: "at", "by", "after" ... or None."""
    told = _TOLD.search(match.string[: match.start()])
    return told.group(1).lower() if told else None


def find_times(text: str) -> list[tuple[str, Time]]:
    """Every time of day ``text`` gives, as written and as read ("9.40" needs its a.m./p.m., else
    it is a decimal)."""
    out = []
    for match in TIME.finditer(text):
        time = _read_time(match)
        if time is not None:
            word = _told(match)
            bound = None if word in (None, "at") else _BOUND_WORDS.get(word or "", word)
            out.append((match.group().strip(), time._replace(bound=bound)))
    return out


def _read_time(match: re.Match[str]) -> Time | None:
    parts = match.groupdict()
    if parts["word"]:
        return Time(12 * 60 if parts["word"].lower() in ("noon", "midday") else 0, True)
    hour = int(parts["h1"] or parts["h2"] or parts["h3"])
    minute = int(parts["m1"] or 0)
    meridiem = (parts["mer"] or parts["mer2"] or "").lower()
    if _ambiguous(match) and _told(match) not in _DECIMAL_TIME_WORDS:
        return None  # "9.40" without a.m./p.m. is a decimal, unless told "at" ("at about 3.15")
    if _NOT_TIME.match(match.string, match.end()):
        return None  # "at 2.50 per cent", "at 1.20 euros"
    if hour > 23 or (meridiem and not 1 <= hour <= 12):
        return None
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    return Time(hour * 60 + minute, bool(meridiem) or hour > 12 or hour == 0)
