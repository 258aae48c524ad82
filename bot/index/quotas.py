"""Token buckets kept in the SQL database, so every worker sharing it shares one limit per name.

One row per bucket: its tokens and when they were counted. A request locks the row (SQLite:
the database's write lock; PostgreSQL: the row), refills it for the time since, takes a token
or says how long to wait, and commits: two workers can never both spend the same token. The
clock is wall time, which workers on several hosts agree on (closely enough for a minute's limit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StoreUnavailableError
from bot.index.database import create_schema

metadata = MetaData()
buckets = Table(
    "rate_buckets",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("counted", Float, nullable=False),
)
# Every this many requests, one process deletes the buckets that have refilled (idle clients).
PRUNE_EVERY = 1000


def take_token(tokens: float, elapsed: float, *, rate: float, burst: float) -> tuple[float, float]:
    """Refill a bucket for ``elapsed`` seconds and take one token: (tokens left, seconds to wait or 0)."""
    tokens = min(burst, tokens + max(0.0, elapsed) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / rate


class DatabaseTokenBuckets:
    """``burst`` requests at once and ``per_minute`` a minute after that, per name, across processes.

    ``connect`` returns the shared engine; it is called on the first request, so building an
    app opens no database.
    """

    def __init__(
        self, connect: Callable[[], Engine], *, per_minute: int, burst: int, clock: Callable[[], float] = time.time,
        prune_every: int = PRUNE_EVERY,
    ) -> None:
        self._connect = connect
        self._prune_every = prune_every
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._requests = 0
        self._opening = threading.Lock()

    @cached_property
    def engine(self) -> Engine:
        """The shared database, with the buckets' table created."""
        with self._opening:
            engine = self._connect()
            with engine.begin() as conn:
                create_schema(conn, metadata)
            return engine

    def acquire(self, name: str) -> float:
        """Take a token: 0.0 when allowed, else the seconds until one is available."""
        try:
            wait = self._acquire(name[:200])
            self._requests += 1
            if self._requests % self._prune_every == 0:
                self._prune()
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(f"The rate-limit store does not answer ({type(exc).__name__}).") from None
        return wait

    def _acquire(self, name: str) -> float:
        now = self._clock()
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock before the read
            conn.execute(_insert_if_missing(conn.dialect.name, name=name, tokens=self.burst, counted=now))
            row = conn.execute(
                select(buckets.c.tokens, buckets.c.counted).where(buckets.c.name == name).with_for_update()
            ).one()
            tokens, wait = take_token(row.tokens, now - row.counted, rate=self.rate, burst=self.burst)
            conn.execute(
                update(buckets).where(buckets.c.name == name).values(tokens=tokens, counted=max(now, row.counted))
            )
        return wait

    def _prune(self) -> None:
        full_since = self._clock() - self.burst / self.rate
        with self.engine.begin() as conn:
            conn.execute(delete(buckets).where(buckets.c.counted < full_since))


def _insert_if_missing(dialect: str, **values: Any) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(buckets).values(**values).on_conflict_do_nothing(index_elements=["name"])
