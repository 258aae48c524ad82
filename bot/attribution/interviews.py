"""Interviews: a question put to a speaker is not the speaker's claim; the reply is.

"Asked whether the company had ignored safety warnings, Vance replied: 'No, that is simply
untrue.'" The parser reads "Asked whether ..." as Vance asking. Here such a question is dropped
as a claim of Vance's, and a reply that opens with "No" or "Yes", or whose first sentence is
negated ("We did not cut a single crown"), becomes Vance's denial (or assertion) of the question's
content, cited over the question and the reply together.
Rhetorical questions ("Why would anyone believe that?", a content ending in "?") are kept with
the stance "asks", which no check counts as a claim.
"""

from __future__ import annotations

import dataclasses
import re

from bot.attribution.lexicon import NEGATION
from bot.attribution.quantities import find_quantities
from bot.model import Claim, Span

REPLY_REACH = 400  # characters between a question's cue and the reply's
_LOOK_BACK = 1_200  # characters before an "Asked" cue searched for its sentence's start
_QUESTION_OPENER = re.compile(r"\s*(?:whether|if)\s+", re.I)  # used with match(), which anchors
_FIRST_SENTENCE = re.compile(r"[^.!?]*")
ANSWER_OPENER = re.compile(
    r"^[\s\"“‘']*(?P<word>no|yes|not at all|absolutely not|never|"
    # "That is simply untrue.": a rejection of what was put
    r"(?:that|this|it)(?:['’]s|\s+is|\s+was)\s+(?:simply\s+|completely\s+|absolutely\s+|just\s+|entirely\s+)?"
    r"(?:untrue|false|wrong|incorrect|nonsense|rubbish|a\s+lie))\b",
    re.I,
)


def answered_questions(text: str, claims: list[Claim]) -> list[Claim]:
    """The claims without questions put to their speaker, with each yes/no reply turned into a claim."""
    out: list[Claim] = []
    for index, claim in enumerate(claims):
        if not _put_to_speaker(text, claim):
            out.append(_rhetorical(claim))
            continue
        reply = _reply(claims, index)
        if reply is not None and (denies := answer_polarity(reply.content)) is not None:
            out.append(_as_reply(text, claim, reply, denies=denies))
    return _unparsed_questions(text, out)


# "Asked by reporters outside the bank whether Brennock had put cost-cutting ahead of security,
# Quellbrook replied, 'No. ...'": a question the parser left without a cue of its own.
_ASKED_BEFORE = re.compile(r"(?:^|[.!?]\s+)Asked\b[^.!?\"“]{0,120}?\b(?:whether|if)\s+(?P<question>[^.!?\"“]+?),\s*$")


def _unparsed_questions(text: str, claims: list[Claim]) -> list[Claim]:
    """Each yes/no reply opening a sentence's main clause after an "Asked ... whether ..." phrase
    that no claim covers, preceded by its speaker's denial (or assertion) of the question."""
    out: list[Claim] = []
    for claim in claims:
        start = claim.start
        # The regular expression only where an "Asked" stands within reach: this runs on every claim.
        reach = max(0, start - _LOOK_BACK)
        asked = _ASKED_BEFORE.search(text, reach, start) if text.find("Asked", reach, start) >= 0 else None
        if asked and claim.stance != "asks" and (denies := answer_polarity(claim.content)) is not None:
            span = asked.span("question")
            if not any(c.start <= span[0] < c.end for c in claims if c is not claim):
                out.append(_replying(text, claim, (span,), denies=denies))
        out.append(claim)
    return out


def _reply(claims: list[Claim], index: int) -> Claim | None:
    """The same speaker's next claim within reach; claims are in cue order, so the scan stops there."""
    question = claims[index]
    for later in range(index + 1, len(claims)):
        claim = claims[later]
        gap = claim.cue_span[0] - question.cue_span[1]
        if gap > REPLY_REACH:
            return None
        if gap >= 0 and claim.speaker == question.speaker:
            return claim
    return None


def answer_polarity(reply: str, *, negation_within: int | None = None) -> bool | None:
    """A reply's answer to a yes/no question: "No, ..." or a negated first sentence denies,
    "Yes, ..." asserts; anything else ("It is too early to say") answers neither way.
    ``negation_within`` counts a negated first sentence only when it has at most that many
    words ("We did not.", not "That is a decision for the city, not for me.")."""
    opener = ANSWER_OPENER.match(reply)
    if opener is not None:
        return opener.group("word").lower() != "yes"
    first = _FIRST_SENTENCE.match(reply)
    if first is None or (negation_within is not None and len(first.group().split()) > negation_within):
        return None
    return True if NEGATION.search(first.group()) else None


def _put_to_speaker(text: str, claim: Claim) -> bool:
    """A passive "Asked whether/if/about ..." cue: the subject was asked, not asking."""
    if claim.stance != "asks" or claim.cue.lower() != "asked":
        return False
    # Only the sentence before the cue matters: looking back further than one can reach made
    # every such cue on a long line scan the whole line.
    reach = max(0, claim.cue_span[0] - _LOOK_BACK)
    newline = text.rfind("\n", reach, claim.cue_span[0])
    line_start = newline + 1 if newline >= 0 else reach
    before = text[line_start : claim.cue_span[0]]
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("! "))
    return not before[sentence_start + 1 :].strip(" \"“‘'")


def _as_reply(text: str, question: Claim, reply: Claim, *, denies: bool) -> Claim:
    """The reply's speaker denying (or asserting) what they were asked."""
    spans = list(question.content_spans)
    start, end = spans[0]
    opener = _QUESTION_OPENER.match(text, start, end)
    if opener is not None:
        spans[0] = (opener.end(), end)
    return _replying(text, reply, tuple(spans), denies=denies)


def _replying(text: str, reply: Claim, spans: tuple[Span, ...], *, denies: bool) -> Claim:
    """The reply's speaker denying (or asserting) the words at ``spans``, with the reply's cue."""
    return dataclasses.replace(
        reply, content=" ".join(text[s:e] for s, e in spans), content_spans=spans, kind="indirect",
        stance="denies" if denies else "asserts", negated=False, quantities=find_quantities(text, spans),
    )


def _rhetorical(claim: Claim) -> Claim:
    """A content that is itself a question asks; it asserts nothing."""
    if claim.content.rstrip(" \"”’'").endswith("?") and claim.stance != "asks":
        return dataclasses.replace(claim, stance="asks")
    return claim
