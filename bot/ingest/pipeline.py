"""Ingestion: files -> articles, chunks, claims and vectors, safe to interrupt and re-run.

Order of writes for a group of articles (the database is the source of truth):
1. each new article row is recorded as ``pending`` (invisible to readers);
2. chunk and claim vectors are upserted under deterministic ids (a repeat overwrites);
3. one transaction per article writes its chunks and claims, marks it ``ready`` and keeps
   the version it replaces as history (``replaced``), leaving a tombstone for that version's vectors;
4. tombstoned vectors are deleted and the tombstones cleared.
A kill anywhere leaves at worst a pending row (finished by the next run of the same files)
or tombstoned vectors (deleted by the next run); readers never see either.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast, overload, runtime_checkable

from bot.index.embedder import Embedder
from bot.index.records import PENDING, READY, RecordStore
from bot.index.retrieval import chunk_metadata
from bot.index.vectors import Metadata, VectorStore
from bot.ingest.chunking import chunk_text
from bot.ingest.loaders import Document, SkipFile, check_text, discover, load
from bot.model import Article, Chunk, Claim, IngestReport, article_id_for

if TYPE_CHECKING:
    from bot.attribution.states import Windows

log = logging.getLogger(__name__)

# Articles are embedded together until about this many chunks, so batches stay full.
GROUP_CHUNKS = 256
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ClaimExtractor(Protocol):
    """Anything that finds claims in texts (the attribution engine, or a fake)."""

    def extract_many(self, texts: Iterable[str]) -> Iterator[list[Claim]]:
        """Claims of each text, in order."""
        ...


@runtime_checkable
class _Closes(Protocol):
    def close(self, *, abort: bool = False) -> None: ...


@runtime_checkable
class _ReadsStates(Protocol):
    """An extractor whose tagger can read the encoder states of the passages' embedding pass."""

    @property
    def state_layers(self) -> int: ...

    def extract_many(
        self, texts: Iterable[str], states: Iterable[Windows | None] | None = None
    ) -> Iterator[list[Claim]]: ...


@runtime_checkable
class _EmbedsStates(Protocol):
    """An embedder that returns the encoder's token states beside the vectors."""

    def supports_states(self) -> bool: ...

    def embed_with_states(self, texts: Sequence[str], *, layers: int) -> tuple[list[list[float]], list[Windows]]: ...


def claim_text(claim: Claim) -> str:
    """The text embedded for a claim: who, the cue, and what."""
    return f"{claim.speaker or 'Unattributed'} {claim.cue}: {claim.content}"


@dataclass
class _Pending:
    article: Article
    replaces: list[str]
    updated: bool
    chunks: list[Chunk] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    written: Callable[[], None] | None = None  # told once the article is committed


@dataclass
class Ingestor:
    """Writes documents into the record store and the vector stores."""

    records: RecordStore
    chunk_vectors: VectorStore
    claim_vectors: VectorStore
    embedder: Embedder
    extractor: ClaimExtractor | None = None
    max_file_bytes: int = 5_000_000
    chunk_max_chars: int = 700
    chunk_overlap: int = 1

    def ingest_paths(
        self, paths: Sequence[Path], *, on_file: Callable[[Path], None] | None = None
    ) -> IngestReport:
        """Ingest files and folders; failures are counted and reported, never fatal."""
        started = time.perf_counter()
        files = discover(list(paths))
        report = IngestReport()
        self._seen: set[str] = set()
        self.sweep()
        self._run(self._pending_files(files, report, on_file), report)
        self.sweep()
        report.seconds = time.perf_counter() - started
        return report

    def ingest_documents(self, documents: Sequence[Document]) -> IngestReport:
        """Ingest in-memory documents, checked as file texts are; an invalid one is reported, not fatal."""
        started = time.perf_counter()
        report = IngestReport()
        self._seen = set()
        self.sweep()
        valid: list[Document] = []
        for doc in documents:
            try:
                check_text(doc.text, self.max_file_bytes)
                valid.append(doc)
            except SkipFile as exc:
                report.failed += 1
                report.failures.append((doc.source, str(exc)))
        self._run(self._pending_documents(valid, report), report)
        self.sweep()
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, article_ids: Sequence[str]) -> None:
        """Delete articles and everything derived from them."""
        self.records.remove(article_ids)
        self.sweep()

    def sweep(self) -> None:
        """Delete the vectors of removed or replaced articles."""
        dead = self.records.tombstoned()
        if dead:
            for store in (self.chunk_vectors, self.claim_vectors):
                store.delete({"article_id": {"$in": dead}})
            self.records.clear_tombstones(dead)

    def _pending_files(
        self, files: Sequence[Path], report: IngestReport, on_file: Callable[[Path], None] | None
    ) -> Iterator[_Pending]:
        """Each file's new articles; ``on_file`` is called once a file's last article is written."""
        for path in files:
            with _clock(report, "read"):
                pending = self._load(path, report)
            if pending and on_file:
                pending[-1].written = partial(on_file, path)
            yield from pending
            if not pending and on_file:
                on_file(path)

    def _pending_documents(self, documents: Sequence[Document], report: IngestReport) -> Iterator[_Pending]:
        for doc in documents:
            with _clock(report, "read"):
                pending = self._prepare(doc, report)
            if pending is not None:
                yield pending

    def _load(self, path: Path, report: IngestReport) -> list[_Pending]:
        try:
            documents = load(path, max_bytes=self.max_file_bytes)
        except SkipFile as exc:
            log.warning("skipped %s: %s", path, exc)
            report.failed += 1
            report.failures.append((str(path), str(exc)))
            return []
        return [p for p in (self._prepare(doc, report) for doc in documents) if p is not None]

    def _prepare(self, doc: Document, report: IngestReport) -> _Pending | None:
        article = Article(
            id=article_id_for(doc.text), source=_storable(doc.source), title=_storable(doc.title), text=doc.text,
            url=_storable(doc.url), published=_storable(doc.published), publisher=_storable(doc.publisher),
            author=_storable(doc.author),
        )
        others = [i for i in self.records.ids_by_source(article.source) if i != article.id]
        if article.id in self._seen:  # the same text twice in one run: the first one wins
            report.unchanged += 1
            return None
        self._seen.add(article.id)
        report.article_ids.append(article.id)
        if self.records.status(article.id) == READY:
            live = [i for i in others if self.records.status(i) in (READY, PENDING)]
            if live:  # the source went back to a text that is already indexed
                self.records.supersede(live)
                report.updated += 1
            else:
                report.unchanged += 1
            return None
        chunks = chunk_text(
            doc.text, article_id=article.id, max_chars=self.chunk_max_chars, overlap=self.chunk_overlap
        )
        return _Pending(article, replaces=others, updated=bool(others), chunks=chunks)

    def _run(self, pending: Iterable[_Pending], report: IngestReport) -> None:
        """Extract, embed and write groups of articles, reading the next group during extraction.

        A group's claims are asked for as soon as it is complete; an extractor that works in
        other processes starts then, while this process reads and chunks the files of the
        next group. The group is embedded only after that, with every core free for it.

        An engine that reads the encoder's states (the MiniLM tagger) gets them from the pass
        that embeds the passages, which then comes first: a group's passages are embedded, then
        its claims asked for with their states, and only its claims are embedded after that. The
        encoder never runs while the workers parse: on a CPU, torch's threads lose far more to
        processes competing for the cores than any overlap would gain (an ingest that overlapped
        them took 2.0x the floor, against this order's figure in the README).
        """
        ahead: tuple[list[_Pending], Iterator[list[Claim]], list[list[float]] | None] | None = None
        closes = self.extractor if isinstance(self.extractor, _Closes) else None
        layers = self._shared_layers()
        try:
            for group in _groups(pending):
                if ahead:
                    self._flush(*ahead, report)
                if layers:
                    vectors, windows = self._embed_passages(group, layers, report)
                    ahead = group, self._extract(group, windows), vectors
                else:
                    ahead = group, self._extract(group), None
            if ahead:
                self._flush(*ahead, report)
        except BaseException:  # Ctrl-C or a failure: do not wait for parsing nobody will use
            if closes:
                closes.close(abort=True)
            raise
        if closes:
            closes.close()  # worker processes live for one ingest, not for a server's life

    def _shared_layers(self) -> int:
        """How many encoder layers the extractor reads from the passages' pass (0: it encodes none,
        or the embedder is another model than the one the tagger was trained on)."""
        if not isinstance(self.extractor, _ReadsStates) or not isinstance(self.embedder, _EmbedsStates):
            return 0
        layers = self.extractor.state_layers
        return layers if layers and self.embedder.supports_states() else 0

    def _embed_passages(
        self, group: list[_Pending], layers: int, report: IngestReport
    ) -> tuple[list[list[float]], list[Windows]]:
        """The group's passage vectors, and each article's encoder windows from the same pass."""
        with _clock(report, "embed"):
            return passage_states(self.embedder, [p.chunks for p in group], layers=layers)

    def _extract(self, group: list[_Pending], states: list[Windows] | None = None) -> Iterator[list[Claim]]:
        if self.extractor is None:
            return iter([[] for _ in group])
        texts = [p.article.text for p in group]
        if states is None:
            return self.extractor.extract_many(texts)
        return cast("_ReadsStates", self.extractor).extract_many(texts, states)

    def _flush(
        self, group: list[_Pending], found: Iterator[list[Claim]], passages: list[list[float]] | None,
        report: IngestReport,
    ) -> None:
        """Wait for the group's claims, embed what is not embedded yet, and write the group."""
        with _clock(report, "load model"):
            _ = self.embedder.dimension  # loads the model while the claims are still being extracted
        with _clock(report, "extract"):
            for pending, claims in zip(group, found, strict=True):
                pending.claims = [_with_article(c, pending.article.id) for c in _distinct(claims)]
        chunks = [(c, p.article) for p in group for c in p.chunks]
        claims = [c for p in group for c in p.claims]
        with _clock(report, "embed"):
            if passages is None:
                vectors = self.embedder.embed([c.text for c, _ in chunks] + [claim_text(c) for c in claims])
            else:
                vectors = passages + self.embedder.embed([claim_text(c) for c in claims])
        with _clock(report, "write"):
            self._write(group, chunks, claims, vectors, report)

    def _write(
        self, group: list[_Pending], chunks: list[tuple[Chunk, Article]], claims: list[Claim],
        vectors: list[list[float]], report: IngestReport,
    ) -> None:
        for pending in group:
            self.records.begin(pending.article)
        self.chunk_vectors.upsert(
            [c.id for c, _ in chunks], vectors[: len(chunks)], [chunk_metadata(c, a) for c, a in chunks]
        )
        if claims:
            claim_metadata = [_claim_metadata(c) for c in claims]
            self.claim_vectors.upsert([c.id for c in claims], vectors[len(chunks) :], claim_metadata)
        for pending in group:
            self.records.commit(pending.article, pending.chunks, pending.claims, replaces=pending.replaces)
            report.updated += pending.updated
            report.new += not pending.updated
            report.chunks += len(pending.chunks)
            report.claims += len(pending.claims)
            if pending.written:
                pending.written()


@contextmanager
def _clock(report: IngestReport, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.phases[phase] = report.phases.get(phase, 0.0) + time.perf_counter() - started


def _groups(pending: Iterable[_Pending]) -> Iterator[list[_Pending]]:
    """Consecutive articles in groups of about ``GROUP_CHUNKS`` chunks, so embedding batches stay full."""
    group: list[_Pending] = []
    for item in pending:
        group.append(item)
        if sum(len(p.chunks) for p in group) >= GROUP_CHUNKS:
            yield group
            group = []
    if group:
        yield group


def passage_states(
    embedder: Embedder, chunks: Sequence[Sequence[Chunk]], *, layers: int
) -> tuple[list[list[float]], list[Windows]]:
    """The passages' vectors (all articles' in order) and each article's encoder windows, in the
    article's offsets, from the one forward pass (``SentenceTransformerEmbedder.embed_with_states``)."""
    vectors, found = cast("_EmbedsStates", embedder).embed_with_states(
        [c.text for cs in chunks for c in cs], layers=layers
    )
    windows: list[Windows] = []
    at = 0
    for cs in chunks:
        windows.append([(o + c.start, h) for c, w in zip(cs, found[at : at + len(cs)], strict=True) for o, h in w])
        at += len(cs)
    return vectors, windows


def _distinct(claims: Iterable[Claim]) -> list[Claim]:
    """An article's claims with each (speaker, content) once, the first occurrence kept.

    A text that repeats itself (a title line printed twice, a pull quote) says nothing new the
    second time; storing the repeat would show the same claim twice in every answer and count.
    """
    seen: set[tuple[str | None, str]] = set()
    kept = []
    for claim in claims:
        key = (claim.speaker, " ".join(claim.content.split()).casefold())
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept


@overload
def _storable(value: str) -> str: ...


@overload
def _storable(value: None) -> None: ...


def _storable(value: str | None) -> str | None:
    """Metadata (never the text) as any database stores it: lone surrogates, from a file name that
    is not UTF-8 or a JSON escape, become U+FFFD, and NUL characters go (PostgreSQL refuses them)."""
    return None if value is None else _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def _with_article(claim: Claim, article_id: str) -> Claim:
    return replace(claim, article_id=article_id)


def _claim_metadata(claim: Claim) -> Metadata:
    data: Metadata = {"article_id": claim.article_id or "", "kind": claim.kind, "stance": claim.stance}
    if claim.speaker:
        data["speaker"] = claim.speaker
    return data
