"""Numbers in a claim's content, so claims about the same count can be compared."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from bot.attribution.dates import MONTH, time_spans
from bot.model import Quantity, Span

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBERS = {
    **_UNITS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, **_TENS, "hundred": 100, "dozens": 24, "hundreds": 100,
    "thousands": 1000, "millions": 1_000_000,
    # "twenty-five", "ninety-nine"
    **{f"{tens}-{unit}": t + u for tens, t in _TENS.items() for unit, u in _UNITS.items()},
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_APPROX = (
    r"not?\s+(?:fewer|less|more)\s+than|up\s+to|about|around|roughly|approximately|nearly|almost|over|more\s+than|less\s+than|"
    r"fewer\s+than|at\s+least|at\s+most|as\s+many\s+as|as\s+high\s+as|as\s+much\s+as|some|an\s+estimated|"
    r"close\s+to"
)
_NUMBER_WORDS = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))  # "twenty-five" before "twenty"
_NUMBER = re.compile(
    rf"(?:(?P<approx>\b(?:{_APPROX}))\s+)?(?:an?\s+(?=hundred\b|thousand\b|dozen))?(?P<cur>[$€£])?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:{_NUMBER_WORDS})\b)"
    rf"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m)\b)?"
    rf"(?:\s*(?P<unit>%|percent|per\s+cent|km|kilometres|kilometers|miles|kg|tonnes|tons)\b|(?<=%))?",
    re.IGNORECASE,
)
# A share written in words: "by a third", "two-thirds of", "half of", "by half". An ordinal is not
# one ("a third inspector", "the fifth day"), so a share needs "by" before it or "of" after it.
_SHARES = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
           "tenth": 10, "tenths": 10}
_SHARE_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "nine": 9}
_SHARE_WORDS = (
    r"(?P<{0}count>a|an|one|two|three|four|nine)[\s-]+(?P<{0}part>halves|half|thirds?|quarters?|fifths?|tenths?)"
)
_FRACTION = re.compile(
    rf"(?:(?P<approx>\b(?:{_APPROX}))\s+)?(?:"
    rf"(?<=\bby\s){_SHARE_WORDS.format('')}\b(?!-)"  # "by a third"
    rf"|\b{_SHARE_WORDS.format('o_')}\s+of\b"  # "two-thirds of"
    rf"|(?<=\bby\s)half\b|\bhalf\s+(?=of\b|the\b|its\b|their\b|his\b|her\b))",  # "by half", "half the"
    re.IGNORECASE,
)
_COUNTED = re.compile(r"(?:\s+|-)(?:of\s+)?(?P<adj>[a-z]+ed\s+)?(?P<noun>[a-z][a-z-]+)")
_DATE_BEFORE = re.compile(rf"{MONTH}\s*$")
_DATE_AFTER = re.compile(rf"^\s*(?:of\s+)?{MONTH}")
_ORDINAL_OR_CLOCK = re.compile(r"(?:st|nd|rd|th)\b|:\d\d\b")
_NOT_COUNTED = frozenset(
    {"and", "or", "of", "the", "a", "in", "on", "to", "per", "percent", "than", "for", "at",
     "by", "from", "with", "is", "are", "was", "were", "had", "have", "has", "will", "once", "after",
     "before", "when", "while", "since", "because", "if", "as", "so", "but", "that", "who", "which", "until"}
)


def find_quantities(text: str, spans: tuple[Span, ...]) -> tuple[Quantity, ...]:
    """Return the quantities written inside the given spans of ``text``."""
    found: list[Quantity] = []
    for start, end in spans:
        shares = [_share(text, match) for match in _FRACTION.finditer(text, start, end)]
        found.extend(shares)
        for match in _NUMBER.finditer(text, start, end):
            if any(q.span[0] <= match.start("num") < q.span[1] for q in shares):
                continue  # the "two" of "two-thirds"
            quantity = _quantity(text, match, end)
            if quantity is not None:
                found.append(_referent(text, quantity) if quantity.counted is None else quantity)
    return tuple(_ranged(text, found))


# "from two signallers to one", "between 12 and 15 deaths": the two ends of a change or a range.
_FROM = re.compile(r"\b(?:from|between)\s+$", re.I)
_TO = re.compile(r"(?:\s+[a-z][a-z-]*){0,2}\s+(?:to|and)\s+", re.I)


def _ranged(text: str, found: list[Quantity]) -> list[Quantity]:
    """Quantities with the counted noun of a change's other end where one end leaves it out: the
    "one" of "reduced from two signallers to one" counts signallers, the "12" of "rose from 12 to 15
    deaths" deaths."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not (_FROM.search(text, 0, a.span[0]) and _TO.fullmatch(text, a.span[1], b.span[0])):
            continue
        if a.unit != b.unit and a.unit is not None and b.unit is not None:
            continue
        if b.counted is None and a.counted is not None:
            out[i + 1] = replace(b, counted=a.counted, unit=b.unit or a.unit, event=b.event or a.event)
        elif a.counted is None and b.counted is not None:
            out[i] = replace(a, counted=b.counted, unit=a.unit or b.unit, event=a.event or b.event)
    return out


def _share(text: str, match: re.Match[str]) -> Quantity:
    """A share in words as a percentage ("a fifth" is 20 per cent), read as approximate: "a third"
    is also "33 per cent"; a third and a quarter still differ."""
    count = match.group("count") or match.group("o_count")
    part = match.group("part") or match.group("o_part") or "half"
    value = 100 * _SHARE_COUNT[count.lower()] / _SHARES[part.lower()] if count else 50.0
    start = match.start("approx") if match.group("approx") else match.start()
    end = match.end() - (3 if match.group(0).lower().endswith(" of") else 0)
    end = len(text[:end].rstrip())
    return Quantity(value=value, text=text[start:end].strip(), span=(start, end), unit="percent", approximate=True)


_REFERS = re.compile(
    r"\b(?:number|figure|count|total|tally)\s+(?:\w+\s+){0,2}at\s+(?:about\s+|around\s+|some\s+)?$", re.I
)
_LOOK_BACK = 400  # characters of the paragraph before "put the number at N" searched for what it counts


def _referent(text: str, quantity: Quantity) -> Quantity:
    """ "put the number at about 1,500": the count the paragraph's previous figure counts
    ("8,000 people had taken part"), so the two figures compare."""
    start = quantity.span[0]
    if quantity.event is not None or not _REFERS.search(text[max(0, start - 40) : start]):
        return quantity
    begin = max(text.rfind("\n\n", 0, start), start - _LOOK_BACK, 0)
    earlier = [q for m in _NUMBER.finditer(text, begin, start) if (q := _quantity(text, m, start)) and q.counted]
    if not earlier:
        return quantity
    return replace(quantity, counted=earlier[-1].counted, event=earlier[-1].event)


def _quantity(text: str, match: re.Match[str], limit: int) -> Quantity | None:
    """Build one Quantity, skipping dates and years that only look like counts."""
    raw = match.group("num")
    if _DATE_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        return None
    if _DATE_AFTER.match(text[match.end() : match.end() + 12]):
        return None
    if _ORDINAL_OR_CLOCK.match(text, match.end()) or text[max(0, match.start() - 1) : match.start()] == ":":
        return None  # "the 21st", "22:47"
    if any(start <= match.start("num") < end for start, end in _time_spans(text)):
        return None  # "6 a.m.", "at about 3.15"
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
        unit=unit, counted=counted, approximate=bool(match.group("approx")), event=event_of(text, start, match.end()),
    )


# What a count of people (or things) is a count of, by the words around it: "214 injured people"
# and "31 people had died" are both "people", but not the same count.
EVENTS: dict[str, frozenset[str]] = {
    "dead": frozenset({
        "killed", "kill", "killing", "kills", "dead", "died", "die", "dies", "dying", "death", "deaths", "toll",
        "fatalities", "bodies", "perished", "lives",
    }),
    "injured": frozenset({
        "injured", "injuries", "injury", "wounded", "hurt", "treated", "hospitalised", "hospitalized",
    }),
    "missing": frozenset({"missing", "unaccounted"}),
    "detained": frozenset({"arrested", "detained", "jailed", "arrests", "detentions"}),
    "displaced": frozenset({"evacuated", "displaced", "homeless", "fled", "evacuees", "refugees"}),
    "attending": frozenset({
        "part", "marched", "attended", "protesters", "demonstrators", "marchers", "crowd", "turnout", "joined",
    }),
}
_EVENT_WORDS = {word: event for event, words in EVENTS.items() for word in words}
_EVENT_TOKEN = re.compile(r"[a-z]+")
_EVENT_BEFORE, _EVENT_AFTER = 40, 60  # characters looked at either side of a figure, within its clause


def event_of(text: str, start: int, end: int) -> str | None:
    """The event word nearest a figure in its clause ("killing at least 12 people", "214 injured")."""
    before = re.split(r"[.;!?]|\band\b|,\s", text[max(0, start - _EVENT_BEFORE) : start].lower())[-1]
    after = re.split(r"[.;!?]|\band\b|,\s", text[end : end + _EVENT_AFTER].lower())[0]
    near: list[tuple[int, str]] = []
    for match in _EVENT_TOKEN.finditer(after):
        if match.group() in _EVENT_WORDS:
            near.append((match.start(), _EVENT_WORDS[match.group()]))
            break
    for match in _EVENT_TOKEN.finditer(before):
        if match.group() in _EVENT_WORDS:
            near.append((len(before) - match.end(), _EVENT_WORDS[match.group()]))
    return min(near)[1] if near else None


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


_UPPER = ("up to", "as many as", "as high as", "as much as", "at most", "less than", "fewer than", "no more than",
          "not more than")
_LOWER = ("more than", "over", "at least", "no fewer than", "no less than", "not fewer than", "not less than")
_BELOW = ("nearly", "almost")
_PLURAL_WORDS = frozenset({"dozens", "hundreds", "thousands", "millions"})
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "dead": "dead"}


def parse_quantities(text: str) -> tuple[Quantity, ...]:
    """The quantities written in a claim text."""
    return find_quantities(text, ((0, len(text)),)) if text else ()


def matching_quantities(quantity: Quantity, others: tuple[Quantity, ...]) -> tuple[Quantity, ...]:
    """Quantities counting the same thing in the same unit; unnamed counts match as a fallback.

    The same thing is the same counted noun ("injured people" counts people) and no other event
    around it: people killed are not people injured.
    """
    same_unit = [q for q in others if q.unit == quantity.unit and not _other_event(quantity, q)]
    key = counted_key(quantity.counted)
    exact = tuple(q for q in same_unit if key is not None and counted_key(q.counted) == key)
    if exact:
        return exact
    head = _head(quantity)
    headed = tuple(q for q in same_unit if head is not None and _head(q) == head)
    if headed:
        return headed
    # "14,000 fans" is a count of people: "about 14,000 people", not the stand's licence for 12,000.
    people = tuple(q for q in same_unit if {head, _head(q)} <= _PEOPLE_WORDS and "person" in {head, _head(q)})
    if people:
        return people
    # An unnamed figure ("17 of the injured", "the toll at 31") stands for the count only where
    # nothing around it names another event; with the event known, it must be the same one. It
    # never stands for a span of time ("the last three years" is no count of the 97,000 affected).
    if is_span(quantity):
        return ()
    return tuple(
        q for q in same_unit
        if (key is None or q.counted is None) and (quantity.event is None or q.event == quantity.event)
        and not is_span(q)
    )


_SPANS = frozenset({"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"})


def _head(quantity: Quantity) -> str | None:
    """The noun a figure counts, singular ("injured people" -> "person")."""
    words = (counted_key(quantity.counted) or "").split()
    return words[-1] if words else None


# Nouns for people counted: each is also a count of "people".
_PEOPLE_WORDS = frozenset({
    "person", "fan", "spectator", "supporter", "resident", "passenger", "worker", "patient", "customer", "victim",
    "man", "woman", "child", "adult", "visitor", "protester", "demonstrator", "citizen", "voter", "employee",
})


def is_span(quantity: Quantity) -> bool:
    """Whether a figure counts a span of time ("three years", "14 months")."""
    return _head(quantity) in _SPANS


def _other_event(a: Quantity, b: Quantity) -> bool:
    return a.event is not None and b.event is not None and a.event != b.event


def compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two figures can describe the same count: their hedged ranges overlap.

    Ranges that only touch do not: "more than 5,000" (5,000 to 10,000) is not "more than 2,500"
    (2,500 to 5,000). A single figure may sit on the edge of a range ("12" is "at least 12").
    """
    kind = hedge(a)
    if kind and kind == hedge(b):
        # The same hedge on another number is another figure: "at least 2,800" for "at least 1,800".
        return abs(a.value - b.value) <= 1e-9 * max(abs(a.value), abs(b.value), 1.0)
    low_a, high_a = quantity_range(a)
    low_b, high_b = quantity_range(b)
    slack = 1e-9 * max(abs(high_a), abs(high_b), 1.0)
    overlap = min(high_a, high_b) - max(low_a, low_b)
    if low_a == high_a or low_b == high_b:
        return overlap >= -slack
    return overlap > slack


def hedge(quantity: Quantity) -> str:
    """The hedge of a figure ("at least" of "at least 1,800"), "" if none; spaces normalised."""
    match = _HEDGE.match(quantity.text)
    return " ".join(match.group(0).lower().split()) if match else ""


_HEDGE = re.compile(rf"(?:{_APPROX})\b", re.I)


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


@lru_cache(maxsize=256)
def _time_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(time_spans(text))
