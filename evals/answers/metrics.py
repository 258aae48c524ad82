"""Scoring answers against the gold question set.

Citation support is ALCE-style (Gao et al., 2023: recall = statements fully supported by their
citations, precision = citations that support their statement), but **judged against the gold
evidence spans instead of an NLI model**, because no NLI or cross-encoder model is packaged for
offline use: a statement's citations support it when a cited span overlaps a gold evidence span
of that question. A statement is a sentence of the answer carrying ``[n]`` markers; framing
sentences without markers ("Accounts differ.") assert nothing and are not statements.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.answer.text import split_sentences
from evals.answers.gold import Evidence, Item

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass
class Scored:
    """One answered question with every figure it contributes and why it failed, if it did."""

    id: str
    split: str
    type: str
    question: str
    answerable: bool
    abstained: bool
    answer: str
    speaker: str | None = None  # the top attribution's speaker (None: unattributed or no attribution)
    speaker_ok: bool | None = None  # None: the question has no gold speaker
    verdict: str | None = None
    gold_verdict: str | None = None
    citations: int = 0
    exact: int = 0
    statements: int = 0
    supported: int = 0
    cites: int = 0  # (statement, citation) pairs
    supporting: int = 0
    evidence: int = 0
    evidence_cited: int = 0
    failures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return asdict(self)


def speaker_matches(predicted: str | None, gold: Sequence[str | None]) -> bool:
    """A predicted speaker matches a gold name when equal, or when it contains the whole gold name."""
    if predicted is None:
        return None in gold
    said = _norm(predicted)
    return any(g is not None and (said == _norm(g) or re.search(rf"\b{re.escape(_norm(g))}\b", said)) for g in gold)


def _norm(name: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join(name.casefold().split()))


def score(item: Item, answer: Mapping[str, Any], texts: Mapping[str, str]) -> Scored:
    """Score one answer (the answer contract as a dict); ``texts`` maps article ids to text."""
    attributions = answer.get("attributions") or []
    top = attributions[0].get("speaker") if attributions else None
    result = Scored(
        id=item.id, split=item.split, type=item.type, question=item.question, answerable=item.answerable,
        abstained=bool(answer["abstained"]), answer=answer["answer"], speaker=top,
        verdict=answer.get("verdict"), gold_verdict=item.verdict,
    )
    citations = {c["id"]: c for c in answer.get("citations") or []}
    _exactness(result, citations.values(), texts)
    _abstention(result, item)
    if item.speakers and item.answerable:
        result.speaker_ok = not result.abstained and speaker_matches(top, item.speakers)
        if not result.speaker_ok and not result.abstained:
            result.failures.append(f"speaker {top!r}, want one of {list(item.speakers)}")
    if item.evidence and not result.abstained:
        _support(result, item.evidence, citations)
    elif item.evidence:
        result.evidence = len(item.evidence)
    if item.verdict is not None and result.verdict != item.verdict:
        result.failures.append(f"verdict {result.verdict!r}, want {item.verdict!r}")
    return result


def _exactness(result: Scored, citations: Iterable[Mapping[str, Any]], texts: Mapping[str, str]) -> None:
    for citation in citations:
        result.citations += 1
        text = texts.get(citation["article_id"], "")
        if text[citation["start"] : citation["end"]] == citation["quote"]:
            result.exact += 1
        else:
            result.failures.append(f"citation [{citation['id']}] is not article text[start:end]")


def _abstention(result: Scored, item: Item) -> None:
    if result.abstained and item.answerable:
        result.failures.append("abstained on an answerable question")
    elif not result.abstained and not item.answerable:
        result.failures.append(f"answered an unanswerable question ({item.kind or 'no gold'})")


def _support(result: Scored, evidence: Sequence[Evidence], citations: Mapping[int, Mapping[str, Any]]) -> None:
    """ALCE-style statement recall and citation precision against the gold spans."""
    result.evidence = len(evidence)
    result.evidence_cited = sum(any(_overlaps(c, e) for c in citations.values()) for e in evidence)
    if result.evidence_cited < result.evidence:
        missing = [e.quote for e in evidence if not any(_overlaps(c, e) for c in citations.values())]
        result.failures.append(f"gold evidence not cited: {missing}")
    for segment in split_sentences(result.answer):
        cited = [citations[n] for n in map(int, _MARKER.findall(segment.text)) if n in citations]
        if not cited:
            continue
        result.statements += 1
        good = [any(_overlaps(c, e) for e in evidence) for c in cited]
        result.cites += len(good)
        result.supporting += sum(good)
        result.supported += any(good)


def _overlaps(citation: Mapping[str, Any], evidence: Evidence) -> bool:
    return (
        _same_source(citation["source"], evidence.source)
        and citation["start"] < evidence.end
        and evidence.start < citation["end"]
    )


def _same_source(shown: str, ingested: str) -> bool:
    """A citation's source names the ingested file: clients see a path relative to the configured
    root, or the file name, never the server's absolute path (``bot.model.shown_source``)."""
    return shown == ingested or ingested.endswith("/" + shown)


def summarise(results: Sequence[Scored]) -> dict[str, Any]:
    """The figures of a group of scored answers (percentages, with the counts behind them)."""
    speakers = [r for r in results if r.speaker_ok is not None]
    unanswerable = [r for r in results if not r.answerable]
    abstained = [r for r in results if r.abstained]
    checks = [r for r in results if r.gold_verdict is not None]
    answered = [r for r in results if r.answerable and r.evidence]
    return {
        "questions": len(results),
        "speaker_accuracy": _pct(sum(bool(r.speaker_ok) for r in speakers), len(speakers)),
        "exact_citations": _pct(sum(r.exact for r in results), sum(r.citations for r in results)),
        "citation_recall": _pct(sum(r.supported for r in results), sum(r.statements for r in results)),
        "citation_precision": _pct(sum(r.supporting for r in results), sum(r.cites for r in results)),
        "gold_evidence_cited": _pct(sum(r.evidence_cited for r in answered), sum(r.evidence for r in answered)),
        "abstention_precision": _pct(sum(not r.answerable for r in abstained), len(abstained)),
        "abstention_recall": _pct(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "abstention_accuracy": _pct(sum(r.abstained != r.answerable for r in results), len(results)),
        "answered_answerable": _pct(
            sum(not r.abstained for r in results if r.answerable), sum(r.answerable for r in results)
        ),
        "verdict_accuracy": _pct(sum(r.verdict == r.gold_verdict for r in checks), len(checks)),
        "verdict_confusion": confusion(checks),
    }


def confusion(checks: Sequence[Scored]) -> dict[str, dict[str, int]]:
    """Counts of (gold verdict -> predicted verdict)."""
    table: dict[str, Counter[str]] = {}
    for r in checks:
        table.setdefault(str(r.gold_verdict), Counter())[str(r.verdict)] += 1
    return {gold: dict(row) for gold, row in sorted(table.items())}


def _pct(numerator: int, denominator: int) -> dict[str, Any]:
    value = round(100.0 * numerator / denominator, 1) if denominator else None
    return {"value": value, "n": numerator, "of": denominator}
