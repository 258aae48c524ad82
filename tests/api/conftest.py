"""An app over a service with the hash embedder and the fictional fixture articles (fast, offline)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.service import Whosaid

from ..conftest import FIXTURES, NoClaims

ADMIN_KEY = "sk-admin-7f3c9e21"
WIDGET_KEY = "pk-widget-4b8d0a55"
SITE = "https://news.example"
LOCAL = "http://127.0.0.1"  # the keyless demo answers only to loopback host names
KEYS: dict[str, Any] = {"admin_keys": [ADMIN_KEY], "widget_keys": {WIDGET_KEY: [SITE]}}
# A question the hash embedder answers from the Harbor Bridge fixture (a verbatim sentence).
QUESTION = "Will the Harbor Bridge close for six months?"

MakeClient = Callable[..., TestClient]


def fake_service(data_dir: Path) -> Whosaid:
    """A service over embedded Chroma and SQLite in ``data_dir``, with fakes at the model seams."""
    settings = Settings(data_dir=data_dir, embedding_model="hash", extract_claims=False, slack_bot_token=None)
    return Whosaid(settings, embedder=HashEmbedder(), extractor=NoClaims())


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    """One indexed service per test module (read-only use; tests that write build their own)."""
    service = fake_service(tmp_path_factory.mktemp("api-index"))
    service.ingest([FIXTURES])
    return service


@pytest.fixture
def make_client(indexed: Whosaid) -> Iterator[MakeClient]:
    """Build started test clients: ``make_client(service=None, **settings_overrides)``."""
    clients: list[TestClient] = []

    def make(service: Whosaid | None = None, **overrides: Any) -> TestClient:
        service = service or indexed
        settings = Settings(**{**service.settings.model_dump(), **overrides})
        client = TestClient(create_app(settings, service=service), base_url=LOCAL, raise_server_exceptions=False)
        clients.append(client.__enter__())  # runs the lifespan (the warm-up)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A client of the local demo app (no keys: every route open)."""
    return make_client()


def events(body: str) -> list[tuple[str, Any]]:
    """Parse a text/event-stream body into (event, data) pairs; comment lines are skipped."""
    parsed = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed
