"""Which annotated PolNeAR sources are names, and which two of them may be the same person.

PolNeAR annotates every source as written ("he", "officials", "Mr. Obama", "the South Carolina
senator") and resolves none. The attributed checks need a name to put in "<S> said that <C>"
and a different person to swap in, so these rules are deliberately conservative: a source that
might be vague is skipped, and two sources that might be one person are never swapped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from evals.answers.polnear import matches

MAX_SOURCE_WORDS = 8
_PUNCT = "\"“”‘’'`,.;:()"
_VAGUE_START = frozenset({"a", "an", "another", "one", "two", "three", "several", "some", "many", "most", "other",
                          "others", "few", "any", "each", "both", "all", "his", "her", "their", "its", "our"})
# Capitalised words that name nobody in particular (a plural "s" is dropped before looking them up).
_GENERIC = frozenset({
    "the", "this", "that", "these", "those", "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "president", "senator",
    "governor", "mayor", "chairman", "official", "source", "aide", "expert", "critic", "analyst", "observer",
    "supporter", "opponent", "advocate", "voter", "people", "resident", "witness", "police", "officer",
    "investigator", "prosecutor", "lawyer", "attorney", "scientist", "researcher", "economist", "lawmaker",
    "authorities", "authority", "leader", "member", "staffer", "spokesman", "spokeswoman", "spokesperson",
    "democrat", "republican", "democratic", "gop", "conservative", "liberal", "progressive", "american", "mexican",
    "report", "study", "poll", "survey", "data", "document", "record", "statement", "ad", "campaign", "government",
    "administration", "retired", "general", "gen", "lt", "col", "adm", "secretary", "minister", "prime",
    "commissioner", "chief", "director", "judge", "justice", "candidate", "nominee", "presidential", "representative",
    "former", "vice", "rival", "ambassador", "scholar", "foreign", "european", "black", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday",
})
_APPOSITION = re.compile(r",|\s+--\s+|\s*[—–]\s*")  # "Rendell, a Clinton surrogate" -> "Rendell"
_HEAD_PHRASE = re.compile(r"\s(?:of|at|on|to|for|from|like|in|with|who|that)\s")
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+")  # words joined by single spaces only


def clean_source(raw: str) -> str:
    """The source as a claim can name it: no parenthesis, no apposition, no possessive "'s"."""
    text = re.sub(r"\s*\([^)]*\)", "", " ".join(raw.split()))
    text = _APPOSITION.split(text)[0].strip(_PUNCT + " ")
    return re.sub(r"['’]s$", "", text).strip(_PUNCT + " ")


def name_words(source: str, text: str = "", start: int = 0) -> list[str]:
    """The casefolded words that make ``source`` a name, empty when it is vague; with the article
    ``text`` and the source's ``start`` in it, a word capitalised only where it starts a sentence is no name.

    Only the head phrase counts (before "of", "at"...: "Mr. Morgan of the Sierra Club"), and its last
    word must be a name: "the South Carolina senator" and "Clinton aides" describe, they do not name.
    """
    words = _HEAD_PHRASE.split(source)[0].split()
    if not words or len(source.split()) > MAX_SOURCE_WORDS or words[0].casefold() in _VAGUE_START:
        return []
    if re.search(r"\band\b|&", source) or words[0][:1].isdigit():
        return []  # several people ("X and Y", "31 Latinos"): a swap could not say who the other one is
    before = text[:start].rstrip(" \"“‘'")
    starts_sentence = bool(text) and (not before or before[-1] in ".!?:\n")
    names = []
    for n, word in enumerate(words):
        bare = re.sub(r"['’]s$", "", word.strip(_PUNCT))
        folded = bare.casefold()
        if not bare[:1].isupper() or folded in _GENERIC or folded.removesuffix("s") in _GENERIC:
            continue
        if n == 0 and starts_sentence and not bare.isupper() and not re.search(rf"\w\s+{re.escape(bare)}\b", text):
            continue  # capitalised only where it starts a sentence: a common noun ("Experts said")
        names.append((n, folded))
    return [folded for _, folded in names] if names and names[-1][0] == len(words) - 1 else []


def written_together(text: str) -> set[frozenset[str]]:
    """Pairs of capitalised words written next to each other in the article's body ("Hillary Clinton")."""
    body = text.split("\n", 1)[-1]  # the first line is the title, in title case
    return {frozenset(pair) for run in _CAPITALISED_RUN.finditer(body)
            for pair in pairwise(w.casefold() for w in run.group().split())}


def same_name(a: str | None, b: str | None) -> bool:
    """``evals.answers.polnear.matches`` with typographic apostrophes made plain ("O’Neill", "O'Neill")."""
    return matches(_plain(a), _plain(b)) if a and b else False


def _plain(text: str | None) -> str:
    return (text or "").replace("’", "'").replace("‘", "'")


def same_person(a: str, b: str, together: set[frozenset[str]]) -> bool:
    """Whether two sources may be one person (or body): a shared surname, one containing the other,
    one the initials of the other ("AROS"), one word spelt with the same letters ("MNSBC" for
    "MSNBC"), or their names written together in the article."""
    if same_name(a, b) or _initials(a, b) or _initials(b, a):
        return True
    if " " not in a and " " not in b and sorted(a.casefold()) == sorted(b.casefold()):
        return True
    ours, theirs = set(name_words(a)), set(name_words(b))
    return any(frozenset((x, y)) in together for x in ours - theirs for y in theirs - ours)


def _initials(acronym: str, name: str) -> bool:
    letters = "".join(w[0] for w in name.split() if w[:1].isupper())
    return acronym.isupper() and len(acronym) > 1 and acronym.replace(".", "") in (letters, letters[1:])


def swap_partners(source: str, variants: Sequence[str], people: Sequence[str], text: str) -> list[str]:
    """The ``people`` of an article who are not ``source``, nor any variant of it ("Obstfeld" is also
    "IMF chief economist Maury Obstfeld", so "The IMF" is no partner of his)."""
    together = written_together(text)
    selves = [source, *(v for v in variants if same_name(v, source))]
    return [p for p in people if not any(same_person(s, p, together) for s in selves)]
