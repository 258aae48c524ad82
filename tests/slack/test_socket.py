"""Socket Mode: the same listeners over a real WebSocket to a local fake, and ``whosaid slack``."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.errors import ConfigurationError
from bot.service import Whosaid
from bot.slack.app import verify_token
from bot.slack.socket import connect, create_socket_handler

from ..fakes.slack_server import BOT_USER_ID, TEAM_ID, FakeSlack, FakeSocketMode
from .conftest import CHANNEL, READER, fresh_ts, slack_settings
from .test_events import finished, replies, texts

pytestmark = pytest.mark.slow  # the shared corpus is extracted with spaCy


@pytest.fixture
def socket_fake(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    """A Socket Mode endpoint that ``apps.connections.open`` on the fake Web API hands out."""
    with FakeSocketMode() as fake:
        fake_slack.socket_url = fake.url
        yield fake


@pytest.fixture
def handler(corpus_service: Whosaid, fake_slack: FakeSlack, socket_fake: FakeSocketMode) -> Iterator[SocketModeHandler]:
    """A connected Socket Mode handler (no signing secret: Socket Mode does not need one)."""
    settings = slack_settings(
        corpus_service.settings, fake_slack, slack_app_token=SecretStr("xapp-fictional"), slack_signing_secret=None
    )
    connected = create_socket_handler(settings, corpus_service)
    assert verify_token(connected.app) == "whosaid"
    connected.connect()
    assert socket_fake.connected.wait(10)
    yield connected
    connected.close()


def test_a_mention_over_socket_mode_is_answered_in_its_thread(
    handler: SocketModeHandler, fake_slack: FakeSlack, socket_fake: FakeSocketMode
) -> None:
    ts = fresh_ts()
    event = {"type": "app_mention", "user": READER, "text": f"<@{BOT_USER_ID}> What did Reyes say?", "ts": ts,
             "channel": CHANNEL}
    payload = {"team_id": TEAM_ID, "type": "event_callback", "event": event, "event_id": f"EvSock{ts}"}
    socket_fake.send(payload, envelope_id="env-mention")
    socket_fake.wait_for_ack("env-mention")
    finished(fake_slack, ts)
    socket_fake.send(payload, envelope_id="env-mention-retry")  # Slack re-sends when an ack is late
    socket_fake.wait_for_ack("env-mention-retry")
    marker = fresh_ts()  # answered after the retry was dropped
    socket_fake.send({**payload, "event": {**event, "ts": marker}, "event_id": f"EvSock{marker}"}, envelope_id="env-2")
    finished(fake_slack, marker)
    [reply] = replies(fake_slack, ts)
    assert "Tomas Reyes" in texts(reply.params["blocks"])
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.token == "xapp-fictional"


def test_a_slash_command_over_socket_mode_is_acknowledged_in_the_envelope(
    handler: SocketModeHandler, socket_fake: FakeSocketMode
) -> None:
    command = {"command": "/factcheck", "text": " ", "team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": READER,
               "response_url": "http://127.0.0.1:9/unused", "trigger_id": "1.2.fictional"}
    socket_fake.send(command, kind="slash_commands", envelope_id="env-command")
    ack = socket_fake.wait_for_ack("env-command")
    assert ack["payload"]["text"].startswith("The claim is empty: type a few words.")


def run_whosaid_slack(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """``whosaid slack`` as a real process, with only the given Slack variables set."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WHOSAID_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "slack", "--data-dir", str(data_dir)],
        env={**base, "WHOSAID_EMBEDDING_MODEL": "hash", **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def test_whosaid_slack_without_an_app_token_is_one_sentence(tmp_path: Path) -> None:
    process = run_whosaid_slack(tmp_path, {"SLACK_BOT_TOKEN": "xoxb-fictional"})
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err.strip() == (
        "error: Socket Mode needs an app-level token: set SLACK_APP_TOKEN (xapp-..., scope connections:write)."
    )


def test_whosaid_slack_connects_and_stops_cleanly(
    tmp_path: Path, fake_slack: FakeSlack, socket_fake: FakeSocketMode
) -> None:
    process = run_whosaid_slack(tmp_path, {
        "SLACK_BOT_TOKEN": "xoxb-fictional", "WHOSAID_SLACK_APP_TOKEN": "xapp-fictional",
        "WHOSAID_SLACK_API_URL": fake_slack.base_url,
    })
    lines: list[str] = []
    try:
        assert process.stderr is not None
        while not lines or not (lines[-1].startswith("Listening") or lines[-1] == ""):
            lines.append(process.stderr.readline())  # wait for the command to say it listens
        assert socket_fake.connected.wait(60), lines
        assert [c.method for c in fake_slack.calls] == ["auth.test", "apps.connections.open"]
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    err = "".join(lines) + err
    assert process.returncode == 0, err
    assert "Listening in Slack as @whosaid over Socket Mode; Ctrl-C stops." in err and "stopped." in err


def test_a_refused_app_token_is_one_sentence(
    corpus_service: Whosaid, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail("apps.connections.open", "invalid_auth")
    settings = slack_settings(corpus_service.settings, fake_slack, slack_app_token=SecretStr("xapp-wrong"))
    handler = create_socket_handler(settings, corpus_service)
    try:
        with pytest.raises(ConfigurationError) as refused:
            connect(handler)
    finally:
        handler.close()
    assert str(refused.value) == (
        "Slack refused the app-level token (invalid_auth): check SLACK_APP_TOKEN "
        "and that Socket Mode is on in the app's settings."
    )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # said once, not logged
