"""Cues that name nobody as their source, whatever stands before them.

A cue's grammatical subject is not always who says something:

* a raising verb: "The figures appear to be wrong", "Voters seem unmoved": the figures say
  nothing; what appears is the writer's reading (a verb after it that reports or judges,
  "appeared to imply", "seemed to blame", makes the subject its source again);
* a passive of knowing, seeing or expecting: "Holm is known for speaking her mind", "The mayor
  was expected to win", "Lind is seen as the favourite": said of the subject, by nobody named
  (an agent, "is seen by many in the party as ...", is left to the finder);
* a cue that is its own source's noun: "The idea is that ...", "The hope has been that ...";
* a question put to someone: "Vera Lind said, when asked whether the bridge would close, ...":
  the question is the unnamed asker's; her reply is her claim.

Each such claim keeps its cue and content and loses its source (speaker ``None``, as for
unattributed reporting). Runs last in assembly, after interview replies were linked to the
speaker who was asked.
"""

from __future__ import annotations

import dataclasses
import re

from bot.model import Claim

_RAISING = frozenset({"seem", "seems", "seemed", "seeming", "appear", "appears", "appeared", "appearing"})
# Words a bare raising cue may carry besides its verb: "does not seem", "now seems", "it appeared".
_RAISING_COMPANY = frozenset({
    "it", "does", "do", "did", "not", "n't", "now", "often", "also", "still", "to", "at", "first", "clearly",
    "only", "just", "like", "that", "may", "might", "would", "could", "generally", "increasingly",
})
_PASSIVE = re.compile(
    r"^(?:(?:has|have|had|may|might|could|would|will|should|must|also|still|now|often|widely|generally|long|not)\s+)*"
    r"(?:is|are|was|were|be|been|being)\s+(?:(?:also|still|now|often|widely|generally|long|not)\s+)*"
    r"(?:known|seen|regarded|viewed|considered|remembered|called|described|thought|believed|expected|intended|"
    r"rumou?red|alleged|understood|perceived|reputed|presumed|supposed)(?:\s+(?:as|for|to))?$",
    re.I,
)
_DETERMINERS = frozenset({"the", "one", "a", "an", "another", "this"})
_BY_AGENT = re.compile(r"\s*(?:,\s*)?by\b", re.I)
_ASKED = re.compile(r"^((?:was|were|been|being|is|are)\s+)?asked\b", re.I)
# What stands right before a passive "asked": "when", "after being", a sentence's start.
_ASKED_AFTER = re.compile(r"(?:\n\s*|[.!?][\"”’']?\s+|\b(?:when|after|if|while|before|once)\s+(?:being\s+)?)$", re.I)


def sourceless(text: str, claims: list[Claim]) -> list[Claim]:
    """The claims, each whose cue names no source stripped of the one it was given."""
    return [_without_source(c) if c.source_span is not None and _names_nobody(text, c) else c for c in claims]


def _names_nobody(text: str, claim: Claim) -> bool:
    """Whether the claim's cue is one of the module's four kinds, read from the text at its span."""
    written = text[claim.cue_span[0] : claim.cue_span[1]]
    cue = " ".join(written.split())
    words = cue.lower().replace("’", "'").split()
    if any(w in _RAISING for w in words) and set(words) <= _RAISING | _RAISING_COMPANY:
        return True
    if _PASSIVE.match(cue):
        return not _BY_AGENT.match(text, claim.cue_span[1])
    if asked := _ASKED.match(written):
        if _BY_AGENT.match(text, claim.cue_span[0] + asked.end()):
            return False
        before = ("\n" + text)[max(0, claim.cue_span[0] - 40) : claim.cue_span[0] + 1]  # "\n": the text's start
        return asked.group(1) is not None or bool(_ASKED_AFTER.search(before))
    assert claim.source_span is not None
    source = text[claim.source_span[0] : claim.source_span[1]].lower().split()
    # "The idea is": the source is the cue's own opening noun phrase
    return 0 < len(source) <= 2 and source[0] in _DETERMINERS and len(words) > len(source) and (
        words[: len(source)] == source
    )


def _without_source(claim: Claim) -> Claim:
    return dataclasses.replace(claim, speaker=None, speaker_mention=None, source_span=None, role=None)
