"""Claim-check verdicts: what the sources say about a claim, decided once, without a model.

``check_verdict`` decides a bare claim ("Russia lost 498 soldiers"); attributed claims ("X said
C") are decided by ``bot.answer.attributed``. Both return a ``CheckResult``, the one record the
extractive and the LLM composer render (neither decides anything).

For a bare claim, each retrieved source above the relevance threshold that takes a position on
it (``takes_position``) is compared with it (``compare.compare``):

* polarity: read from the whole claim and the whole source (a negation inside either content,
  a denial cue, a negated cue), so "sanctions do not pose a threat" contradicts "sanctions pose
  a threat" and agrees with "Moscow denies that sanctions pose a threat";
* figures: when the claim gives a number for a counted thing ("498 soldiers") and the source
  gives one for the same thing, the hedged ranges must overlap;
* names: a place, person or date the claim gives and the source replaces with another is never
  support ("26 bodies were found in Bucha" against a source placing them in Borodyanka).

A party's statement about its own conduct (``compare.own_conduct``: a government denying its
forces attacked civilians) is that party's position: it is listed, but it never decides a
verdict alone; with no other source the claim is ``unverified``. Verdicts: ``unverified``
(nothing relevant decides), ``disputed`` (some relevant sources support and some contradict),
``contradicted`` (all contradict), ``supported`` (all support). Figures that differ between
sources are reported as ``conflicts`` in every case.

Hedges turn a figure into a range (``quantity_range``): "up to 15,000" is [7,500, 15,000], so
it neither supports nor matches "498".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.answer.compare import (
    DENIAL_STANCES,
    DOUBT_STANCES,
    NON_CLAIM_STANCES,
    compare,
    defends,
    own_conduct,
    point_shared,
    subject_shared,
)
from bot.answer.policy import Policy
from bot.answer.text import coverage, topic_terms
from bot.attribution.names import SpeakerIndex
from bot.attribution.quantities import (
    compatible,
    counted_key,
    matching_quantities,
    parse_quantities,
    quantity_range,
)
from bot.model import Claim, Difference, Match, Quantity, Verdict

__all__ = [
    "Assessment", "AttributionFinding", "CheckResult", "Evidence", "Figure", "NumericConflict", "SpeakerGroup",
    "assess", "check_verdict", "compatible", "counted_key", "find_conflicts", "findings_text", "matching_quantities",
    "parse_quantities", "quantity_range", "takes_position",
]

Position = Literal["supports", "contradicts"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A retrieved claim, how relevant it is to the checked claim, and its candidate number.

    ``context`` is the article text around the claim (for names given just outside its content).
    """

    claim: Claim
    relevance: float  # in [0, 1]
    citation: int
    context: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """One relevant source's position on the checked claim, and why."""

    evidence: Evidence
    position: Position
    reason: str  # "asserts", "denies", "same figure", "different figure", "different place", "negation"...
    own: bool = False  # the source speaks about its own conduct: a position, never decisive alone


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
class AttributionFinding:
    """An attributed check: who is on record with the words, and what the claimed speaker said on them."""

    claimed_speaker: str  # canonical when the index knows them, else as written
    found: Evidence | None  # the record with the checked words (or the claimed speaker's closest one)
    match: Match
    differences: tuple[Difference, ...] = ()
    said_on_topic: tuple[Evidence, ...] = ()  # what the claimed speaker said on the topic
    others: tuple[Evidence, ...] = ()  # who else is on record with the words


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict with the evidence behind it, grouped for a composer to write up."""

    claim: str
    verdict: Verdict
    assessments: tuple[Assessment, ...] = ()  # relevant evidence, most relevant first
    by_speaker: tuple[SpeakerGroup, ...] = ()
    conflicts: tuple[NumericConflict, ...] = ()
    claim_quantities: tuple[Quantity, ...] = ()
    attribution: AttributionFinding | None = None
    positions: tuple[Assessment, ...] = field(default=())  # own-conduct statements listed beside the verdict

    @property
    def supporting(self) -> tuple[Assessment, ...]:
        """Assessments of sources that support the claim."""
        return tuple(a for a in self.assessments if a.position == "supports")

    @property
    def contradicting(self) -> tuple[Assessment, ...]:
        """Assessments of sources that contradict the claim."""
        return tuple(a for a in self.assessments if a.position == "contradicts")

    @property
    def shown(self) -> tuple[Evidence, ...]:
        """The evidence an answer lists, in order, each once."""
        if self.attribution is not None:
            found = (self.attribution.found,) if self.attribution.found else ()
            items = [*found, *self.attribution.said_on_topic, *self.attribution.others]
        else:
            items = [a.evidence for group in self.by_speaker for a in group.assessments]
        return tuple({e.citation: e for e in reversed(items)}[c] for c in dict.fromkeys(e.citation for e in items))


def check_verdict(
    claim_text: str, evidence: list[Evidence], *, policy: Policy | None = None, speakers: SpeakerIndex | None = None,
) -> CheckResult:
    """Decide what the relevant sources say about a bare claim."""
    policy = policy or Policy()
    quantities = parse_quantities(claim_text)
    usable = sorted((e for e in evidence if math.isfinite(e.relevance)), key=lambda e: -e.relevance)
    relevant = [e for e in usable if e.relevance >= policy.check and e.claim.stance not in NON_CLAIM_STANCES]
    relevant += _figures_on_subject(usable, relevant, quantities, policy)
    terms = topic_terms(claim_text)
    bearing = [e for e in relevant if takes_position(e, terms, quantities, policy)][: policy.max_evidence]
    assessments = _parties(tuple(assess(e, claim_text, speakers=speakers, policy=policy) for e in bearing))
    deciding = [a for a in assessments if not a.own and a.reason != "unrelated"]
    shown = tuple(a for a in assessments if a.reason != "unrelated")
    if not deciding:
        # Nothing but the parties' own statements about their conduct (or nothing at all): two
        # parties that say opposite things make it disputed, one party's word leaves it unverified.
        backing = {a.evidence.claim.speaker for a in shown if a.position == "supports"}
        against = {a.evidence.claim.speaker for a in shown if a.position == "contradicts"}
        opposed = bool(backing) and bool(against) and len(backing | against) > 1
        return CheckResult(
            claim_text, "disputed" if opposed else "unverified", assessments=shown, by_speaker=_by_speaker(shown),
            claim_quantities=quantities, positions=tuple(a for a in shown if a.own),
        )
    positions = {a.position for a in shown}
    verdict: Verdict = (
        "disputed" if len(positions) == 2 else "supported" if positions == {"supports"} else "contradicted"
    )
    return CheckResult(
        claim=claim_text, verdict=verdict, assessments=shown, by_speaker=_by_speaker(shown),
        conflicts=find_conflicts(relevant, quantities), claim_quantities=quantities,
        positions=tuple(a for a in shown if a.own),
    )


# Words that open an investigation: a source announcing one takes no position on what it will find.
_INQUIRY = re.compile(
    r"\b(?:inquiry|inquiries|investigation|investigate|investigating|probe|examine|look\s+into)\b", re.I
)


def _parties(assessments: tuple[Assessment, ...]) -> tuple[Assessment, ...]:
    """A speaker who speaks about its own conduct on the claim is a party to it in all they say on it.

    The ministry that denied "reports that police had detained journalists" is no independent
    witness when it adds "No journalist was detained on Saturday".
    """
    parties = {a.evidence.claim.speaker for a in assessments if a.own and a.evidence.claim.speaker}
    return tuple(replace(a, own=True) if a.evidence.claim.speaker in parties else a for a in assessments)


def takes_position(
    evidence: Evidence, terms: set[str], quantities: tuple[Quantity, ...], policy: Policy | None = None
) -> bool:
    """Whether a related source says something about the claim itself, so that it counts for the verdict.

    A source on the same subject is not evidence for or against every claim on it: the mayor
    announcing a bridge closure neither supports nor contradicts "the closure was planned to help
    her re-election". A source takes a position when it is a near paraphrase (relevance), when what
    it says has most of the claim's words (``stance_coverage`` of ``text.topic_terms``), or when it
    gives a figure for what the claim counts (or the claim's very number).
    """
    policy = policy or Policy()
    claim = evidence.claim
    if evidence.relevance >= policy.stance_relevance or coverage(terms, claim.content) >= policy.stance_coverage:
        return True
    if _denied_in_its_words(claim, terms, policy):
        return True
    return any(
        matching_quantities(q, claim.quantities) or any(o.value == q.value >= 10 for o in claim.quantities)
        for q in quantities
    )


def _denied_in_its_words(claim: Claim, terms: set[str], policy: Policy) -> bool:
    """Whether a source denies, in (most of) the claim's own words, part of what it says: "denies
    that any alert was raised before Sunday" against "the software raised an alert three days
    before ...", though the denial has few of the claim's words."""
    denied = topic_terms(claim.content)
    return claim.stance in DENIAL_STANCES and bool(denied) and len(denied & terms) / len(denied) >= policy.flip_coverage


def _figures_on_subject(
    evidence: list[Evidence], relevant: list[Evidence], quantities: tuple[Quantity, ...], policy: Policy
) -> list[Evidence]:
    """Less similar sources that give a figure for what the claim counts, in an article already relevant.

    "Her margin was 1,870 votes" barely resembles "Marchetti won by 2,300 votes", yet it is the
    figure the check is about; the article restricts this to the subject of the relevant sources.
    """
    articles = {e.claim.article_id for e in relevant}
    chosen = {id(e) for e in relevant}
    return [
        e for e in evidence
        if id(e) not in chosen and e.claim.article_id in articles and (
            (e.relevance >= policy.figure_relevance and any(_same_counted(q, e.claim.quantities) for q in quantities))
            or any(_same_event(q, e.claim.quantities) for q in quantities)
        )
    ]


def _same_event(quantity: Quantity, others: tuple[Quantity, ...]) -> bool:
    """A figure for the very count: the same counted noun and the same event ("people" who "took part")."""
    key = counted_key(quantity.counted)
    return quantity.event is not None and key is not None and any(
        o.unit == quantity.unit and o.event == quantity.event and counted_key(o.counted) == key for o in others
    )


def _same_counted(quantity: Quantity, others: tuple[Quantity, ...]) -> bool:
    """A figure for the same counted thing in the same unit, or an unnamed one in it."""
    key = counted_key(quantity.counted)
    return any(
        o.unit == quantity.unit and (o.counted is None or (key is not None and counted_key(o.counted) == key))
        for o in others
    )


def assess(
    evidence: Evidence, claim_text: str, *, speakers: SpeakerIndex | None = None, policy: Policy | None = None
) -> Assessment:
    """One source's position: opposite polarity or a different figure contradicts; another place is no support."""
    policy = policy or Policy()
    claim = evidence.claim
    own = own_conduct(claim) or defends(claim_text, claim)
    found = compare(claim_text, "asserts", claim, context=evidence.context, speakers=speakers)
    within = found.flipped_by_cue and _denied_in_its_words(claim, topic_terms(claim_text), policy)
    if found.flipped and evidence.relevance < policy.flip_similarity and not within and (
        found.coverage < policy.flip_coverage
        or (not found.flipped_by_cue and not subject_shared(claim_text, claim.content))
    ):
        # An inquiry "into the cause of the explosion" is not a denial that sabotage caused it:
        # an opposite polarity counts only in a source that says (most of) the claim's words.
        return Assessment(evidence, "supports", "unrelated", own)
    if found.flipped:
        denies = claim.stance == "denies" or claim.negated
        return Assessment(evidence, "contradicts", "denies" if found.flipped_by_cue and denies else "negation", own)
    kinds = {d.kind for d in found.differences}
    if "figure" in kinds:
        return Assessment(evidence, "contradicts", "different figure", own)
    if kinds & {"place", "person", "date"}:
        # Another place or date is no support; whether it contradicts depends on the event,
        # so such a source is shown but does not count.
        return Assessment(evidence, "supports", "unrelated", own)
    compared = any(
        matching_quantities(q, claim.quantities)
        or any(o.value == q.value >= 10 and o.unit == q.unit for o in claim.quantities)
        for q in parse_quantities(claim_text)
    )  # "About 35 vessels were waiting" gives the figure of "About 35 ships were stuck"
    if not compared and (
        (_INQUIRY.search(claim.content) and not _INQUIRY.search(claim_text))
        or not subject_shared(claim_text, claim.content) or not point_shared(claim_text, claim.content)
    ):
        # "An inquiry into the cause of the explosion" shares the words of "the explosion was
        # caused by sabotage" but asserts no cause: it asks what the claim answers.
        return Assessment(evidence, "supports", "unrelated", own)
    if claim.stance in DOUBT_STANCES:
        # "doubted the union's claim that its fund could pay strikers for six weeks": the claim's
        # words, held in doubt, a position against it (though no denial).
        return Assessment(evidence, "contradicts", "doubts", own)
    return Assessment(evidence, "supports", "same figure" if compared else "asserts", own)


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


def findings_text(result: CheckResult) -> str:
    """Plain lines of who said what and which figures conflict, for the check_claim prompt."""
    lines = [f"Verdict: {result.verdict}"]
    finding = result.attribution
    if finding is not None:
        found = finding.found
        who = found.claim.speaker if found is not None else "nobody in the sources"
        cited = f" [{found.citation}]" if found is not None else ""
        lines.append(f"Claimed speaker: {finding.claimed_speaker}; on record: {who} ({finding.match}){cited}")
        lines += [f"Differs: {d.kind}: claimed {d.claimed!r}, source {d.found!r}" for d in finding.differences]
        lines += [f"{finding.claimed_speaker} said on the topic [{e.citation}]" for e in finding.said_on_topic]
        lines += [f"Also on record: {e.claim.speaker} [{e.citation}]" for e in finding.others]
    for group in result.by_speaker:
        cited = "".join(f"[{a.evidence.citation}]" for a in group.assessments)
        own = " (about its own conduct: a position, not evidence)" if any(a.own for a in group.assessments) else ""
        lines.append(f"{group.speaker or 'Unattributed'}: {group.position}{own} {cited}")
    for conflict in result.conflicts:
        figures = "; ".join(f"{f.speaker or 'unattributed'}: {f.text} [{f.citation}]" for f in conflict.figures)
        lines.append(f"Conflicting figures for {conflict.counted or 'the count'}: {figures}")
    return "\n".join(lines)
