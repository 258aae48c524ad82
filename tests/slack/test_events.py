"""Events over HTTP: mentions, thread follow-ups, DMs, retries, signatures, bots, errors."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.service import Whosaid
from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from bot.slack.replies import SORRY_BUSY

from ..fakes.slack_server import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack
from .conftest import (
    CHANNEL,
    SIGNING_SECRET,
    SlackPoster,
    build_server,
    fresh_ts,
    mention,
    message,
    sign,
    slack_settings,
)

pytestmark = pytest.mark.slow  # the shared corpus is extracted with spaCy


def replies(fake: FakeSlack, thread_ts: str | None = None) -> list[Call]:
    """Every chat.postMessage, or those in one thread."""
    return [c for c in fake.calls_to("chat.postMessage") if thread_ts is None or c.params.get("thread_ts") == thread_ts]


def finished(fake: FakeSlack, ts: str) -> None:
    """Wait until the work on the message ``ts`` is over (the 👀 reaction is taken back)."""
    fake.wait_for("reactions.remove", where=lambda c: c.params.get("timestamp") == ts)


def texts(blocks: list[dict[str, Any]]) -> str:
    """All mrkdwn text of the section and context blocks."""
    parts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    parts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return "\n".join(parts)


def test_a_mention_gets_one_threaded_reply_with_answer_sources_and_buttons(
    slack: SlackPoster, fake_slack: FakeSlack, corpus_service: Whosaid
) -> None:
    ts = fresh_ts()
    response = slack.event(mention("Who said the bridge repair would cost 80 million?", ts=ts))
    assert response.status_code == 200
    finished(fake_slack, ts)
    [reply] = replies(fake_slack)
    assert reply.params["channel"] == CHANNEL and reply.params["thread_ts"] == ts
    assert reply.token == "xoxb-fictional-token"
    blocks = reply.params["blocks"]
    body = texts(blocks)
    assert "Tomas Reyes" in body and "80 million" in body
    assert "*Sources*" in body and "Council split over cost of the Harbor Bridge repair" in body
    assert "[1]" in blocks[0]["text"]["text"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [FEEDBACK_UP, FEEDBACK_DOWN]
    answer_id = actions["elements"][0]["value"]
    assert corpus_service.conversations.answer_exists(answer_id)
    assert reply.params["text"] and reply.params["unfurl_links"] is False
    [added] = fake_slack.calls_to("reactions.add")
    assert added.params.items() >= {"channel": CHANNEL, "timestamp": ts, "name": "eyes"}.items()


def test_the_http_response_leaves_before_the_answer_is_posted(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    release = fake_slack.hold("reactions.add")  # the first call of the work after the ack
    ts = fresh_ts()
    started = time.monotonic()
    response = slack.event(mention("What did Brandt say about the repair?", ts=ts))
    assert response.status_code == 200 and time.monotonic() - started < 3
    assert replies(fake_slack) == []  # the work is still waiting on reactions.add
    release.set()
    finished(fake_slack, ts)
    assert len(replies(fake_slack, ts)) == 1


def test_a_thread_follow_up_uses_the_threads_history(
    slack: SlackPoster, fake_slack: FakeSlack, corpus_service: Whosaid
) -> None:
    root = fresh_ts()
    slack.event(mention("What did Brandt say about the repair?", ts=root))
    finished(fake_slack, root)
    follow = message("What did she say about the closure?", thread_ts=root)
    slack.event(follow)
    finished(fake_slack, follow["ts"])
    first, second = replies(fake_slack, root)
    assert "Elena Brandt" in texts(first.params["blocks"])
    assert "closure" in texts(second.params["blocks"]) and "Elena Brandt" in texts(second.params["blocks"])
    history = corpus_service.conversations.history(f"slack:{TEAM_ID}:{CHANNEL}:{root}")
    assert [turn["standalone"] for turn in history] == [
        "What did Brandt say about the repair?", "What did Elena Brandt say about the closure?",
    ]


def test_a_thread_the_bot_is_not_in_is_left_alone(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    stranger = message("What did she say about the closure?", thread_ts=fresh_ts())
    top_level = message("What did Brandt say about the repair?")
    slack.event(stranger)
    slack.event(top_level)
    marker = fresh_ts()  # a later mention proves the earlier events were processed and ignored
    slack.event(mention("What did Brandt say about the repair?", ts=marker))
    finished(fake_slack, marker)
    assert [c.params["thread_ts"] for c in replies(fake_slack)] == [marker]


def test_with_followups_on_mention_only_mentions_continue_a_thread(
    corpus_service: Whosaid, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(corpus_service.settings, fake_slack, slack_followups="mention")
    with TestClient(build_server(settings, corpus_service)) as client:
        poster = SlackPoster(client)
        root = fresh_ts()
        poster.event(mention("What did Brandt say about the repair?", ts=root))
        finished(fake_slack, root)
        poster.event(message("What did she say about the closure?", thread_ts=root))
        again = fresh_ts()
        poster.event(mention("What did she say about the closure?", ts=again, thread_ts=root))
        finished(fake_slack, again)
    assert len(replies(fake_slack, root)) == 2  # the first answer and the mentioned follow-up only


def test_a_retry_never_answers_twice(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    ts = fresh_ts()
    event = mention("What did Reyes say?", ts=ts)
    assert slack.event(event, event_id="EvRETRY0001").status_code == 200
    assert slack.event(event, event_id="EvRETRY0001", retry=1).status_code == 200
    finished(fake_slack, ts)
    assert slack.event(event, event_id="EvRETRY0001", retry=2).status_code == 200
    marker = fresh_ts()
    slack.event(mention("What did Brandt say?", ts=marker))
    finished(fake_slack, marker)
    assert len(replies(fake_slack, ts)) == 1
    assert len(fake_slack.calls_to("reactions.add")) == 2  # one per answered message


def test_a_message_delivered_as_mention_and_as_message_is_answered_once(
    slack: SlackPoster, fake_slack: FakeSlack
) -> None:
    dm, ts = f"D{fresh_ts().replace('.', '')}", fresh_ts()
    slack.event(mention("What did Reyes say?", ts=ts, channel=dm), event_id=f"Ev{ts}a")
    slack.event(message(f"<@{BOT_USER_ID}> What did Reyes say?", ts=ts, channel=dm, channel_type="im"),
                event_id=f"Ev{ts}b")
    finished(fake_slack, ts)
    marker = fresh_ts()
    slack.event(mention("What did Brandt say?", ts=marker))
    finished(fake_slack, marker)
    assert len([c for c in replies(fake_slack) if c.params["channel"] == dm]) == 1


def test_a_retry_survives_a_restart(corpus_service: Whosaid, fake_slack: FakeSlack) -> None:
    settings = slack_settings(corpus_service.settings, fake_slack)
    ts = fresh_ts()
    event = mention("What did Reyes say?", ts=ts)
    with TestClient(build_server(settings, corpus_service)) as client:
        SlackPoster(client).event(event, event_id="EvRESTART01")
        finished(fake_slack, ts)
    with TestClient(build_server(settings, corpus_service)) as client:  # a new process would see the same table
        assert SlackPoster(client).event(event, event_id="EvRESTART01", retry=2).status_code == 200
        marker = fresh_ts()
        SlackPoster(client).event(mention("What did Brandt say?", ts=marker))
        finished(fake_slack, marker)
    assert len(replies(fake_slack, ts)) == 1


def test_a_bad_signature_is_401_and_does_nothing(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvBAD", "event": mention("What did Reyes say?")})
    forged = sign(body, secret="not-the-secret")
    assert slack.raw(body, "application/json", forged).status_code == 401
    assert slack.raw(body, "application/json", {"X-Slack-Signature": "v0=00"}).status_code == 401
    assert fake_slack.calls == []


def test_a_request_older_than_five_minutes_is_rejected(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvOLD", "event": mention("What did Reyes say?")})
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)  # correctly signed, but replayed
    assert slack.raw(body, "application/json", stale).status_code == 401
    assert fake_slack.calls == []


def test_url_verification_returns_the_challenge(slack: SlackPoster) -> None:
    body = json.dumps({"token": "legacy-unused", "challenge": "fictional-challenge-42", "type": "url_verification"})
    response = slack.raw(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "fictional-challenge-42"}


@pytest.mark.parametrize(
    "event",
    [
        message("What did Reyes say?", channel="D0READER", channel_type="im", bot_id="B0OTHER"),
        message("What did Reyes say?", channel="D0READER", channel_type="im", subtype="bot_message"),
        message("What did Reyes say?", channel="D0READER", channel_type="im", user=BOT_USER_ID, bot_id=BOT_ID),
        message("What did Reyes say?", channel="D0READER", channel_type="im", subtype="message_changed"),
        mention("What did Reyes say?", bot_id="B0OTHER"),
    ],
    ids=["other-bot", "bot-message", "own-message", "edit", "bot-mention"],
)
def test_bot_messages_and_edits_are_ignored(slack: SlackPoster, fake_slack: FakeSlack, event: dict[str, Any]) -> None:
    assert slack.event(event).status_code == 200
    marker = fresh_ts()
    slack.event(mention("What did Brandt say?", ts=marker))
    finished(fake_slack, marker)
    assert [c.params["thread_ts"] for c in replies(fake_slack)] == [marker]


def test_a_direct_message_is_one_conversation(
    slack: SlackPoster, fake_slack: FakeSlack, corpus_service: Whosaid
) -> None:
    dm = f"D{fresh_ts().replace('.', '')}"
    first = message("What did Brandt say about the repair?", channel=dm, channel_type="im")
    slack.event(first)
    finished(fake_slack, first["ts"])
    second = message("What did she say about the closure?", channel=dm, channel_type="im")
    slack.event(second)
    finished(fake_slack, second["ts"])
    posts = [c for c in replies(fake_slack) if c.params["channel"] == dm]
    assert len(posts) == 2 and all(c.params.get("thread_ts") is None for c in posts)
    history = corpus_service.conversations.history(f"slack:{TEAM_ID}:{dm}")
    assert history[-1]["standalone"] == "What did Elena Brandt say about the closure?"


def test_a_service_failure_is_one_polite_sentence_in_the_thread(
    corpus_service: Whosaid, fake_slack: FakeSlack
) -> None:
    with socket.socket() as closed:  # a port with nothing behind it: the vector store is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    broken = Whosaid(corpus_service.settings.model_copy(update={
        "chroma_url": f"http://127.0.0.1:{port}",
        "database_url": corpus_service.settings.resolved_database_url,
    }), embedder=corpus_service.embedder)
    settings: Settings = slack_settings(broken.settings, fake_slack)
    with TestClient(build_server(settings, broken)) as client:
        ts = fresh_ts()
        SlackPoster(client).event(mention("What did Reyes say?", ts=ts))
        finished(fake_slack, ts)
    [reply] = replies(fake_slack, ts)
    assert reply.params["text"] == SORRY_BUSY
    assert "127.0.0.1" not in json.dumps(reply.params) and "Traceback" not in json.dumps(reply.params)


def test_a_user_error_is_its_sentence_in_the_thread(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    ts = fresh_ts()
    slack.event(mention("   ", ts=ts))  # only the mention: no question
    finished(fake_slack, ts)
    [reply] = replies(fake_slack, ts)
    assert reply.params["text"] == "The question is empty: type a few words."


def test_slack_markup_in_an_article_reaches_the_channel_inert(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    ts = fresh_ts()
    slack.event(mention("What did Okonkwo say about the wage deal?", ts=ts))
    finished(fake_slack, ts)
    [reply] = replies(fake_slack, ts)
    body = texts(reply.params["blocks"]) + reply.params["text"]
    assert "Marta Okonkwo" in body and "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in body
    assert "&lt;http://evil.example|click here&gt;" in body
    # The only angle brackets left are the links whosaid made to the article's http(s) URL.
    targets = {re.match(r"<([^|>]*)", link).group(1) for link in re.findall(r"<[^>]*>", body)}  # type: ignore[union-attr]
    assert targets == {"https://example.test/glassworks?day=9&amp;town=osterhaven"}


def test_secrets_never_reach_logs_or_bodies(
    slack: SlackPoster, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # Bolt and slack_sdk at their most talkative
    ts = fresh_ts()
    bodies = [slack.event(mention("Who said the bridge repair would cost 80 million?", ts=ts)).text]
    finished(fake_slack, ts)
    bodies.append(slack.raw("{}", "application/json", {"X-Slack-Signature": "v0=forged"}).text)  # refused: 401
    bodies.append(slack.command("/whosaid", "", response_url=fake_slack.response_url("secrets")).text)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Tomas Reyes" in json.dumps([c.params for c in fake_slack.calls])  # the answer went out
    for secret in (SIGNING_SECRET, "xoxb-fictional-token"):
        assert secret not in logged and all(secret not in body for body in bodies)
