"""The facade every interface (CLI, HTTP, Slack) calls; it builds the object graph lazily.

Nothing here is opened or loaded until first used, so a command that only prints help, or
only reads records, never loads the embedding model or spaCy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.errors import (
    BusyError,
    InputPathError,
    InvalidQueryError,
    NotFoundError,
    StoreUnavailableError,
    UnreadableSourceError,
)
from bot.index.conversations import Conversations
from bot.index.embedder import CachedEmbedder, Embedder, create_embedder, create_query_embedder
from bot.index.lexical import LexicalIndex
from bot.index.records import RecordStore
from bot.index.retrieval import HybridRetriever
from bot.index.vectors import ChromaVectorStore, VectorStore, create_chroma_client
from bot.ingest.pipeline import ClaimExtractor, Ingestor
from bot.model import (
    Article,
    ArticleVersion,
    Claim,
    IngestReport,
    SearchFilters,
    SearchHit,
    Source,
    shown_source,
    web_url,
)
from bot.textnorm import for_matching

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.language_models import BaseChatModel

    from bot.answer.chain import AnswerChain
    from bot.attribution.diff import ClaimChange
    from bot.index.sources import SourceStore
    from bot.ingest.loaders import Document
    from bot.ingest.watch import Watcher
    from bot.model import Answer

MAX_QUERY_CHARS = 2000


def validate_query(text: str, *, what: str = "question") -> str:
    """Return the stripped text, or raise ``InvalidQueryError`` with one clear sentence."""
    stripped = for_matching(text).strip()  # "Mar\u200biupol" is asked as "Mariupol"
    if not stripped:
        raise InvalidQueryError(f"The {what} is empty: type a few words.")
    if len(stripped) > MAX_QUERY_CHARS:
        raise InvalidQueryError(
            f"The {what} is {len(stripped):,} characters long; the limit is {MAX_QUERY_CHARS:,}."
        )
    if "\x00" in stripped or not re.search(r"\w", stripped):
        raise InvalidQueryError(f"The {what} has no words in it.")
    if re.search("[\ud800-\udfff]", stripped):  # a lone surrogate (a JSON escape) cannot be stored
        raise InvalidQueryError(f"The {what} contains invalid Unicode (a lone surrogate); retype it.")
    return stripped


class Whosaid:
    """ingest, search, show, remove, claims and extract over one configured index."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        extractor: ClaimExtractor | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._extractor = extractor
        self._chat_model = chat_model

    # -- the object graph ----------------------------------------------------------------
    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedder (injected or built from settings)."""
        return self._embedder or create_embedder(self.settings)

    @cached_property
    def query_embedder(self) -> Embedder:
        """The same model for questions and answer checks: without torch when it can be, and cached."""
        if self._embedder is not None:
            return CachedEmbedder(self._embedder)
        return create_query_embedder(self.settings, fallback=self.embedder)

    @cached_property
    def extractor(self) -> ClaimExtractor | None:
        """The attribution engine, or ``None`` when extraction is switched off."""
        if self._extractor is not None:
            return self._extractor
        if not self.settings.extract_claims:
            return None
        from bot.attribution.pool import ProcessExtractor

        return ProcessExtractor(
            spacy_model=self.settings.spacy_model, workers=self.settings.ingest_workers,
            engine=self.settings.attribution, model_path=self.settings.attribution_model,
        )

    @cached_property
    def records(self) -> RecordStore:
        """The SQL record store."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return RecordStore(self.settings.resolved_database_url)

    @cached_property
    def conversations(self) -> Conversations:
        """Sessions, answers given and feedback, in the records' database."""
        return Conversations(self.records.engine)

    @cached_property
    def _chroma(self) -> ClientAPI:
        return create_chroma_client(self.settings)

    def _collection(self, kind: str) -> VectorStore:
        name = f"{self.settings.collection_prefix}_{kind}"
        return ChromaVectorStore(self._chroma, name, model=self.embedder.name)

    @cached_property
    def chunk_vectors(self) -> VectorStore:
        """Vectors of chunks."""
        return self._collection("chunks")

    @cached_property
    def claim_vectors(self) -> VectorStore:
        """Vectors of claims."""
        return self._collection("claims")

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Hybrid dense + lexical retrieval over chunks."""
        lexical = LexicalIndex(self.records, self.settings.data_dir / "lexical")
        return HybridRetriever(
            embedder=self.query_embedder, vectors=self.chunk_vectors, lexical=lexical, records=self.records
        )

    @cached_property
    def ingestor(self) -> Ingestor:
        """The writer of articles, chunks, claims and vectors."""
        return Ingestor(
            records=self.records,
            chunk_vectors=self.chunk_vectors,
            claim_vectors=self.claim_vectors,
            embedder=self.embedder,
            extractor=self.extractor,
            max_file_bytes=self.settings.max_file_bytes,
            chunk_max_chars=self.settings.chunk_max_chars,
            chunk_overlap=self.settings.chunk_overlap_sentences,
        )

    @cached_property
    def sources(self) -> SourceStore:
        """Feeds and sitemaps, the pages they list, and the watcher's lease, in the records' database."""
        from bot.index.sources import SourceStore

        return SourceStore(self.records.engine)

    @cached_property
    def watcher(self) -> Watcher:
        """Polls the sources and ingests what changed, with the configured crawler manners."""
        from bot.ingest.watch import Schedule, Watcher
        from bot.ingest.web import Fetcher, FetchPolicy

        s = self.settings
        fetcher = Fetcher(FetchPolicy(
            user_agent=s.user_agent, timeout=s.fetch_timeout_seconds, max_bytes=s.fetch_max_bytes,
            max_redirects=s.fetch_max_redirects, per_host=s.fetch_per_host, delay=s.fetch_delay_seconds,
            obey_robots=s.obey_robots,
        ))
        schedule = Schedule(recheck=s.watch_recheck_seconds, retry=s.watch_retry_seconds,
                            max_backoff=s.watch_max_backoff_seconds)
        return Watcher(store=self.sources, fetcher=fetcher, ingest=self.ingest_documents,
                       max_text_bytes=s.max_file_bytes, schedule=schedule, workers=s.fetch_workers)

    @cached_property
    def chain(self) -> AnswerChain:
        """The answering chain over this index, with the configured (or injected) chat model if any."""
        from bot.answer.chain import AnswerChain, Policy
        from bot.answer.llm import create_chat_model

        chat_model = self._chat_model if self._chat_model is not None else create_chat_model(self.settings)
        return AnswerChain(
            records=self.records, retriever=self.retriever, claim_vectors=self.claim_vectors,
            embedder=self.query_embedder, chat_model=chat_model, policy=Policy(),
        )

    # -- operations ----------------------------------------------------------------------
    def ingest(
        self, paths: Sequence[Path], *, on_file: Callable[[Path], None] | None = None
    ) -> IngestReport:
        """Ingest files and folders (recursively)."""
        from bot.ingest.loaders import discover

        discover(list(paths))  # a missing path fails before the lock or any model load
        with self.write_lock():
            return self.ingestor.ingest_paths(paths, on_file=on_file)

    def ingest_documents(self, documents: Sequence[Document]) -> IngestReport:
        """Ingest in-memory documents (no files), checked as file texts are; a bad one is reported."""
        with self.write_lock():
            return self.ingestor.ingest_documents(documents)

    def ingest_urls(self, urls: Sequence[str]) -> IngestReport:
        """Fetch web pages and ingest their main text; the source of each is its canonical URL."""
        from bot.model import web_url

        bad = [url for url in urls if web_url(url) is None]
        if bad:
            raise InputPathError(f"Not an http(s) URL: {bad[0]}")
        done = self.watcher.ingest_urls(urls)
        return IngestReport(
            new=done.new, updated=done.updated, unchanged=done.unchanged, failed=done.failed, chunks=done.chunks,
            claims=done.claims, seconds=done.seconds, failures=done.failures, article_ids=done.article_ids,
        )

    def add_source(self, url: str, *, interval: float | None = None) -> tuple[Source, bool]:
        """Add (or re-time) a feed or sitemap, fetched once now to tell which it is; ``True`` when new."""
        from bot.ingest.feeds import NotAListing, parse_listing
        from bot.ingest.web import FEED_TYPES, FetchError

        url = url.strip()
        if web_url(url) is None:
            raise InvalidQueryError(f"A source is an http(s) URL, not {url!r}.")
        try:
            fetched = self.watcher.fetcher.get(url, accept=FEED_TYPES)
            kind = parse_listing(fetched.body, url=fetched.url).kind
        except (FetchError, NotAListing) as exc:
            raise UnreadableSourceError(f"{url} cannot be added: {exc}.") from None
        return self.sources.add(url, kind=kind, interval=interval or self.settings.watch_interval_seconds)

    def remove_source(self, url: str) -> None:
        """Stop polling a source (the articles it brought stay), or ``NotFoundError``."""
        if not self.sources.remove(url.strip()):
            raise NotFoundError(f"No source {url!r}; `whosaid sources list` shows them.")

    def versions(self, article_id: str) -> list[tuple[ArticleVersion, list[ClaimChange]]]:
        """Every version of an article, oldest first, each with its claim changes from the one before."""
        from bot.attribution.diff import diff_claims

        found = self.records.versions(article_id) if self.records.status(article_id) else []
        if not found:
            raise NotFoundError(f"No article with id {article_id!r}; `whosaid articles` lists them.")
        return [
            (version, diff_claims(found[n - 1].claims, version.claims) if n else [])
            for n, version in enumerate(found)
        ]

    def warm_up(self) -> None:
        """Build the object graph and load the embedding model now, so the first question is fast.

        A server calls this once before it accepts requests, so that no two requests race to
        build the same lazily cached part.
        """
        from bot.answer.claimparse import parse_claim
        from bot.ingest.chunking import sentence_spans

        self.query_embedder.embed(["warm up"])
        _ = self.conversations, self.chain
        self.retriever.search("warm up", k=1)  # opens Chroma, loads or builds the lexical index
        sentence_spans("Warm up. Done.", [(0, 14)])  # answers cut passages into sentences (spaCy)
        parse_claim("Ann Lee said that the warm-up is done.")  # compiles the checks' patterns (0.6 s)

    def health(self) -> dict[str, int]:
        """Counts of ready articles, chunks and claims, or ``StoreUnavailableError`` if a store is down."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            counts = self.records.counts()
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(f"The database does not answer ({type(exc).__name__}).") from None
        try:
            self._chroma.heartbeat()
        except Exception as exc:  # any client failure means the vector store is not usable
            raise StoreUnavailableError(f"The vector store does not answer ({type(exc).__name__}).") from None
        return counts

    def search(
        self, query: str, *, k: int = 5, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """The ``k`` best passages for ``query``, best first."""
        query = validate_query(query, what="search text")
        if k < 1 or k > 100:
            raise InvalidQueryError(f"-k must be between 1 and 100, not {k}.")
        return self.retriever.search(query, k=k, filters=filters)

    def article(self, article_id: str) -> Article:
        """One ready article, or ``NotFoundError``."""
        article = self.records.article(article_id)
        if article is None:
            raise NotFoundError(f"No article with id {article_id!r}; `whosaid articles` lists them.")
        return article

    def public_source(self, source: str) -> str:
        """How a client sees a source: never the server's folders (see ``shown_source``)."""
        root = self.settings.source_root
        return shown_source(source, root=root.absolute() if root else None)

    def articles(self) -> list[Article]:
        """Every ready article."""
        return self.records.list_articles()

    def remove(self, id_or_source: str) -> list[str]:
        """Delete an article by id, or every article ingested from a source; return the ids."""
        ids = self.records.ids_by_source(id_or_source) or self.records.ids_by_source(
            str(Path(id_or_source))
        )
        if not ids and self.records.status(id_or_source) is not None:
            ids = self.records.version_ids(id_or_source)  # every version of the article goes
        if not ids:
            raise NotFoundError(f"No article has the id or source {id_or_source!r}.")
        with self.write_lock():
            self.ingestor.remove(ids)
        return ids

    def claims(self, *, speaker: str | None = None, article_id: str | None = None) -> list[Claim]:
        """Claims held in the index, optionally for one speaker or article."""
        return self.records.claims(speaker=speaker, article_id=article_id)

    def search_claims(
        self, query: str, *, k: int = 10, speaker: str | None = None
    ) -> list[tuple[Claim, float]]:
        """Claims nearest in meaning to ``query`` with their cosine similarity, best first."""
        from bot.index.retrieval import nearest_claims

        query = validate_query(query, what="search text")
        return nearest_claims(
            query, embedder=self.query_embedder, vectors=self.claim_vectors, records=self.records, k=k, speaker=speaker
        )

    def start_session(self) -> str:
        """Start a conversation and return its id."""
        import uuid

        session_id = uuid.uuid4().hex
        self.conversations.create_session(session_id)
        return session_id

    def ask(
        self, question: str, *, mode: str = "ask", session: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer a question (or check a claim, ``mode="check"``) with verified citations.

        ``progress`` is called with each stage the chain enters (retrieving, composing, verifying).
        """
        question = self.check_question(question, mode=mode, session=session)
        history = self.conversations.history(session) if session else []
        answer, standalone = self.chain.answer(question, mode=mode, history=history, progress=progress)
        citations = tuple(
            dataclasses.replace(c, source=self.public_source(c.source), superseded_by=self._superseded_by(c.article_id))
            for c in answer.citations
        )
        answer = dataclasses.replace(answer, citations=citations)
        answer_id = self.conversations.record(
            question=question, mode=mode, answer=answer.to_dict(), session_id=session, standalone=standalone
        )
        return dataclasses.replace(answer, id=answer_id, session=session)

    def _superseded_by(self, article_id: str) -> str | None:
        """The current version's id when ``article_id`` is a version since replaced, else ``None``."""
        current = self.records.current_version(article_id)
        return current if current != article_id else None

    def check_question(self, question: str, *, mode: str = "ask", session: str | None = None) -> str:
        """The stripped question, or the error ``ask`` would raise before answering it."""
        question = validate_query(question, what="claim" if mode == "check" else "question")
        if mode not in ("ask", "check"):
            raise InvalidQueryError(f"The mode must be 'ask' or 'check', not {mode!r}.")
        if session is not None and not self.conversations.session_exists(session):
            raise NotFoundError(f"No conversation with id {session!r}; start a new one.")
        if not self.records.has_articles():
            raise NotFoundError("The index is empty: ingest articles first with `whosaid ingest PATH`.")
        return question

    def feedback(self, answer_id: str, *, rating: int, comment: str | None = None, channel: str = "api") -> None:
        """Store a rating (+1 helpful, -1 not) of an answer given earlier."""
        if rating not in (1, -1):
            raise InvalidQueryError("The rating must be 1 (helpful) or -1 (not helpful).")
        if comment is not None and len(comment) > MAX_QUERY_CHARS:
            raise InvalidQueryError(f"The comment is longer than {MAX_QUERY_CHARS:,} characters.")
        if not self.conversations.answer_exists(answer_id):
            raise NotFoundError(f"No answer with id {answer_id!r}.")
        self.conversations.add_feedback(answer_id, rating=rating, comment=comment or None, channel=channel)

    def prune(self, *, now: float | None = None) -> dict[str, int]:
        """Delete answers and conversations past ``WHOSAID_RETENTION_DAYS`` (0: keep everything)."""
        import time

        days = self.settings.retention_days
        if not days:
            return {"sessions": 0, "answers": 0}
        return self.conversations.prune(before=(now or time.time()) - days * 86_400)

    def extract(self, paths: Sequence[Path]) -> Iterator[tuple[Path, list[Claim]]]:
        """Claims found in files, without touching the index."""
        from bot.attribution.engine import create_extractor
        from bot.ingest.loaders import discover, load

        extractor = self._extractor or create_extractor(
            self.settings.attribution, spacy_model=self.settings.spacy_model,
            model_path=self.settings.attribution_model,
        )
        for path in discover(list(paths)):
            for document in load(path, max_bytes=self.settings.max_file_bytes):
                yield path, next(iter(extractor.extract_many([document.text])))

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers of one data directory, and of one shared database (PostgreSQL: workers
        on other hosts); a second writer waits, then fails clearly."""
        from filelock import FileLock, Timeout

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.settings.lock_path), timeout=self.settings.lock_timeout_seconds)
        try:
            lock.acquire()
        except Timeout:
            raise BusyError(
                f"Another whosaid process is writing to {self.settings.data_dir}; "
                "try again when it has finished."
            ) from None
        try:
            with self.records.writer_lock(timeout=self.settings.lock_timeout_seconds):
                yield
        finally:
            lock.release()
