"""Question-and-answer transcripts: every answer is the interviewee's claim.

An interview printed as "Q: ... / A: ..." names its speaker once, in the introduction ("Health
Minister Anselm Rook denied ..., in an interview with ..."), and never again: no cue, no name,
only "I" and "we". Each "A:" paragraph becomes a direct claim of the interviewee (its label is
the cue); a yes/no answer ("No. Absolutely not.") to the question before it is also the
interviewee's denial (or assertion) of that question; a first person inside an answer is the
interviewee, whatever speaker came last; and the questions stay the interviewer's, claims of
nobody. Articles without at least one question and one answer label are left as they are.
"""

from __future__ import annotations

import dataclasses
import re

from bot.attribution.interviews import answer_polarity
from bot.attribution.quantities import find_quantities
from bot.model import Claim, Span

_LABEL = re.compile(r"^(?P<label>Q|A|Question|Answer)\s*[:.]\s+", re.M)
_FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})
_YES_NO = re.compile(
    r"^(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|shall|must)\b", re.I
)


def transcript_claims(text: str, claims: list[Claim], article_id: str | None = None) -> list[Claim]:
    """The claims with each answer of a Q/A transcript added as the interviewee's."""
    turns = _turns(text)
    if not any(kind == "A" for kind, _, _ in turns) or not any(kind == "Q" for kind, _, _ in turns):
        return claims
    first_turn = turns[0][1][0]
    interviewee = next(
        (c.speaker for c in claims if c.speaker and c.source_span and c.source_span[0] < first_turn
         and (c.speaker_mention or "").lower() not in _FIRST_PERSON and c.speaker[:1].isupper()),
        None,
    )
    if interviewee is None:
        return claims
    role = next((c.role for c in claims if c.speaker == interviewee and c.role), None)
    answers = [content for kind, _, content in turns if kind == "A"]
    out = [_first_person(c, answers, interviewee, role) for c in claims]
    question: Span | None = None
    for kind, label, content in turns:
        if kind == "Q":
            question = content
            continue
        answer = text[content[0] : content[1]]
        out.append(_claim(text, interviewee, role, label, content, "asserts", article_id))
        polarity = answer_polarity(answer, negation_within=4)  # a transcript's answer goes on
        asked = _last_sentence(text, question) if question is not None else None
        if polarity is not None and question is not None and asked is not None and _YES_NO.match(
            text[asked[0] : asked[1]]
        ):
            asked = _stated(text, question, asked) or asked
            stance = "denies" if polarity else "asserts"
            out.append(_claim(text, interviewee, role, label, asked, stance, article_id, kind="indirect"))
        question = None
    return sorted(out, key=lambda c: c.cue_span)


def _turns(text: str) -> list[tuple[str, Span, Span]]:
    """(Q or A, the label's span, the paragraph's span after it), in order."""
    turns = []
    for match in _LABEL.finditer(text):
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        content = (match.end(), len(text[:end].rstrip()))
        if content[1] > content[0]:
            kind = "Q" if match["label"] in {"Q", "Question"} else "A"
            turns.append((kind, (match.start(), match.start() + len(match["label"])), content))
    return turns


def _last_sentence(text: str, span: Span) -> Span | None:
    """The question asked: the last sentence of a question paragraph, without its question mark."""
    start, end = span
    body = text[start:end].rstrip()
    if not body.endswith("?"):
        return None
    return (start + _last_start(body), start + len(body) - 1)


def _last_start(body: str) -> int:
    """Where the last sentence of a paragraph begins."""
    cut = max(body.rfind(mark, 0, len(body) - 1) for mark in (". ", "? ", "! "))
    return cut + 2 if cut >= 0 else 0


# "It has been reported that ...": what a question puts to the interviewee, without its framing.
_REPORTED = re.compile(
    r"^(?:it\s+(?:has\s+been|was|is)\s+(?:reported|said|claimed|suggested|alleged)|"
    r"(?:critics|reports|some|people|they)\s+(?:say|said|claim|claimed|suggest|suggested|allege))\s+that\s+",
    re.I,
)


def _stated(text: str, question: Span, asked: Span) -> Span | None:
    """An elliptic question ("Did it?", "Is that true?") asks about the sentence before it when that
    sentence reports a claim ("It has been reported that your office advised ..."): its content."""
    if len(text[asked[0] : asked[1]].split()) > 4:
        return None
    before = text[question[0] : asked[0]].rstrip()
    start = question[0] + _last_start(before)
    sentence = text[start : question[0] + len(before)].rstrip(".!")
    reported = _REPORTED.match(sentence)
    if reported is None:
        return None
    return (start + reported.end(), start + len(sentence))


def _claim(
    text: str, speaker: str, role: str | None, label: Span, content: Span, stance: str,
    article_id: str | None, *, kind: str = "direct",
) -> Claim:
    words = text[content[0] : content[1]]
    return Claim(
        speaker=speaker, speaker_mention=text[label[0] : label[1]], source_span=label, cue="answered",
        cue_span=label, content=words, content_spans=(content,), kind=kind,  # type: ignore[arg-type]
        stance=stance, role=role,
        quantities=find_quantities(text, (content,)), article_id=article_id,
    )


def _first_person(claim: Claim, answers: list[Span], interviewee: str, role: str | None) -> Claim:
    """An "I" or "we" speaking inside an answer is the interviewee, and so is "our own analysis"."""
    mention = (claim.speaker_mention or "").lower()
    if claim.source_span is None or (mention not in _FIRST_PERSON and mention.split()[:1] not in (["our"], ["my"])):
        return claim
    start = claim.source_span[0]
    if any(s <= start < e for s, e in answers):
        return dataclasses.replace(claim, speaker=interviewee, role=role)
    return claim
