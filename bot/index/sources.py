"""Sources, the pages they list, and the watcher's lease, in the records' SQL database.

``sources``: each feed or sitemap, its interval, its validators (ETag, Last-Modified) and what
its last poll found. ``pages``: each article URL any source listed (one row however many feeds
list it), with its validators, the stamp its listing gave, the article it became and its
last error. A page's validators are written only after its article is committed, and a
source's only after all its pages were handled, so a watcher killed at any point refetches
what it had not finished and nothing it had.

``leases``: one row per named lease (``watch``); a process holds it until ``expires`` and
renews it while it works, so one watcher runs per database however many servers share it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.index.database import create_schema
from bot.model import Source

metadata = MetaData()
URL_CHARS = 2048

sources = Table(
    "sources",
    metadata,
    Column("url", String(URL_CHARS), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("interval", Float, nullable=False),
    Column("added", Float, nullable=False),
    Column("last_fetch", Float),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("next_due", Float, nullable=False),
    Column("items", Integer, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("failures", Integer, nullable=False),  # consecutive, for the backoff
)
pages = Table(
    "pages",
    metadata,
    Column("url", String(URL_CHARS), primary_key=True),
    Column("listed_by", String(URL_CHARS)),  # the first source that listed it
    Column("stamp", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("article_id", String(32)),
    Column("last_fetch", Float),
    Column("status", String(16), nullable=False),  # new | updated | unchanged | error
    Column("error", Text),
    Column("failures", Integer, nullable=False),
    Column("retry_at", Float),
)
leases = Table(
    "leases",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires", Float, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Page:
    """What the watcher knows of one article URL."""

    url: str
    listed_by: str | None = None
    stamp: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    article_id: str | None = None
    last_fetch: float | None = None
    status: str = "new"
    error: str | None = None
    failures: int = 0
    retry_at: float | None = None


@dataclass(frozen=True, slots=True)
class Validators:
    """A source's conditional-request headers and consecutive failures (not part of ``Source``)."""

    etag: str | None
    last_modified: str | None
    failures: int


_SOURCE_FIELDS = [f.name for f in fields(Source)]


class SourceStore:
    """Sources, pages and leases over the records' engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            create_schema(conn, metadata)

    # -- sources ---------------------------------------------------------------------------
    def add(self, url: str, *, kind: str, interval: float, now: float | None = None) -> tuple[Source, bool]:
        """Add a source due at once (or change an existing one's interval); ``True`` when it is new."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            exists = conn.scalar(select(sources.c.url).where(sources.c.url == url)) is not None
            if exists:
                conn.execute(update(sources).where(sources.c.url == url).values(interval=interval, kind=kind))
            else:
                conn.execute(insert(sources).values(
                    url=url, kind=kind, interval=interval, added=now, status="new", next_due=0.0, items=0,
                    failures=0,
                ))
        found = self.get(url)
        assert found is not None
        return found, not exists

    def get(self, url: str) -> Source | None:
        """One source, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.url == url)).mappings().first()
        return _source(row) if row else None

    def all(self) -> list[Source]:
        """Every source, in the order they were added."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(sources).order_by(sources.c.added, sources.c.url)).mappings()
            return [_source(row) for row in rows]

    def remove(self, url: str) -> bool:
        """Forget a source (its articles stay); ``False`` when there was none."""
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(sources).where(sources.c.url == url)).rowcount)

    def validators(self, url: str) -> Validators:
        """The source's ETag, Last-Modified and consecutive failures."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sources.c.etag, sources.c.last_modified, sources.c.failures).where(sources.c.url == url)
            ).first()
        return Validators(*row) if row else Validators(None, None, 0)

    def record_poll(self, url: str, **values: Any) -> None:
        """Store what a poll found (``status``, ``error``, ``next_due``, ``etag``, ...)."""
        with self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.url == url).values(**values))

    # -- pages -----------------------------------------------------------------------------
    def pages(self, urls: list[str]) -> dict[str, Page]:
        """The known pages among ``urls``."""
        found: dict[str, Page] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(urls), 500):
                rows = conn.execute(select(pages).where(pages.c.url.in_(urls[start : start + 500]))).mappings()
                found.update({row["url"]: Page(**row) for row in rows})
        return found

    def failed_pages(self, *, due_by: float) -> list[Page]:
        """Pages whose last fetch failed and whose retry is due."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(pages).where(pages.c.status == "error", pages.c.retry_at <= due_by).order_by(pages.c.url)
            ).mappings()
            return [Page(**row) for row in rows]

    def stale_pages(self, *, listed_by: str, checked_before: float) -> list[Page]:
        """Pages a source listed that were last fetched before ``checked_before`` (a recheck is due)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(pages).where(pages.c.listed_by == listed_by, pages.c.status != "error",
                                    pages.c.last_fetch < checked_before).order_by(pages.c.url)
            ).mappings()
            return [Page(**row) for row in rows]

    def record_page(self, page: Page) -> None:
        """Insert or replace a page's row."""
        values = {f.name: getattr(page, f.name) for f in fields(Page)}
        with self.engine.begin() as conn:
            if conn.execute(update(pages).where(pages.c.url == page.url).values(**values)).rowcount == 0:
                conn.execute(insert(pages).values(**values))

    # -- the lease -------------------------------------------------------------------------
    def take_lease(self, name: str, *, holder: str, seconds: float, now: float | None = None) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; ``False`` while another holder's is unexpired."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(leases)
                .where(leases.c.name == name, (leases.c.holder == holder) | (leases.c.expires < now))
                .values(holder=holder, expires=now + seconds)
            ).rowcount
            if taken:
                return True
            if conn.scalar(select(leases.c.name).where(leases.c.name == name)) is not None:
                return False
        try:  # no row yet: the first insert wins, a concurrent one fails on the primary key
            with self.engine.begin() as conn:
                conn.execute(insert(leases).values(name=name, holder=holder, expires=now + seconds))
            return True
        except IntegrityError:
            return False

    def release_lease(self, name: str, *, holder: str) -> None:
        """Give the lease up (only if ``holder`` has it), so another watcher may start at once."""
        with self.engine.begin() as conn:
            conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))

    def lease_holder(self, name: str, *, now: float | None = None) -> str | None:
        """Who holds an unexpired lease ``name``."""
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            return conn.scalar(select(leases.c.holder).where(leases.c.name == name, leases.c.expires >= now))


def _source(row: Any) -> Source:
    return Source(**{name: row[name] for name in _SOURCE_FIELDS})
