"""Citation verification, run on every answer whichever composer produced it.

Contract of ``verify``: the returned answer cites only citations in its own list, numbered
1..m in order of first use; every sentence with a marker is supported by the quotes it cites;
every other sentence is a short framing sentence; otherwise the answer is an abstention.

A sentence with markers is kept only if all of these hold:

1. at least one of its ``[n]`` names a citation (markers naming none are deleted);
2. every quotation in it appears verbatim (up to whitespace, quote style, case and ``…``
   gaps) in one of its cited quotes;
3. every number written in digits in it appears in its cited quotes, their titles or their
   attributions ("Declan Murrow, 52") (a changed figure is the most damaging hallucination and
   overlap alone barely notices it);
4. its support score (``support.support_score``: content-word coverage by the cited quotes and
   titles, averaged with the scorer's similarity to the quotes if given) reaches ``threshold``.
   A sentence every content word of which occurs in its cited quotes, their titles or their
   attributions (speaker, mention, role and cue: what attribution resolved for that span, as
   a title is) scores 1.0 without the scorer: full coverage would pass unless the similarity
   were below 0.1, which a sentence made of the passage's own words never is, and skipping the
   model keeps checking an extractive answer (whose sentences are built from exactly those
   words) down to string work. Scored sentences are embedded together (``prefetch``).

A sentence without markers is kept only if it is framing: at most 12 words, no digits, no
quotation, and no content word outside a small framing vocabulary ("Sources disagree.",
"Here is what the sources say:"). Any factual sentence must cite.

Threshold calibration (tests/unit/answer/calibration.py: 14 supported and 14 unsupported
fictional sentences that cite a real passage, so only the soft score separates them):

    scorer   supported   unsupported
    lexical  0.67-1.00   0.00-0.50
    hash     0.56-0.88   0.00-0.40   (HashEmbedder, the test fake)
    MiniLM   0.58-0.95   0.06-0.53   (all-MiniLM-L6-v2, what production uses)

``DEFAULT_THRESHOLD = 0.55`` lies inside all three gaps; the MiniLM gap is the narrowest, so
keep the threshold there rather than lower it to be lenient. The hard gates (quotes, numbers)
catch the worst fabrications independently of the threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.answer.policy import Policy
from bot.answer.support import EmbeddingSupport, SupportScorer, lexical_support, support_score
from bot.answer.text import (
    content_terms,
    join_sentences,
    normalise,
    numbers_in,
    quoted_fragments,
    split_sentences,
    strip_list_prefix,
    word_count,
)
from bot.model import Answer, Attribution, Citation

__all__ = [
    "ABSTAIN_MESSAGE",
    "CITATION_MARKER",
    "DEFAULT_THRESHOLD",
    "EmbeddingSupport",
    "SentenceReport",
    "SupportScorer",
    "abstention",
    "check_sentences",
    "verify",
]

CITATION_MARKER = re.compile(r"\[(\d+)\]")
ABSTAIN_MESSAGE = (
    "The indexed sources do not cover this question, so I cannot answer it with citations; "
    "try rephrasing it, or ingest more sources about it."
)
DEFAULT_THRESHOLD = Policy().support
MAX_FRAMING_WORDS = 12

# "[1, 2]" and "[1; 2]" are common model output; they become "[1][2]" before parsing.
_MARKER_LIST = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)+)\]")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?])")
_SPACES = re.compile(r"[ \t]{2,}")
_MAX_ID_DIGITS = 9  # int() of thousands of digits raises; no real answer has such ids
_FRAMING_VOCABULARY = (
    "disagree differ vary conflict conflicting contradict contradictory dispute disputed unclear "
    "uncertain unknown unconfirmed confirm confirmed independently verified verify agree agreed "
    "figure estimate account version summary overall however short sharply widely greatly "
    "considerably here following below question answer different each other both side view "
    "picture mixed remains"
)


@dataclass(frozen=True, slots=True)
class SentenceReport:
    """What verification decided about one sentence, for evals and debugging."""

    text: str  # the sentence with markers naming no citation removed
    kept: bool
    reason: str  # "supported", "framing", or why it was dropped
    score: float | None = None  # support score, when one was computed
    cited: tuple[int, ...] = ()


def abstention(question: str) -> Answer:
    """The fixed answer given when no sentence is supported by the sources."""
    return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True)


def verify(answer: Answer, *, support: SupportScorer | None = None, threshold: float = DEFAULT_THRESHOLD) -> Answer:
    """Drop unsupported sentences, renumber citations 1..m, or abstain if nothing cited survives."""
    if answer.abstained:
        return abstention(answer.question)
    segments = split_sentences(_MARKER_LIST.sub(_expand_list, answer.answer))
    reports = check_sentences(answer, support=support, threshold=threshold)
    if not any(r.kept and r.cited for r in reports):
        return abstention(answer.question)
    mapping: dict[int, int] = {}
    for report in reports:
        for old in report.cited if report.kept else ():
            mapping.setdefault(old, len(mapping) + 1)
    renumbered = [replace(seg, text=_renumber(r.text, mapping)) for seg, r in zip(segments, reports, strict=True)]
    text = join_sentences(renumbered, [r.kept for r in reports])
    by_id = _citations_by_id(answer.citations)
    citations = tuple(replace(by_id[old], id=new) for old, new in mapping.items())
    attributions = tuple(_remap(a, mapping) for a in answer.attributions if a.citation in mapping)
    checked = answer.attribution
    if checked is not None:  # the finding stays; its citation only if a kept sentence still cites it
        checked = replace(checked, citation=mapping.get(checked.citation) if checked.citation else None)
    return Answer(
        question=answer.question, answer=text, abstained=False, verdict=answer.verdict,
        attributions=attributions, citations=citations, attribution=checked,
    )


def check_sentences(
    answer: Answer, *, support: SupportScorer | None = None, threshold: float = DEFAULT_THRESHOLD
) -> list[SentenceReport]:
    """Judge every sentence of an answer against the citations it names."""
    by_id = _citations_by_id(answer.citations)
    named: dict[int, list[str]] = {}
    for a in answer.attributions:
        named.setdefault(a.citation, []).extend(x for x in (a.speaker, a.speaker_mention, a.role, a.cue) if x)
    text = _MARKER_LIST.sub(_expand_list, answer.answer)
    gated = [_gate(seg.text, by_id, named) for seg in split_sentences(text)]
    prefetch = getattr(support, "prefetch", None)
    if prefetch is not None:  # every comparison of the answer in one model call
        prefetch([t for g in gated if isinstance(g, _Scored) for t in (g.bare, *g.quotes)])
    return [_score(g, support, threshold) if isinstance(g, _Scored) else g for g in gated]


@dataclass(frozen=True, slots=True)
class _Scored:
    """A sentence past the hard gates, awaiting its support score."""

    cleaned: str
    bare: str
    quotes: list[str]
    titles: list[str]
    cited: tuple[int, ...]


def _gate(sentence: str, by_id: dict[int, Citation], named: dict[int, list[str]]) -> SentenceReport | _Scored:
    """Rules 1-3 (and framing); a sentence that passes them still needs its support score."""
    markers = [_marker_id(m) for m in CITATION_MARKER.finditer(sentence)]
    valid = tuple(dict.fromkeys(n for n in markers if n is not None and n in by_id))
    cleaned = _tidy(CITATION_MARKER.sub(lambda m: m.group() if _marker_id(m) in by_id else "", sentence))
    if not markers:
        framing = _is_framing(cleaned)
        return SentenceReport(cleaned, framing, "framing" if framing else "uncited claim")
    if not valid:
        return SentenceReport(cleaned, False, "cites no listed source")
    bare = strip_list_prefix(_tidy(CITATION_MARKER.sub("", cleaned)))
    quotes = [by_id[n].quote for n in valid]
    normalised = [normalise(q) for q in quotes]
    for fragments in quoted_fragments(bare):
        if not any(all(f in passage for f in fragments) for passage in normalised):
            return SentenceReport(cleaned, False, "quotation not in cited passages", cited=valid)
    titles = [by_id[n].title for n in valid]
    labels = [*titles, *(x for n in valid for x in named.get(n, ()))]
    if numbers_in(bare) - set().union(*(numbers_in(text) for text in [*quotes, *labels])):
        return SentenceReport(cleaned, False, "number not in cited passages", cited=valid)
    if lexical_support(bare, quotes, labels) >= 1.0:
        return SentenceReport(cleaned, True, "supported", 1.0, valid)  # every word is the source's own
    return _Scored(cleaned, bare, quotes, titles, valid)


def _score(sentence: _Scored, scorer: SupportScorer | None, threshold: float) -> SentenceReport:
    """Rule 4: the support score must reach the threshold."""
    score = support_score(sentence.bare, sentence.quotes, scorer, context=sentence.titles)
    if score < threshold:
        return SentenceReport(sentence.cleaned, False, "weak support", score, sentence.cited)
    return SentenceReport(sentence.cleaned, True, "supported", score, sentence.cited)


def _is_framing(sentence: str) -> bool:
    """Short connective sentences that assert nothing a source would need to back."""
    if not sentence or word_count(sentence) > MAX_FRAMING_WORDS or any(ch.isdigit() for ch in sentence):
        return False
    if quoted_fragments(sentence) or any(ch in sentence for ch in "\"“”"):
        return False
    return content_terms(sentence) <= _framing_terms()


@lru_cache(maxsize=1)
def _framing_terms() -> frozenset[str]:
    return frozenset(content_terms(_FRAMING_VOCABULARY))


def _marker_id(match: re.Match[str]) -> int | None:
    digits = match.group(1)
    return int(digits) if len(digits) <= _MAX_ID_DIGITS else None


def _expand_list(match: re.Match[str]) -> str:
    return "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", match.group(1)))


def _renumber(sentence: str, mapping: dict[int, int]) -> str:
    # One pass, so "[2]" -> "[1]" is never renumbered again as "[1]".
    return CITATION_MARKER.sub(lambda m: f"[{mapping[n]}]" if (n := _marker_id(m)) in mapping else "", sentence)


def _tidy(sentence: str) -> str:
    return _SPACES.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", sentence)).strip()


def _citations_by_id(citations: tuple[Citation, ...]) -> dict[int, Citation]:
    by_id: dict[int, Citation] = {}
    for citation in citations:
        by_id.setdefault(citation.id, citation)  # a duplicated id keeps its first record
    return by_id


def _remap(attribution: Attribution, mapping: dict[int, int]) -> Attribution:
    return replace(attribution, citation=mapping[attribution.citation])
