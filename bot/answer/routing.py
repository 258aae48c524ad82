"""Understanding a question: follow-up rewriting, routing, and matching speakers by name.

All of it is rule-based and offline; an LLM, when configured, only replaces the rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.attribution.names import SpeakerIndex, names_in

__all__ = ["Plan", "Route", "SpeakerIndex", "condense", "names_in", "plan"]

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
# "How many soldiers died according to Moscow?": a question about one source's account.
_ACCORDING_TO = re.compile(r"\s*,?\s*\baccording to (?!whom\b)(?P<speaker>[^,?]{1,80}?)\s*(?=[,?]|$)", re.I)
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+|what\s+)?about\s+(?P<topic>.+?)\s*\??\s*$", re.I)
@dataclass(frozen=True, slots=True)
class Plan:
    """What a question asks, after rewriting and speaker matching."""

    question: str
    standalone: str
    route: Route
    topic: str
    speaker: str | None = None  # the canonical name of a known speaker
    unknown_speaker: str | None = None  # a name asked about that no source quotes


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
    if (match := _ACCORDING_TO.search(standalone)) is not None and (
        (speaker := speakers.resolve(match.group("speaker"))) is not None
    ):
        topic = (standalone[: match.start()] + standalone[match.end() :]).strip(" ?,")
        return Plan(question, standalone, "what_did", topic, speaker=speaker)
    if (match := _WHO.match(standalone)) is not None or _ACCORDING.search(standalone):
        topic = match.group("topic") if match else _ACCORDING.sub("", standalone)
        return Plan(question, standalone, "who_said", topic.strip(" ?"))
    if (match := _CHECK.match(standalone)) is not None and match.group("topic"):
        return Plan(question, standalone, "check", match.group("topic").strip(" ?"))
    speaker = speakers.find(standalone)
    return Plan(question, standalone, "general", standalone.strip(" ?"), speaker=speaker)
