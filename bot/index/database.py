"""What differs between SQLite and PostgreSQL: opening the engine, creating tables, the writer lock.

SQLite is one file in one data directory, where the file lock serialises writers. PostgreSQL
may be shared by several workers on several hosts (each with its own data directory), so
schema creation and writers are serialised in the database itself, by advisory locks.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.errors import BusyError, ConfigurationError

# PostgreSQL advisory lock keys (any two fixed 64-bit numbers): schema creation, and writers.
SCHEMA_LOCK, WRITER_LOCK = 0x77686F7361696401, 0x77686F7361696402


def open_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL, or ``ConfigurationError`` for one that cannot work."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        # pre-ping: a pooled connection survives a restart of a shared database server
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except (ArgumentError, ImportError) as exc:
        raise ConfigurationError(
            f"WHOSAID_DATABASE_URL cannot be used ({exc}); PostgreSQL needs "
            "postgresql+psycopg://user:password@host/database and `pip install 'whosaid[postgres]'`."
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def create_schema(conn: Connection, schema: MetaData) -> None:
    """Create missing tables and indexes under a lock held to the end of ``conn``'s transaction, as
    several workers (or commands) may start at once on an empty database."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's write lock, before the existence checks
    schema.create_all(conn)
    for table in schema.sorted_tables:  # create_all adds indexes only to the tables it creates
        for index in table.indexes:
            index.create(conn, checkfirst=True)


@contextlib.contextmanager
def writer_lock(engine: Engine, *, timeout: float) -> Iterator[None]:
    """Hold the database-wide writer lock for the block, or raise ``BusyError`` after ``timeout`` s.

    On PostgreSQL a session advisory lock; on SQLite nothing, as the data directory's file lock
    already serialises its writers.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        deadline = time.monotonic() + timeout
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": WRITER_LOCK}):
            if time.monotonic() >= deadline:
                raise BusyError("Another whosaid process is writing to the database; try again later.")
            time.sleep(0.1)
        conn.commit()  # the session lock outlives the transaction; don't sit idle in one
        try:
            yield
        finally:
            with contextlib.suppress(SQLAlchemyError):  # a broken connection has released it anyway
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": WRITER_LOCK})
                conn.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's lower() folds ASCII only; PostgreSQL's folds all of Unicode: make them agree.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    _use_wal(cursor)  # readers keep reading while one writer writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(cursor: Any, *, seconds: float = 10.0) -> None:
    """Switch a new database file to WAL (the mode is stored in the file: later opens keep it).

    SQLite answers "database is locked" at once, without waiting for the busy timeout, when
    another connection holds a lock while this one switches; several processes opening a new,
    empty database at the same moment do exactly that, so the switch is retried.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # a no-op on a file already in WAL mode
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value
