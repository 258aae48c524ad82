"""Understanding a question: follow-up rewriting, routing, and matching speakers by name.

All of it is rule-based and offline; an LLM, when configured, only replaces the rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.attribution.lexicon import ROLE_NOUNS

Route = Literal["who_said", "what_did", "check", "general"]

_CUES = (
    r"say|said|says|claim|claimed|claims|tell|told|think|thinks|thought|announce|announced|estimate|"
    r"estimated|admit|admitted|deny|denied|denies|warn|warned|report|reported|suspect|suspects|suspected|"
    r"state|stated|argue|argued|believe|believes|add|added|acknowledge|acknowledged|predict|predicted"
)
_WHO = re.compile(rf"^\s*who\s+(?:has\s+|had\s+|else\s+)?(?:{_CUES})\b\s*(?:that\s+)?(?P<topic>.*)$", re.I)
_ACCORDING = re.compile(r"\baccording to whom\b|\bwho is the source\b|\bwho(?:'s| is) behind\b", re.I)
_WHAT = re.compile(
    rf"^\s*what\s+(?:did|does|do|has|have|had)\s+(?P<speaker>.+?)\s+(?:{_CUES})\b"
    r"(?:\s+(?:about|on|regarding|of|concerning)\s+(?P<topic>.+))?",
    re.I,
)
_CHECK = re.compile(
    r"^\s*(?:is it (?:true|correct|right|accurate)|is this (?:true|correct)|fact[- ]?check|true or false|"
    r"did .+ really|check(?: this| the claim)?:?)\b\s*(?:that\s+)?(?P<topic>.*)$",
    re.I,
)
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+|what\s+)?about\s+(?P<topic>.+?)\s*\??\s*$", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:[A-Z][\w'’-]+|of|de|van|von|al))*")
# A capitalised word just before a matched surname: a given name, unless it is a title.
_GIVEN_NAME = re.compile(r"\b([A-Z][\w'’-]*)\s+\Z")
_TITLES = frozenset(ROLE_NOUNS | {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "rep", "sen", "gov", "gen", "col",
    "capt", "sgt", "lt", "councillor", "councilor", "councilman", "councilwoman", "mp", "justice", "pope",
    "prince", "princess", "rabbi", "father", "sister", "saint", "st", "deputy", "vice", "prime", "foreign",
})
_SKIP_NAMES = {"Who", "What", "Is", "Did", "Does", "Do", "Has", "Have", "The", "And", "Was", "Were", "How", "When",
               "Where", "Why", "Which", "According", "Check", "True", "It", "I", "A", "An"}


@dataclass(frozen=True, slots=True)
class Plan:
    """What a question asks, after rewriting and speaker matching."""

    question: str
    standalone: str
    route: Route
    topic: str
    speaker: str | None = None  # the canonical name of a known speaker
    unknown_speaker: str | None = None  # a name asked about that no source quotes


class SpeakerIndex:
    """Matches names in a question to the canonical speakers the index knows."""

    def __init__(self, speakers: Mapping[str, int]) -> None:
        self._aliases: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        for name in speakers:
            self._aliases[name.lower()] = name
            parts = name.split()
            if len(parts) > 1:
                surnames.setdefault(parts[-1].lower(), set()).add(name)
        for surname, names in surnames.items():
            if len(names) == 1 and surname not in self._aliases:  # an ambiguous surname is no alias
                self._aliases[surname] = next(iter(names))
        self._pattern = (
            re.compile(r"\b(" + "|".join(sorted(map(re.escape, self._aliases), key=len, reverse=True)) + r")\b", re.I)
            if self._aliases else None
        )

    def find(self, text: str) -> str | None:
        """The known speaker ``text`` names most fully; a different given name is a different person.

        The longest name wins, not the first: in "Mayor Elena Brandt", a speaker called "mayor"
        (an unresolved role) must not hide Elena Brandt.
        """
        matches = list(self._pattern.finditer(text)) if self._pattern else []
        if not matches:
            return None
        match = max(matches, key=lambda m: len(m.group(1)))
        name = self._aliases[match.group(1).lower()]
        given = _GIVEN_NAME.search(text, 0, match.start())
        # "Maria Reyes" is not "Tomas Reyes", though the index knows only one Reyes.
        if given and not _is_title(given.group(1)) and given.group(1).lower() not in name.lower().split():
            return None
        return name


def names_in(text: str) -> list[str]:
    """Capitalised name-like phrases, without question words."""
    found = []
    for match in _NAME.finditer(text):
        words = [w for w in match.group().split() if w not in _SKIP_NAMES]
        if words:
            found.append(" ".join(words))
    return found


def _is_title(word: str) -> bool:
    """A capitalised word that may stand before a surname without being a given name."""
    return word in _SKIP_NAMES or word.lower().rstrip(".") in _TITLES or word.endswith(("'s", "’s"))


def condense(question: str, history: Sequence[dict[str, Any]], speakers: SpeakerIndex) -> str:
    """Rewrite a follow-up into a standalone question using the previous turn."""
    if not history:
        return question
    previous = history[-1]
    last_speaker = _last_speaker(previous, speakers)
    about = _WHAT_ABOUT.match(question)
    if about and last_speaker:
        return f"What did {last_speaker} say about {about.group('topic')}?"
    if last_speaker and speakers.find(question) is None and _PRONOUN.search(question):
        possessive = ("his", "her", "their")
        return _PRONOUN.sub(
            lambda m: f"{last_speaker}'s" if m.group(1).lower() in possessive else last_speaker, question, count=1
        )
    return question


def _last_speaker(turn: dict[str, Any], speakers: SpeakerIndex) -> str | None:
    answer = turn.get("answer") or {}
    for item in answer.get("attributions", []):
        if item.get("speaker"):
            return str(item["speaker"])
    return speakers.find(turn.get("standalone", ""))


def plan(question: str, standalone: str, speakers: SpeakerIndex, *, mode: str = "ask") -> Plan:
    """Route a standalone question and match the speaker it names."""
    if mode == "check":
        match = _CHECK.match(standalone)
        topic = match.group("topic") if match and match.group("topic") else standalone
        return Plan(question, standalone, "check", topic.strip(" ?"))
    if (match := _WHAT.match(standalone)) is not None:
        phrase = match.group("speaker")
        speaker = speakers.find(phrase)
        topic = (match.group("topic") or "").strip(" ?")
        unknown = None if speaker else phrase.strip()
        return Plan(question, standalone, "what_did", topic, speaker=speaker, unknown_speaker=unknown)
    if (match := _WHO.match(standalone)) is not None or _ACCORDING.search(standalone):
        topic = match.group("topic") if match else _ACCORDING.sub("", standalone)
        return Plan(question, standalone, "who_said", topic.strip(" ?"))
    if (match := _CHECK.match(standalone)) is not None and match.group("topic"):
        return Plan(question, standalone, "check", match.group("topic").strip(" ?"))
    speaker = speakers.find(standalone)
    return Plan(question, standalone, "general", standalone.strip(" ?"), speaker=speaker)
