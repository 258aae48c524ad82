"""Deliveries already taken, so Slack's retries never produce a second answer.

Slack retries an event it thinks we missed (no 2xx within 3 s, or a connection failure): the
retry carries the same ``event_id`` and an ``X-Slack-Retry-Num`` header. A retry is not simply
dropped, because the first delivery may never have reached us; instead every event id, and
every message we answer (a mention arrives twice, as ``app_mention`` and as ``message``), is
claimed once in a small table of the records' database, so the claim survives a restart and
is shared by every worker process. Rows expire after an hour: Slack's last retry comes about
five minutes after the event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

slack_seen = Table(
    "slack_seen",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("seen", Float, nullable=False, index=True),
)

DEFAULT_TTL_SECONDS = 3600.0


class SeenDeliveries:
    """Claims of Slack deliveries: the first ``claim(key)`` wins, every later one is refused."""

    def __init__(self, engine: Callable[[], Engine], *, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        # The engine is fetched on first use, so building the Slack app opens no database.
        self._engine_factory = engine
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self.ttl_seconds = ttl_seconds

    def _ready(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._engine_factory()
                metadata.create_all(engine)
                self._engine = engine
            return self._engine

    def claim(self, key: str) -> bool:
        """Record ``key`` as taken; ``False`` when it was taken before (and has not expired)."""
        engine = self._ready()
        now = time.time()
        try:
            with engine.begin() as conn:
                conn.execute(delete(slack_seen).where(slack_seen.c.seen < now - self.ttl_seconds))
                conn.execute(insert(slack_seen).values(key=key[:255], seen=now))
        except IntegrityError:
            return False
        return True
