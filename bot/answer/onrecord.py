"""Attributions read from passages: "X said C" sentences the extractor did not turn into a claim.

An attributed check searches claims first. When none has the claimed speaker (or anyone else)
saying the words, the passages retrieved for the words are read sentence by sentence with the
same reader as the checked claim (``claimparse.parse_claim``): a sentence "Mr. Clarke said that
utilities could count his credits" that holds (nearly) every word of the checked content is on
record as Clarke's, with the sentence's exact span as the citation. A sentence whose speaker is
only a pronoun ("he said") names nobody and is not used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from bot.answer.checks import Evidence
from bot.answer.claimparse import parse_claim
from bot.answer.text import coverage, topic_terms
from bot.attribution.lexicon import PRONOUNS
from bot.attribution.names import SpeakerIndex
from bot.attribution.quantities import find_quantities
from bot.model import Claim, SearchHit, Span

# A sentence: up to a full stop, question or exclamation mark (and a closing quote), or the end.
_SENTENCE = re.compile(r"[^\s].*?(?:[.!?]+[\"”’']?(?=\s|$)|$)", re.S)
MAX_SENTENCE = 600  # characters; longer runs are not sentences a claim restates


def sentences_on_record(
    content: str, hits: Sequence[SearchHit], *, speakers: SpeakerIndex, floor: float, first: int = 0
) -> list[Evidence]:
    """Attributed sentences of ``hits`` that hold at least ``floor`` of the content's words, best first.

    Each becomes a ``Claim`` (speaker resolved against the index, spans into its article) inside an
    ``Evidence`` whose relevance is that share; ``first`` numbers them after the claims' evidence.
    """
    terms = topic_terms(content)
    if not terms:
        return []
    found: dict[tuple[str, Span], Evidence] = {}
    for hit in hits:
        for start, end in _sentences(hit.text):
            sentence = hit.text[start:end]
            share = coverage(terms, sentence)
            if share < floor or len(sentence) > MAX_SENTENCE:
                continue
            claim = _claim(sentence, hit, start, speakers)
            if claim is not None and (hit.article_id, (claim.start, claim.end)) not in found:
                key = (hit.article_id, (claim.start, claim.end))
                found[key] = Evidence(claim, share, first + len(found), context=hit.text)
    return sorted(found.values(), key=lambda e: -e.relevance)


# Full stops that end an abbreviation, not a sentence: "Mr. Clarke", "Sen. Ted Cruz", "U.S. officials".
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Rev|St|Jr|Sr|No|Vol|Inc|Corp|Co|Ltd)|"
    r"\b[A-Z](?:\.[A-Z])*)\.$"
)


def _sentences(text: str) -> Iterator[Span]:
    start: int | None = None
    for match in _SENTENCE.finditer(text):
        start = match.start() if start is None else start
        if _ABBREVIATION.search(match.group()) and match.end() < len(text):
            continue  # the sentence goes on after "Mr."
        yield start, match.end()
        start = None


def _claim(sentence: str, hit: SearchHit, local: int, speakers: SpeakerIndex) -> Claim | None:
    """The sentence (at ``local`` in the passage) as a claim of its named speaker, or ``None``."""
    if " ".join(sentence.split()) != sentence:
        return None  # line breaks or runs of spaces: parse_claim's offsets would not be the text's
    parsed = parse_claim(sentence, clause_after_belief=True)
    if parsed.speaker is None or parsed.speaker.lower() in PRONOUNS or not parsed.content:
        return None
    speaker = speakers.resolve(parsed.speaker)
    if speaker is None:
        return None
    at = sentence.find(parsed.content)
    said = sentence.find(parsed.speaker)
    cue = parsed.cue or "said"
    cue_at = sentence.find(cue, said + len(parsed.speaker)) if said >= 0 else -1
    if at < 0 or said < 0 or cue_at < 0:
        return None
    offset = hit.start + local
    content: Span = (offset + at, offset + at + len(parsed.content))
    inside = ((local + at, local + at + len(parsed.content)),)
    quantities = tuple(
        replace(q, span=(q.span[0] + hit.start, q.span[1] + hit.start)) for q in find_quantities(hit.text, inside)
    )
    return Claim(
        speaker=speaker, speaker_mention=parsed.speaker,
        source_span=(offset + said, offset + said + len(parsed.speaker)),
        cue=cue, cue_span=(offset + cue_at, offset + cue_at + len(cue)), content=parsed.content,
        content_spans=(content,), kind="indirect", stance=parsed.stance, negated=parsed.never,
        quantities=quantities, article_id=hit.article_id,
    )
