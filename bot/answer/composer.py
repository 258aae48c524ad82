"""The extractive composer: answers built only from attributed claims and cited passages.

Every sentence it writes names who said it, their role, the cue and the content as written,
and carries a ``[n]`` marker naming the exact span it came from. No model writes anything, so
nothing in an article (including text that reads like an instruction) can steer it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.answer.checks import CheckResult
from bot.model import Answer, Article, Attribution, AttributionCheck, Citation, Claim, SearchHit, Span


@dataclass
class CitationBook:
    """Numbers cited spans in order of first use; the same span keeps its number."""

    article: Callable[[str], Article]
    _numbers: dict[tuple[str, int, int], int] = field(default_factory=dict)
    _citations: list[Citation] = field(default_factory=list)

    def cite(self, article_id: str, start: int, end: int) -> int:
        """The number of the citation of ``article.text[start:end]``."""
        key = (article_id, start, end)
        if key not in self._numbers:
            article = self.article(article_id)
            number = len(self._citations) + 1
            self._numbers[key] = number
            self._citations.append(Citation(
                id=number, article_id=article.id, title=article.title, source=article.source,
                quote=article.text[start:end], start=start, end=end,
                url=article.url, published=article.published,
            ))
        return self._numbers[key]

    def cite_claim(self, claim: Claim) -> int:
        """Cite the whole attribution: source, cue and content."""
        assert claim.article_id is not None
        return self.cite(claim.article_id, claim.start, claim.end)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation, numbered from 1."""
        return tuple(self._citations)


def who(claim: Claim) -> str:
    """The speaker with their role, as an answer names them."""
    name = claim.speaker or claim.speaker_mention or "An unnamed source"
    return f"{name} ({claim.role})" if claim.role and claim.role not in name else name


def claim_sentence(claim: Claim, number: int) -> str:
    """One sentence for one claim: who, the cue, the content as written, its marker."""
    content = claim.content.strip().rstrip(".,;:")
    if claim.speaker is None and claim.source_span is None:
        return f"Unattributed: {claim.cue} {content} [{number}]."
    if claim.kind == "according-to":
        return f"According to {who(claim)}, {content} [{number}]."
    joiner = ": " if claim.kind == "direct" else " "
    return f"{who(claim)} {claim.cue}{joiner}{content} [{number}]."


def attribution(claim: Claim, number: int) -> Attribution:
    """The answer contract's record of one claim."""
    return Attribution(
        speaker=claim.speaker, speaker_mention=claim.speaker_mention, role=claim.role,
        cue=claim.cue, stance=claim.stance, content=claim.content, citation=number,
    )


def group_by_speaker(claims: Sequence[Claim]) -> list[Claim]:
    """Keep the first-seen order of speakers, and put each speaker's claims together."""
    order: dict[str | None, list[Claim]] = {}
    for claim in claims:
        order.setdefault(claim.speaker, []).append(claim)
    return [claim for group in order.values() for claim in group]


def outermost(claims: Sequence[tuple[Claim, float]]) -> list[tuple[Claim, float]]:
    """Drop claims repeated or nested in another claim's content, keeping order and scores.

    "Retailers are telling me their stock is stuck", she said: the retailers' report lives inside
    her quote, and the person who said the words is the one who answers "who said that?". An
    identical claim of the same speaker in the same article (a headline printed twice) is shown once.
    """
    by_article: dict[str | None, list[tuple[Span, tuple[Span, ...]]]] = {}
    for claim, _ in claims:  # each claim's extent and content spans, read once (a quadratic loop follows)
        by_article.setdefault(claim.article_id, []).append(((claim.start, claim.end), claim.content_spans))
    kept: list[tuple[Claim, float]] = []
    seen: set[tuple[str | None, str | None, str]] = set()
    for claim, score in claims:
        key = (claim.article_id, claim.speaker, " ".join(claim.content.split()).casefold())
        start, end = extent = claim.start, claim.end
        if key in seen or any(
            other != extent and any(s <= start and end <= e for s, e in spans)
            for other, spans in by_article[claim.article_id]
        ):  # repeated, or every span of it within one content span of another claim
            continue
        seen.add(key)
        kept.append((claim, score))
    return kept


def compose_claims(
    question: str, claims: Sequence[Claim], book: CitationBook, *, lead: str = ""
) -> Answer:
    """An answer listing claims (most relevant speaker first), each with its citation."""
    sentences = [lead] if lead else []
    attributions = []
    for claim in group_by_speaker(claims):
        number = book.cite_claim(claim)
        sentences.append(claim_sentence(claim, number))
        attributions.append(attribution(claim, number))
    return Answer(
        question=question, answer=" ".join(sentences), abstained=False,
        attributions=tuple(attributions), citations=book.citations,
    )


def compose_passages(
    question: str, passages: Sequence[tuple[SearchHit, tuple[int, int]]], book: CitationBook
) -> Answer:
    """An answer quoting the best sentence of each passage, when no claim answers it."""
    sentences = []
    for hit, (start, end) in passages:
        number = book.cite(hit.article_id, start, end)
        quote = " ".join(book.citations[number - 1].quote.split())
        sentences.append(f"{hit.title} reports: “{quote}” [{number}].")
    return Answer(question=question, answer=" ".join(sentences), abstained=False, citations=book.citations)


# Connective sentences (no marker) that verification keeps as framing; the verdict itself is
# a field of the answer, rendered by each interface, and so is an attribution finding.
_LEADS = {"disputed": "Accounts differ."}


def compose_check(result: CheckResult, book: CitationBook) -> Answer | None:
    """A claim check rendered from its decided result: who said what, each cited; ``None`` with nothing to show."""
    shown = result.shown
    if not shown:
        return None
    finding = attribution_check(result, book)  # cited first: the finding's passage is [1]
    answer = compose_claims(result.claim, [e.claim for e in shown], book, lead=_LEADS.get(result.verdict, ""))
    return Answer(
        question=result.claim, answer=answer.answer, abstained=False, verdict=result.verdict,
        attributions=answer.attributions, citations=answer.citations, attribution=finding,
    )


def attribution_check(result: CheckResult, book: CitationBook | None) -> AttributionCheck | None:
    """The answer contract's attribution record of a check, citing the record found (if any)."""
    finding = result.attribution
    if finding is None:
        return None
    found = finding.found.claim if finding.found is not None else None
    return AttributionCheck(
        claimed_speaker=finding.claimed_speaker,
        found_speaker=found.speaker if found is not None else None,
        match=finding.match, differences=finding.differences,
        citation=book.cite_claim(found) if found is not None and book is not None else None,
    )
