"""Claim-check verdicts: what the sources say about a claim, decided without a model.

``check_verdict`` reads attributed claims retrieved for a claim text and decides, for each one
above the relevance threshold, whether it supports or contradicts the claim:

* polarity: a source that denies (stance in ``DENIAL_STANCES``, or a negated claim) takes the
  opposite position from one that asserts; the claim text's own negation flips it again;
* figures: when the claim gives a number for a counted thing ("498 soldiers") and the source
  gives one for the same thing (plural-stripped noun, same unit), the ranges must overlap.

Hedges turn a figure into a range (``quantity_range``). They bound an estimate rather than
admit every smaller number: "up to 15,000" is read as [7,500, 15,000], so it neither supports
nor matches "498". Verdicts: ``unverified`` (nothing relevant), ``disputed`` (some relevant
sources support and some contradict), ``contradicted`` (all contradict), ``supported`` (all
support). Figures that differ between sources are reported as ``conflicts`` in every case, so
a claim without a number ("Russia lost soldiers") is supported while the conflict between the
sources' tolls is still there for the composer to mention.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from bot.answer.text import coverage, topic_terms
from bot.attribution.quantities import find_quantities
from bot.model import Claim, Quantity, Verdict

Position = Literal["supports", "contradicts"]

RELEVANCE_THRESHOLD = 0.5
STANCE_RELEVANCE = 0.75  # a source this similar to the claim takes a position on it whatever its words
STANCE_COVERAGE = 0.6  # ... or one whose content has this share of the claim's (non-name) words
FIGURE_RELEVANCE = 0.25  # a figure for the same counted thing counts from this similarity on (same article)
MAX_EVIDENCE = 8  # sources weighed (and listed) per check, most relevant first
DENIAL_STANCES = frozenset({"denies", "rejects", "disputes", "refutes", "dismisses", "contradicts"})

_NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|without)\b|n['’]t\b", re.I)
_UPPER = ("up to", "as many as", "at most", "less than", "fewer than")
_LOWER = ("more than", "over", "at least")
_BELOW = ("nearly", "almost")
_PLURAL_WORDS = frozenset({"dozens", "hundreds", "thousands", "millions"})
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "dead": "dead"}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A retrieved claim, how relevant it is to the checked claim, and its citation id."""

    claim: Claim
    relevance: float  # in [0, 1]
    citation: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """One relevant source's position on the checked claim, and why."""

    evidence: Evidence
    position: Position
    reason: str  # "asserts", "denies", "same figure" or "different figure"


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a speaker gave, as evidence in a numeric conflict."""

    value: float
    text: str  # as written, e.g. "up to 15,000"
    speaker: str | None
    citation: int
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class NumericConflict:
    """Incompatible figures for the same counted thing, in order of relevance."""

    counted: str | None  # plural-stripped, e.g. "soldier"
    unit: str | None
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class SpeakerGroup:
    """Everything one speaker (``None``: unattributed) said about the claim."""

    speaker: str | None
    assessments: tuple[Assessment, ...]

    @property
    def position(self) -> Position | Literal["mixed"]:
        """The speaker's position, or "mixed" when their claims disagree."""
        positions = {a.position for a in self.assessments}
        return positions.pop() if len(positions) == 1 else "mixed"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict with the evidence behind it, grouped for a composer to write up."""

    claim: str
    verdict: Verdict
    assessments: tuple[Assessment, ...] = ()  # relevant evidence, most relevant first
    by_speaker: tuple[SpeakerGroup, ...] = ()
    conflicts: tuple[NumericConflict, ...] = ()
    claim_quantities: tuple[Quantity, ...] = ()

    @property
    def supporting(self) -> tuple[Assessment, ...]:
        """Assessments of sources that support the claim."""
        return tuple(a for a in self.assessments if a.position == "supports")

    @property
    def contradicting(self) -> tuple[Assessment, ...]:
        """Assessments of sources that contradict the claim."""
        return tuple(a for a in self.assessments if a.position == "contradicts")


def check_verdict(
    claim_text: str, evidence: list[Evidence], *, relevance_threshold: float = RELEVANCE_THRESHOLD
) -> CheckResult:
    """Decide what the relevant sources say about a claim."""
    quantities = parse_quantities(claim_text)
    usable = sorted((e for e in evidence if math.isfinite(e.relevance)), key=lambda e: -e.relevance)
    relevant = [e for e in usable if e.relevance >= relevance_threshold]
    relevant += _figures_on_subject(usable, relevant, quantities)
    terms = topic_terms(claim_text)
    bearing = [e for e in relevant if takes_position(e, terms, quantities)][:MAX_EVIDENCE]
    if not bearing:
        return CheckResult(claim_text, "unverified", claim_quantities=quantities)
    negated = bool(_NEGATION.search(claim_text))
    assessments = tuple(assess(e, quantities, claim_negated=negated) for e in bearing)
    positions = {a.position for a in assessments}
    verdict: Verdict = (
        "disputed" if len(positions) == 2 else "supported" if positions == {"supports"} else "contradicted"
    )
    return CheckResult(
        claim=claim_text, verdict=verdict, assessments=assessments, by_speaker=_by_speaker(assessments),
        conflicts=find_conflicts(relevant, quantities), claim_quantities=quantities,
    )


def takes_position(evidence: Evidence, terms: set[str], quantities: tuple[Quantity, ...]) -> bool:
    """Whether a related source says something about the claim itself, so that it counts for the verdict.

    A source on the same subject is not evidence for or against every claim on it: the mayor
    announcing a bridge closure neither supports nor contradicts "the closure was planned to help
    her re-election". A source takes a position when it is a near paraphrase (relevance), when what
    it says has most of the claim's words (``STANCE_COVERAGE`` of ``text.topic_terms``), or when it
    gives a figure for what the claim counts (or the claim's very number).
    """
    claim = evidence.claim
    if evidence.relevance >= STANCE_RELEVANCE or coverage(terms, claim.content) >= STANCE_COVERAGE:
        return True
    return any(
        matching_quantities(q, claim.quantities) or any(o.value == q.value >= 10 for o in claim.quantities)
        for q in quantities
    )


def _figures_on_subject(
    evidence: list[Evidence], relevant: list[Evidence], quantities: tuple[Quantity, ...]
) -> list[Evidence]:
    """Less similar sources that give a figure for what the claim counts, in an article already relevant.

    "Her margin was 1,870 votes" barely resembles "Marchetti won by 2,300 votes", yet it is the
    figure the check is about; the article restricts this to the subject of the relevant sources.
    """
    articles = {e.claim.article_id for e in relevant}
    chosen = {id(e) for e in relevant}
    return [
        e for e in evidence
        if id(e) not in chosen and e.relevance >= FIGURE_RELEVANCE and e.claim.article_id in articles
        and any(_same_counted(q, e.claim.quantities) for q in quantities)
    ]


def _same_counted(quantity: Quantity, others: tuple[Quantity, ...]) -> bool:
    """A figure for the same counted thing in the same unit, or an unnamed one in it."""
    key = counted_key(quantity.counted)
    return any(
        o.unit == quantity.unit and (o.counted is None or (key is not None and counted_key(o.counted) == key))
        for o in others
    )


def assess(evidence: Evidence, quantities: tuple[Quantity, ...], *, claim_negated: bool = False) -> Assessment:
    """One source's position: opposite polarity contradicts, then figures must agree."""
    claim = evidence.claim
    denies = (claim.stance.lower() in DENIAL_STANCES) != claim.negated
    if denies != claim_negated:
        return Assessment(evidence, "contradicts", "denies" if denies else "asserts")
    compared = False
    for quantity in quantities:
        matched = matching_quantities(quantity, claim.quantities)
        if matched and not any(compatible(quantity, other) for other in matched):
            return Assessment(evidence, "contradicts", "different figure")
        compared = compared or bool(matched)
    return Assessment(evidence, "supports", "same figure" if compared else "asserts")


def find_conflicts(
    evidence: list[Evidence], claim_quantities: tuple[Quantity, ...] = ()
) -> tuple[NumericConflict, ...]:
    """Groups of incompatible figures the sources give for the same counted thing."""
    groups: dict[tuple[str | None, str | None], list[tuple[Quantity, Evidence]]] = {}
    unnamed: list[tuple[Quantity, Evidence]] = []
    for item in evidence:
        for quantity in item.claim.quantities:
            key = _group_key(quantity, claim_quantities)
            if key is None:
                unnamed.append((quantity, item))
            else:
                groups.setdefault(key, []).append((quantity, item))
    for quantity, item in unnamed:
        # A figure with no counted noun counts whatever the others count in its unit, if that
        # is one thing; with several candidates it is too vague to compare.
        candidates = [key for key in groups if key[1] == quantity.unit]
        if len(candidates) <= 1:
            groups.setdefault(candidates[0] if candidates else (None, quantity.unit), []).append((quantity, item))
    conflicts: list[NumericConflict] = []
    for (counted, unit), members in groups.items():
        clash = any(
            a.citation != b.citation and not compatible(qa, qb)
            for i, (qa, a) in enumerate(members) for qb, b in members[i + 1 :]
        )
        if clash:
            members.sort(key=lambda m: -m[1].relevance)
            conflicts.append(NumericConflict(counted, unit, _figures(members)))
    return tuple(conflicts)


def _group_key(quantity: Quantity, claim_quantities: tuple[Quantity, ...]) -> tuple[str | None, str | None] | None:
    """The claim's group a figure matches, else its own counted thing (None if unnamed)."""
    for claim_quantity in claim_quantities:
        if matching_quantities(claim_quantity, (quantity,)):
            return counted_key(claim_quantity.counted), claim_quantity.unit
    counted = counted_key(quantity.counted)
    return (counted, quantity.unit) if counted is not None else None


def _figures(members: list[tuple[Quantity, Evidence]]) -> tuple[Figure, ...]:
    seen: set[tuple[str | None, float, int]] = set()
    figures: list[Figure] = []
    for quantity, item in members:
        key = (item.claim.speaker, quantity.value, item.citation)
        if key not in seen:
            seen.add(key)
            speaker = item.claim.speaker
            figures.append(Figure(quantity.value, quantity.text, speaker, item.citation, quantity.approximate))
    return tuple(figures)


def _by_speaker(assessments: tuple[Assessment, ...]) -> tuple[SpeakerGroup, ...]:
    groups: dict[str | None, list[Assessment]] = {}
    for assessment in assessments:
        groups.setdefault(assessment.evidence.claim.speaker, []).append(assessment)
    return tuple(SpeakerGroup(speaker, tuple(items)) for speaker, items in groups.items())


def parse_quantities(text: str) -> tuple[Quantity, ...]:
    """The quantities written in a claim text."""
    return find_quantities(text, ((0, len(text)),)) if text else ()


def matching_quantities(quantity: Quantity, others: tuple[Quantity, ...]) -> tuple[Quantity, ...]:
    """Quantities counting the same thing in the same unit; unnamed counts match as a fallback."""
    same_unit = [q for q in others if q.unit == quantity.unit]
    key = counted_key(quantity.counted)
    exact = tuple(q for q in same_unit if key is not None and counted_key(q.counted) == key)
    if exact:
        return exact
    return tuple(q for q in same_unit if key is None or q.counted is None)


def compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two figures can describe the same count: their hedged ranges overlap."""
    low_a, high_a = quantity_range(a)
    low_b, high_b = quantity_range(b)
    slack = 1e-9 * max(abs(high_a), abs(high_b), 1.0)
    return low_a <= high_b + slack and low_b <= high_a + slack


def quantity_range(quantity: Quantity) -> tuple[float, float]:
    """The values a hedged figure admits, e.g. "about 500" -> (450, 550)."""
    value = abs(quantity.value)
    text = quantity.text.lower()
    if text.split()[-1:] and text.split()[-1] in _PLURAL_WORDS:
        return value, value * 10  # "thousands" is at least a thousand, less than ten thousand
    if text.startswith(_UPPER):
        return value * 0.5, value
    if text.startswith(_LOWER):
        return value, value * 2
    if text.startswith(_BELOW):
        return value * 0.9, value
    if quantity.approximate:
        return value * 0.9, value * 1.1
    return value, value


def counted_key(counted: str | None) -> str | None:
    """Normalise what is counted without a lemmatiser: lower case, plurals stripped."""
    if not counted:
        return None
    words = [_singular(w) for w in re.findall(r"[a-z]+", counted.lower())]
    return " ".join(words) or None


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def findings_text(result: CheckResult) -> str:
    """Plain lines of who said what and which figures conflict, for the check_claim prompt."""
    lines = [f"Verdict: {result.verdict}"]
    for group in result.by_speaker:
        cited = "".join(f"[{a.evidence.citation}]" for a in group.assessments)
        lines.append(f"{group.speaker or 'Unattributed'}: {group.position} {cited}")
    for conflict in result.conflicts:
        figures = "; ".join(f"{f.speaker or 'unattributed'}: {f.text} [{f.citation}]" for f in conflict.figures)
        lines.append(f"Conflicting figures for {conflict.counted or 'the count'}: {figures}")
    return "\n".join(lines)
