"""Attributions read from passages: "X said C" sentences the extractor did not turn into a claim.

An attributed check searches claims first. When none has the claimed speaker (or anyone else)
saying the words, the passages retrieved for the words are read sentence by sentence (the
sentences an answer may quote, ``quarantine.usable_sentences``) with the same reader as the
checked claim (``claimparse.parse_claim``): a sentence "Mr. Clarke said that utilities could
count his credits" that holds (nearly) every word of the checked content is on record as
Clarke's, with the sentence's exact span as the citation. A sentence whose speaker is only a
pronoun ("he said") names nobody and is not used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.answer.checks import Evidence
from bot.answer.claimparse import parse_claim
from bot.answer.quarantine import usable_sentences
from bot.answer.text import coverage, topic_terms
from bot.attribution.lexicon import PRONOUNS
from bot.attribution.names import SpeakerIndex
from bot.attribution.quantities import find_quantities
from bot.model import Claim, SearchHit, Span

MAX_SENTENCE = 600  # characters; longer runs are not sentences a claim restates


def sentences_on_record(
    content: str, hits: Sequence[SearchHit], *, article_text: Callable[[str], str], speakers: SpeakerIndex,
    floor: float, first: int = 0,
) -> list[Evidence]:
    """Attributed sentences of ``hits`` that hold at least ``floor`` of the content's words, best first.

    Each becomes a ``Claim`` (speaker resolved against the index, spans into its article, read
    with ``article_text``) inside an ``Evidence`` whose relevance is that share; ``first`` numbers
    them after the claims' evidence.
    """
    terms = topic_terms(content)
    if not terms:
        return []
    found: dict[tuple[str, Span], Evidence] = {}
    for hit in hits:
        text = article_text(hit.article_id)
        for start, end in usable_sentences(text, hit.start, hit.end):
            share = coverage(terms, text[start:end])
            if share < floor or end - start > MAX_SENTENCE:
                continue
            claim = _claim(text, (start, end), hit.article_id, speakers)
            key = (hit.article_id, (start, end))
            if claim is not None and key not in found:
                found[key] = Evidence(claim, share, first + len(found), context=text[hit.start : hit.end])
    return sorted(found.values(), key=lambda e: -e.relevance)


def _claim(text: str, sentence: Span, article_id: str, speakers: SpeakerIndex) -> Claim | None:
    """The sentence as a claim of its named speaker, or ``None`` when it names nobody as saying it."""
    start, end = sentence
    words = text[start:end]
    if " ".join(words.split()) != words:
        return None  # line breaks or runs of spaces: parse_claim's offsets would not be the text's
    parsed = parse_claim(words, clause_after_belief=True)
    if parsed.speaker is None or parsed.speaker.lower() in PRONOUNS or not parsed.content:
        return None
    speaker = speakers.resolve(parsed.speaker)
    at, said = words.find(parsed.content), words.find(parsed.speaker)
    cue = parsed.cue or "said"
    cue_at = words.find(cue, said + len(parsed.speaker)) if said >= 0 else -1
    if speaker is None or min(at, said, cue_at) < 0:
        return None
    content: Span = (start + at, start + at + len(parsed.content))
    return Claim(
        speaker=speaker, speaker_mention=parsed.speaker, source_span=(start + said, start + said + len(parsed.speaker)),
        cue=cue, cue_span=(start + cue_at, start + cue_at + len(cue)), content=parsed.content,
        content_spans=(content,), kind="indirect", stance=parsed.stance, negated=parsed.never,
        quantities=find_quantities(text, (content,)), article_id=article_id,
    )
