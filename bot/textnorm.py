"""Text as it is *matched*, never as it is stored: stored texts keep every character, so offsets stay exact.

``for_matching`` drops invisible format characters (zero-width space and joiners, soft hyphen,
bidi controls, a stray byte-order mark), so "Mar\\u200biupol" and "Mariupol" are one word to
lexical search and to questions. ``mask_markup`` blanks tags in plain text with spaces of the
same length, so a parser never reads ``<b>`` as a word while every offset still indexes the
original. ``has_words`` is what every text must have to be worth storing.
"""

from __future__ import annotations

import re

# Tags and comments as they appear pasted into plain text: bounded, on one line, so a "<" in
# prose ("3 < 4 and 5 > 2") is only blanked when it looks like markup.
_MARKUP = re.compile(r"<!--[^\n]{0,500}?-->|</?[A-Za-z][A-Za-z0-9:-]{0,30}(?:\s[^<>\n]{0,500})?/?>")
_WORD = re.compile(r"\w")


# Unicode's format (Cf) characters, as of Python 3.11's tables (Unicode 14) (a unit test holds the two equal).
FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def for_matching(text: str) -> str:
    """``text`` without format characters (zero-width, bidi, soft hyphen): for matching only."""
    return FORMAT_CHARS.sub("", text)


def mask_markup(text: str) -> str:
    """``text`` with tags and comments replaced by as many spaces: same length, same offsets."""
    return _MARKUP.sub(lambda match: " " * len(match.group()), text)


# A wire dateline opening a paragraph: "SARNPORT, March 16 (Meridian Wire) — ", "WASHINGTON — ".
# It names a place and an outlet, never who said what.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3})"  # the place, in capitals
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?)?"  # the date
    r"(?:\s*\([^()\n]{1,60}\))?"  # the outlet
    r"\s*(?:[—–]|-(?=\s))\s*|^(?:[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3}),\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}"
    r"(?:,\s+\d{4})?\s*\([^()\n]{1,60}\)\s*[-—–]*\s*",
    re.M,
)


def mask_dateline(text: str) -> str:
    """``text`` with paragraph-opening wire datelines blanked: same length, same offsets."""
    return _DATELINE.sub(lambda match: " " * len(match.group()), text)


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or digit that is not hidden (format characters are not words)."""
    return bool(_WORD.search(for_matching(text)))
