"""Slack test rig: the real Bolt app behind the real FastAPI server, a fake Slack Web API, signed requests.

Requests are signed as Slack signs them (HMAC-SHA256 of ``v0:TIMESTAMP:BODY`` with the
signing secret) and posted to ``/slack/events``; the app's ``WebClient`` talks to a
``FakeSlack`` on 127.0.0.1, whose recorded calls are what the tests assert on.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from bot.api.app import create_app
from bot.config import Settings
from bot.index.embedder import HashEmbedder
from bot.service import Whosaid

from ..conftest import FIXTURES
from ..fakes.slack_server import BOT_USER_ID, TEAM_ID, FakeSlack

SLACK_FIXTURES = Path(__file__).resolve().parent / "fixtures"  # a fictional article full of Slack markup
SIGNING_SECRET = "fictional-signing-secret-0123456789"
READER = "U0READER"
CHANNEL = "C0NEWSROOM"
_counter = itertools.count(1)


def fresh_ts() -> str:
    """A message timestamp no other test uses (sessions and dedupe keys are made from them)."""
    return f"1767000000.{next(_counter):06d}"


def sign(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's request signature headers for ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slack_settings(base: Settings, fake: FakeSlack, **overrides: Any) -> Settings:
    """``base`` with Slack switched on and pointed at the fake Web API."""
    return base.model_copy(update={
        "slack_bot_token": SecretStr("xoxb-fictional-token"),
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_api_url": fake.base_url,
        **overrides,
    })


class SlackPoster:
    """Posts signed Slack requests (events, slash commands, interactions) to the server."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def raw(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Response:
        """POST ``body`` to /slack/events with a valid signature unless ``headers`` replace it."""
        all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
        return self.client.post("/slack/events", content=body.encode(), headers=all_headers)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None) -> Response:
        """An Events API delivery of ``event``."""
        body = json.dumps({
            "token": "legacy-unused", "team_id": TEAM_ID, "api_app_id": "A0FICTION", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(_counter):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        })
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.raw(body, "application/json", headers)

    def command(self, command: str, text: str, *, response_url: str, channel: str = CHANNEL) -> Response:
        """A slash command invocation."""
        body = urlencode({
            "token": "legacy-unused", "team_id": TEAM_ID, "channel_id": channel, "user_id": READER,
            "command": command, "text": text, "response_url": response_url, "trigger_id": "1.2.fictional",
            "api_app_id": "A0FICTION",
        })
        return self.raw(body, "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Response:
        """An interactivity payload (shortcut, button click)."""
        payload = {"team": {"id": TEAM_ID}, "user": {"id": READER}, "api_app_id": "A0FICTION", **payload}
        return self.raw(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def mention(text: str, *, ts: str | None = None, thread_ts: str | None = None, **extra: Any) -> dict[str, Any]:
    """An ``app_mention`` event by the reader in the newsroom channel."""
    event = {"type": "app_mention", "user": READER, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts or fresh_ts(),
             "channel": CHANNEL, **extra}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def message(text: str, *, channel: str = CHANNEL, channel_type: str = "channel", **extra: Any) -> dict[str, Any]:
    """A ``message`` event (channel, thread or DM)."""
    return {"type": "message", "user": READER, "text": text, "ts": fresh_ts(), "channel": channel,
            "channel_type": channel_type, **extra}


def build_server(settings: Settings, service: Whosaid) -> FastAPI:
    """The HTTP server with Slack mounted, exactly as ``whosaid serve`` builds it."""
    return create_app(settings, service=service)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on a free local port."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory: pytest.TempPathFactory) -> Whosaid:
    """The fictional fixture articles with real claim extraction (spaCy) and the hash embedder.

    Shared by every Slack test: each test uses its own message timestamps and event ids, so
    sessions, answers and retry claims never collide.
    """
    settings = Settings(data_dir=tmp_path_factory.mktemp("slack"), embedding_model="hash")
    whosaid = Whosaid(settings, embedder=HashEmbedder())
    whosaid.ingest([FIXTURES, SLACK_FIXTURES])
    return whosaid


@pytest.fixture
def slack(corpus_service: Whosaid, fake_slack: FakeSlack) -> Iterator[SlackPoster]:
    """Signed requests to the server, whose Slack app talks to ``fake_slack``."""
    settings = slack_settings(corpus_service.settings, fake_slack)
    with TestClient(build_server(settings, corpus_service)) as client:
        yield SlackPoster(client)
