"""The record store: articles, chunks and claims in SQL (SQLite by default, any SQLAlchemy URL).

It is the source of truth. An article is written as ``pending`` first; its chunks and claims
and the switch to ``ready`` (with the version it replaces set to ``replaced``) happen in one
transaction, so readers never see half an article. A replaced version keeps its row, chunks and
claims as history (``versions``); every read but the history ones sees ``ready`` articles only,
and the replaced version's vectors are tombstoned, so search never finds it. ``revision`` grows with every change, so
caches built from the records (the lexical index) know when they are stale.

The same code runs on SQLite and PostgreSQL (``tests/contract/test_record_store.py`` holds
both to one contract; ``database.py`` has what differs). On PostgreSQL several workers may
share the database, so ``revision`` is incremented in place: concurrent commits never lose a bump.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    cast,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError

from bot.errors import StoreUnavailableError
from bot.index.database import create_schema, open_engine, writer_lock
from bot.model import Article, ArticleVersion, Chunk, Claim, Quantity, web_url

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
    Column("published", String(10), index=True),
    Column("publisher", Text),
    Column("author", Text),
    Column("status", String(8), nullable=False, index=True),  # pending | ready | replaced
    Column("seen", Float),  # when this version was committed (unknown for rows older than history)
    Column("superseded", Float),  # when a newer version replaced it
)
chunks = Table(
    "chunks",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)
claims = Table(
    "claims",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("speaker", Text),
    Column("data", JSON, nullable=False),
    # A speaker's claims in article order: "what did X say?" reads the first few articles quoting X
    # from this index and stops, however many claims X has (ix_claims_speaker, in older
    # databases, is the same index without the order).
    Index("ix_claims_speaker_article", "speaker", "article_id"),
)
# Articles removed or replaced whose vectors may still be in the vector store; written in
# the transaction that removes them, cleared once the vectors are deleted.
tombstones = Table("tombstones", metadata, Column("article_id", String(32), primary_key=True))
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

READY, PENDING, REPLACED = "ready", "pending", "replaced"


class RecordStore:
    """Articles, their chunks and claims, in one SQL database."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = open_engine(url)
        try:
            with self.engine.begin() as conn:
                create_schema(conn, metadata)
                _add_history_columns(conn)
                if conn.scalar(select(meta.c.value).where(meta.c.key == "revision")) is None:
                    conn.execute(insert(meta).values(key="revision", value="0"))
        except OperationalError as exc:
            reason = " ".join(str(exc.orig).split())  # drivers' messages run over several lines
            raise StoreUnavailableError(f"The database cannot be opened ({reason}).") from None
        # (revision, speakers(), lower-cased name -> its spellings), recounted when the records change
        self._speakers: tuple[int, dict[str, int], dict[str, list[str]]] | None = None
        self._roles: tuple[int, dict[str, set[str]]] | None = None

    # -- reads ---------------------------------------------------------------------------
    def article(self, article_id: str, *, ready_only: bool = True, history: bool = False) -> Article | None:
        """Return one article by id (``history``: a replaced version too, never a pending one)."""
        # By the key alone, the status checked here: a status condition lets the planner walk the
        # status index (every ready article) instead of the primary key.
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        wanted = {READY, REPLACED} if history else {READY} if ready_only else None
        if row is None or (wanted is not None and row["status"] not in wanted):
            return None
        return _article(row)

    def status(self, article_id: str) -> str | None:
        """``ready``, ``pending`` or ``None`` when unknown."""
        with self.engine.connect() as conn:
            return conn.scalar(select(articles.c.status).where(articles.c.id == article_id))

    def ids_by_source(self, source: str) -> list[str]:
        """Every article id (any status) ingested from ``source``."""
        with self.engine.connect() as conn:
            return list(conn.scalars(select(articles.c.id).where(articles.c.source == source)))

    def version_ids(self, article_id: str) -> list[str]:
        """Every version (any status) of the article with this id: the ids sharing its source."""
        with self.engine.connect() as conn:
            source = conn.scalar(select(articles.c.source).where(articles.c.id == article_id))
        return self.ids_by_source(source) if source is not None else []

    def versions(self, article_id: str) -> list[ArticleVersion]:
        """The current and replaced versions of an article (any of its ids), oldest first, with their claims."""
        with self.engine.connect() as conn:
            source = conn.scalar(select(articles.c.source).where(articles.c.id == article_id))
            rows = conn.execute(
                select(articles).where(articles.c.source == source, articles.c.status != PENDING)
                .order_by(articles.c.seen.is_(None).desc(), articles.c.seen, articles.c.id)
            ).mappings().all()
            found: dict[str, list[Claim]] = {row["id"]: [] for row in rows}
            for aid, data in conn.execute(
                select(claims.c.article_id, claims.c.data).where(claims.c.article_id.in_(list(found)))
            ):
                found[aid].append(claim_from_dict(data))
        return [
            ArticleVersion(
                article=_article(row), seen=row["seen"], superseded=row["superseded"],
                current=row["status"] == READY, claims=tuple(sorted(found[row["id"]], key=lambda c: c.start)),
            )
            for row in rows
        ]

    def current_version(self, article_id: str) -> str | None:
        """The id of the ready version of this article's source (itself when it is current)."""
        with self.engine.connect() as conn:
            source = conn.scalar(select(articles.c.source).where(articles.c.id == article_id))
            rows = conn.execute(select(articles.c.id, articles.c.status).where(articles.c.source == source)).all()
        return next((i for i, status in rows if status == READY), None)  # by the source index alone

    def list_articles(self) -> list[Article]:
        """Every ready article, by source."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(articles).where(articles.c.status == READY).order_by(articles.c.source)
            ).mappings()
            return [_article(row) for row in rows]

    def pending_ids(self) -> list[str]:
        """Articles whose ingest was interrupted."""
        with self.engine.connect() as conn:
            return list(conn.scalars(select(articles.c.id).where(articles.c.status == PENDING)))

    def chunks_by_ids(self, ids: Sequence[str]) -> dict[str, tuple[Chunk, Article]]:
        """Ready chunks with their articles, keyed by chunk id; unknown ids are absent."""
        if not ids:
            return {}
        article_columns = [c for c in articles.c if c.name != "id"]
        # The status is tested here, not in SQL: without table statistics SQLite would drive the
        # join from the status index (every ready article) instead of the few ids asked for.
        query = (
            select(chunks, *article_columns)
            .join(articles, articles.c.id == chunks.c.article_id)
            .where(chunks.c.id.in_(list(ids)))
        )
        found: dict[str, tuple[Chunk, Article]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                if row["status"] != READY:
                    continue
                article = _article(row, id_key="article_id")
                start, end = row["start"], row["end"]
                chunk = Chunk(row["id"], article.id, row["ordinal"], start, end, article.text[start:end])
                found[chunk.id] = (chunk, article)
        return found

    def iter_chunk_texts(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every ready chunk as (id, text, filter fields), in a stable order."""
        query = (
            select(chunks.c.id, chunks.c.start, chunks.c.end, articles.c.id.label("aid"),
                   articles.c.text, articles.c.publisher, articles.c.published)
            .join(articles, articles.c.id == chunks.c.article_id)
            .where(articles.c.status == READY)
            .order_by(chunks.c.article_id, chunks.c.ordinal)
        )
        with self.engine.connect() as conn:
            text_cache: tuple[str, str] = ("", "")
            for row in conn.execute(query).mappings():
                if text_cache[0] != row["aid"]:
                    text_cache = (row["aid"], row["text"])
                fields = {"article_id": row["aid"], "publisher": row["publisher"],
                          "published": row["published"]}
                yield row["id"], text_cache[1][row["start"] : row["end"]], fields

    def claims(self, *, speaker: str | None = None, article_id: str | None = None) -> list[Claim]:
        """Claims of ready articles, optionally for one speaker (case-insensitive) or article."""
        query = (
            select(claims.c.data)
            .join(articles, articles.c.id == claims.c.article_id)
            .where(articles.c.status == READY)
        )
        if speaker:
            query = query.where(claims.c.speaker.in_(self.spellings(speaker)))  # through the speaker index
        if article_id:
            query = query.where(claims.c.article_id == article_id)
        with self.engine.connect() as conn:
            return [claim_from_dict(data) for data in conn.scalars(query)]

    def claim_ids(self, *, speaker: str) -> list[str]:
        """Ids of the claims of ready articles said by ``speaker`` (case-insensitive; an indexed lookup)."""
        query = (  # the status is tested here, not in SQL, as in chunks_by_ids
            select(claims.c.id, articles.c.status)
            .join(articles, articles.c.id == claims.c.article_id)
            .where(claims.c.speaker.in_(self.spellings(speaker)))
        )
        with self.engine.connect() as conn:
            return [row.id for row in conn.execute(query) if row.status == READY]

    def first_claims(self, *, speaker: str, max_articles: int) -> list[Claim]:
        """Claims said by ``speaker`` (case-insensitive) in the first ``max_articles`` ready articles quoting them.

        "First" is by article id. Read through the speaker index, which stops after those articles:
        the cost does not grow with how many claims the speaker has elsewhere.
        """
        names = self.spellings(speaker)
        if not names or max_articles < 1:
            return []
        first = (
            select(claims.c.article_id)
            .join(articles, articles.c.id == claims.c.article_id)
            .where(claims.c.speaker.in_(names), articles.c.status == READY)
            .distinct()
            .order_by(claims.c.article_id)
            .limit(max_articles)
        )
        query = select(claims.c.data).where(claims.c.speaker.in_(names), claims.c.article_id.in_(first))
        with self.engine.connect() as conn:
            return [claim_from_dict(data) for data in conn.scalars(query)]

    def spellings(self, speaker: str) -> list[str]:
        """Every stored spelling of ``speaker``'s name, case aside ("Mayor", "mayor"): what the
        speaker index is searched with, as a case-insensitive comparison could not use it."""
        return list(self._speaker_table()[2].get(speaker.lower(), ()))

    def claims_by_ids(self, ids: Sequence[str]) -> dict[str, Claim]:
        """Claims of ready articles, keyed by claim id; unknown ids are absent."""
        if not ids:
            return {}
        query = (  # the status is tested here, not in SQL, as in chunks_by_ids
            select(claims.c.id, claims.c.data, articles.c.status)
            .join(articles, articles.c.id == claims.c.article_id)
            .where(claims.c.id.in_(list(ids)))
        )
        with self.engine.connect() as conn:
            return {row.id: claim_from_dict(row.data) for row in conn.execute(query) if row.status == READY}

    def speakers(self) -> dict[str, int]:
        """Every speaker of a ready article with the number of their claims."""
        return dict(self._speaker_table()[1])

    def speaker_roles(self) -> dict[str, set[str]]:
        """The roles attribution found for each speaker: their ``role`` ("Kremlin spokesman") and the
        descriptions that resolved to them ("the fire chief said"); re-read when the revision changes."""
        revision = self.revision()
        cached = self._roles
        if cached is None or cached[0] != revision:
            role = claims.c.data["role"].as_string()
            mention = claims.c.data["speaker_mention"].as_string()
            query = (
                select(claims.c.speaker, role, mention).distinct()
                .join(articles, articles.c.id == claims.c.article_id)
                .where(articles.c.status == READY, claims.c.speaker.is_not(None))
            )
            roles: dict[str, set[str]] = {}
            with self.engine.connect() as conn:
                for speaker, text, said_as in conn.execute(query):
                    found = roles.setdefault(speaker, set())
                    found.update(t for t in (text, said_as) if t and t.casefold() != speaker.casefold())
            cached = self._roles = (revision, roles)
        return {speaker: set(items) for speaker, items in cached[1].items()}

    def _speaker_table(self) -> tuple[int, dict[str, int], dict[str, list[str]]]:
        """The speaker counts and spellings, recounted only when the revision changes (the count reads every claim)."""
        revision = self.revision()
        cached = self._speakers
        if cached is None or cached[0] != revision:
            query = (
                select(claims.c.speaker, func.count())
                .join(articles, articles.c.id == claims.c.article_id)
                .where(articles.c.status == READY, claims.c.speaker.is_not(None))
                .group_by(claims.c.speaker)
            )
            with self.engine.connect() as conn:
                counts = {speaker: count for speaker, count in conn.execute(query)}
            spellings: dict[str, list[str]] = {}
            for name in counts:
                spellings.setdefault(name.lower(), []).append(name)
            cached = self._speakers = (revision, counts, spellings)
        return cached

    def has_articles(self) -> bool:
        """Whether any article is ready (an indexed lookup, not a count)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(articles.c.id).where(articles.c.status == READY).limit(1)) is not None

    def counts(self) -> dict[str, int]:
        """How many ready articles, chunks and claims there are."""
        with self.engine.connect() as conn:
            ready = select(articles.c.id).where(articles.c.status == READY)
            return {
                "articles": conn.scalar(select(func.count()).select_from(ready.subquery())) or 0,
                "chunks": conn.scalar(select(func.count()).where(chunks.c.article_id.in_(ready))) or 0,
                "claims": conn.scalar(select(func.count()).where(claims.c.article_id.in_(ready))) or 0,
            }

    def revision(self) -> int:
        """A number that grows with every committed change."""
        with self.engine.connect() as conn:
            value = conn.scalar(select(meta.c.value).where(meta.c.key == "revision"))
        return int(value or 0)

    # -- writes --------------------------------------------------------------------------
    def begin(self, article: Article) -> None:
        """Record an article as pending (keeping an existing row as it is)."""
        with self.engine.begin() as conn:
            if conn.scalar(select(articles.c.id).where(articles.c.id == article.id)) is None:
                conn.execute(insert(articles).values(**article.to_dict(), status=PENDING))

    def commit(
        self,
        article: Article,
        new_chunks: Iterable[Chunk],
        new_claims: Iterable[Claim],
        *,
        replaces: Iterable[str] = (),
    ) -> None:
        """Write chunks and claims, mark the article ready and drop what it replaces, at once."""
        with self.engine.begin() as conn:
            conn.execute(delete(chunks).where(chunks.c.article_id == article.id))
            conn.execute(delete(claims).where(claims.c.article_id == article.id))
            rows = [
                {"id": c.id, "article_id": article.id, "ordinal": c.ordinal, "start": c.start, "end": c.end}
                for c in new_chunks
            ]
            if rows:
                conn.execute(insert(chunks), rows)
            claim_rows = [
                {"id": c.id, "article_id": article.id, "speaker": c.speaker, "data": c.to_dict()}
                for c in new_claims
            ]
            if claim_rows:
                conn.execute(insert(claims), claim_rows)
            conn.execute(
                update(articles).where(articles.c.id == article.id)
                .values(status=READY, seen=time.time(), superseded=None)
            )
            # A version coming back (A, B, then A again) is current again: its vectors were just written.
            conn.execute(delete(tombstones).where(tombstones.c.article_id == article.id))
            self._supersede(conn, [i for i in replaces if i != article.id])
            self._bump(conn)

    def remove(self, article_ids: Sequence[str]) -> None:
        """Delete articles and everything derived from them."""
        with self.engine.begin() as conn:
            self._delete(conn, article_ids)
            self._bump(conn)

    def supersede(self, article_ids: Sequence[str]) -> None:
        """Keep ready articles as history (``replaced``) and delete pending ones, at once."""
        with self.engine.begin() as conn:
            self._supersede(conn, article_ids)
            self._bump(conn)

    def tombstoned(self) -> list[str]:
        """Article ids whose vectors still await deletion."""
        with self.engine.connect() as conn:
            return list(conn.scalars(select(tombstones.c.article_id)))

    def clear_tombstones(self, article_ids: Sequence[str]) -> None:
        """Forget tombstones once their vectors are gone."""
        if article_ids:
            with self.engine.begin() as conn:
                conn.execute(delete(tombstones).where(tombstones.c.article_id.in_(list(article_ids))))

    def _delete(self, conn: Any, ids: Sequence[str]) -> None:
        if ids:
            self._tombstone(conn, ids)
            conn.execute(delete(chunks).where(chunks.c.article_id.in_(ids)))
            conn.execute(delete(claims).where(claims.c.article_id.in_(ids)))
            conn.execute(delete(articles).where(articles.c.id.in_(ids)))

    def _supersede(self, conn: Any, ids: Sequence[str]) -> None:
        """Ready versions become history, their vectors tombstoned; an unfinished (pending) one is deleted."""
        if not ids:
            return
        status = dict(conn.execute(select(articles.c.id, articles.c.status).where(articles.c.id.in_(list(ids)))).all())
        self._delete(conn, [i for i, s in status.items() if s == PENDING])
        current = [i for i, s in status.items() if s == READY]
        if current:
            self._tombstone(conn, current)
            conn.execute(
                update(articles).where(articles.c.id.in_(current)).values(status=REPLACED, superseded=time.time())
            )

    def _tombstone(self, conn: Any, ids: Sequence[str]) -> None:
        known = set(conn.scalars(select(tombstones.c.article_id).where(tombstones.c.article_id.in_(ids))))
        fresh = [{"article_id": i} for i in ids if i not in known]
        if fresh:
            conn.execute(insert(tombstones), fresh)

    def writer_lock(self, *, timeout: float) -> contextlib.AbstractContextManager[None]:
        """Serialise writers sharing this database (PostgreSQL: workers on other hosts, whose file
        locks are elsewhere); ``BusyError`` after ``timeout`` seconds."""
        return writer_lock(self.engine, timeout=timeout)

    def _bump(self, conn: Any) -> None:
        # In place, not read-then-write: two commits at once on PostgreSQL must both count.
        bumped = conn.execute(
            update(meta).where(meta.c.key == "revision").values(value=cast(cast(meta.c.value, Integer) + 1, Text))
        ).rowcount
        if not bumped:
            conn.execute(insert(meta).values(key="revision", value="1"))


def _add_history_columns(conn: Connection) -> None:
    """Databases made before versions were kept have no ``seen``/``superseded``: add them (under the
    schema lock ``create_schema`` took, so two workers starting at once add them once)."""
    present = {column["name"] for column in inspect(conn).get_columns("articles")}
    for name in ("seen", "superseded"):
        if name not in present:
            conn.execute(text(f"ALTER TABLE articles ADD COLUMN {name} FLOAT"))


def _article(row: Any, *, id_key: str = "id") -> Article:
    return Article(
        id=row[id_key], source=row["source"], title=row["title"], text=row["text"], url=web_url(row["url"]),
        published=row["published"], publisher=row["publisher"], author=row["author"],
    )


def claim_from_dict(data: dict[str, Any] | str) -> Claim:
    """Rebuild a ``Claim`` from ``Claim.to_dict`` output."""
    if isinstance(data, str):
        data = json.loads(data)
    assert isinstance(data, dict)
    source_span = data.get("source_span")
    return Claim(
        speaker=data["speaker"],
        speaker_mention=data.get("speaker_mention"),
        source_span=tuple(source_span) if source_span else None,  # type: ignore[arg-type]
        cue=data["cue"],
        cue_span=tuple(data["cue_span"]),  # type: ignore[arg-type]
        content=data["content"],
        content_spans=tuple(tuple(s) for s in data["content_spans"]),  # type: ignore[misc]
        kind=data["kind"],
        stance=data["stance"],
        role=data.get("role"),
        negated=bool(data.get("negated")),
        quantities=tuple(
            Quantity(**{**q, "span": tuple(q["span"])}) for q in data.get("quantities", ())
        ),
        article_id=data.get("article_id"),
    )
