"""Session-wide real servers for the contract suites: one PostgreSQL and one ``chroma run``.

Each test that needs PostgreSQL gets a database of its own on the shared server, so tests
stay independent while the server starts once (about a second) per session.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.servers import PostgresServer, chroma_server, postgres_server

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1 (fails loudly when it is not installed)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    """``postgresql+psycopg://postgres@127.0.0.1:PORT/whosaid_test``, shared by the session."""
    return postgres.url()


@pytest.fixture
def fresh_postgres_url(postgres: PostgresServer) -> Iterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    name = f"whosaid_t{next(_databases)}"
    postgres.execute(f'CREATE DATABASE "{name}"')
    yield postgres.url(name)
    postgres.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server shared by the session."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every backend the record store supports: a SQLite file, and a database on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite3'}"
    return str(request.getfixturevalue("fresh_postgres_url"))
