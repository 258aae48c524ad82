"""Slash commands, the "Fact-check this message" shortcut and the 👍 / 👎 buttons."""

from __future__ import annotations

from typing import Any

import pytest

from bot.service import Whosaid
from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, VERDICTS
from bot.slack.listeners import SHORTCUT_CALLBACK
from bot.slack.replies import CHECKING, FEEDBACK_GONE, THANKS

from ..fakes.slack_server import TEAM_ID, FakeSlack
from .conftest import CHANNEL, READER, SlackPoster, fresh_ts, mention
from .test_events import finished, replies, texts

pytestmark = pytest.mark.slow  # the shared corpus is extracted with spaCy


def test_whosaid_command_acks_at_once_then_replaces_a_checking_message_with_the_answer(
    slack: SlackPoster, fake_slack: FakeSlack, corpus_service: Whosaid
) -> None:
    release = fake_slack.hold("chat.postMessage")
    response = slack.command("/whosaid", "What did Reyes say?", response_url=fake_slack.response_url("cmd"))
    assert response.status_code == 200 and response.text == ""  # the ack: nothing is shown yet
    assert fake_slack.calls_to("chat.update") == []
    release.set()
    [update] = fake_slack.wait_for("chat.update")
    [placeholder] = replies(fake_slack)
    assert placeholder.params["text"] == CHECKING and placeholder.params["channel"] == CHANNEL
    assert "thread_ts" not in placeholder.params
    assert update.params["channel"] == CHANNEL and update.params["ts"]
    body = texts(update.params["blocks"])
    assert f"<@{READER}> asked: What did Reyes say?" in body and "Tomas Reyes" in body
    # The answer's thread continues the conversation.
    session = f"slack:{TEAM_ID}:{CHANNEL}:{update.params['ts']}"
    assert [t["question"] for t in corpus_service.conversations.history(session)] == ["What did Reyes say?"]


def test_factcheck_command_shows_the_verdict(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    claim = "The Harbor Bridge repair will cost 42 million dollars"
    assert slack.command("/factcheck", claim, response_url=fake_slack.response_url("fc")).status_code == 200
    [update] = fake_slack.wait_for("chat.update")
    body = texts(update.params["blocks"])
    assert f"<@{READER}> asked to check: {claim}" in body
    assert has_verdict(body) and "Elena Brandt" in body


def has_verdict(body: str) -> bool:
    """Whether a rendered check shows one of the verdicts a fixture claim can get."""
    return any(VERDICTS[v] in body for v in ("supported", "disputed", "contradicted"))


def test_an_empty_command_is_answered_within_the_ack(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    response = slack.command("/factcheck", "  ", response_url=fake_slack.response_url("empty"))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert response.json()["text"].startswith("The claim is empty: type a few words. For example: `/factcheck ")
    assert [c.method for c in fake_slack.calls] == ["auth.test"]  # Bolt's first-request token check only


def test_a_command_where_the_bot_cannot_post_answers_through_the_response_url(
    slack: SlackPoster, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "not_in_channel")
    slack.command("/whosaid", "What did Reyes say?", response_url=fake_slack.response_url("fallback"))
    [answer] = fake_slack.wait_for("response:fallback")
    assert answer.params["response_type"] == "in_channel" and "Tomas Reyes" in texts(answer.params["blocks"])


def shortcut(text: str, ts: str, **message: Any) -> dict[str, Any]:
    """A message shortcut payload for a message in the newsroom channel."""
    return {
        "type": "message_action", "callback_id": SHORTCUT_CALLBACK, "trigger_id": "1.2.fictional",
        "response_url": "http://127.0.0.1:9/unused", "channel": {"id": CHANNEL, "name": "newsroom"},
        "message_ts": ts, "message": {"type": "message", "user": "U0WRITER", "text": text, "ts": ts, **message},
    }


def test_the_shortcut_checks_the_message_and_replies_in_its_thread(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    ts = fresh_ts()
    response = slack.interaction(shortcut("The Harbor Bridge repair will cost 42 million dollars", ts))
    assert response.status_code == 200
    finished(fake_slack, ts)
    [reply] = replies(fake_slack, ts)
    body = texts(reply.params["blocks"])
    assert has_verdict(body) and "Elena Brandt" in body
    assert f"<@{READER}> asked to check: The Harbor Bridge" in body


def test_the_shortcut_on_a_thread_reply_answers_in_that_thread(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    root, ts = fresh_ts(), fresh_ts()
    slack.interaction(shortcut("Councillor Reyes said the bill will be closer to 80 million", ts, thread_ts=root))
    finished(fake_slack, ts)
    assert len(replies(fake_slack, root)) == 1


def click(fake: FakeSlack, action_id: str, answer_id: str) -> dict[str, Any]:
    """A block_actions payload for one feedback button."""
    return {
        "type": "block_actions", "trigger_id": "1.2.fictional", "response_url": fake.response_url("click"),
        "channel": {"id": CHANNEL}, "container": {"type": "message", "channel_id": CHANNEL},
        "message": {"type": "message", "ts": fresh_ts(), "text": "an answer"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "whosaid_feedback", "value": answer_id,
                     "action_ts": "1767225600.1"}],
    }


def test_feedback_buttons_are_stored_and_acknowledged_privately(
    slack: SlackPoster, fake_slack: FakeSlack, corpus_service: Whosaid
) -> None:
    ts = fresh_ts()
    slack.event(mention("What did Reyes say?", ts=ts))
    finished(fake_slack, ts)
    [reply] = replies(fake_slack, ts)
    answer_id = reply.params["blocks"][-1]["elements"][0]["value"]
    assert slack.interaction(click(fake_slack, FEEDBACK_UP, answer_id)).status_code == 200
    assert slack.interaction(click(fake_slack, FEEDBACK_DOWN, answer_id)).status_code == 200
    notes = fake_slack.wait_for("response:click", 2)
    assert [n.params["text"] for n in notes] == [THANKS, THANKS]
    assert all(n.params["response_type"] == "ephemeral" for n in notes)
    assert corpus_service.conversations.feedback_for(answer_id) == [
        {"rating": 1, "comment": None, "channel": "slack"}, {"rating": -1, "comment": None, "channel": "slack"},
    ]


def test_feedback_on_an_unknown_answer_says_so(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    slack.interaction(click(fake_slack, FEEDBACK_UP, "0" * 32))
    [note] = fake_slack.wait_for("response:click")
    assert note.params["text"] == FEEDBACK_GONE


def test_the_shortcut_on_a_message_without_text_says_so_privately(slack: SlackPoster, fake_slack: FakeSlack) -> None:
    payload = shortcut("", fresh_ts())
    payload["response_url"] = fake_slack.response_url("empty-shortcut")
    assert slack.interaction(payload).status_code == 200
    [note] = fake_slack.wait_for("response:empty-shortcut")
    assert note.params == {"text": "That message has no text to check.", "response_type": "ephemeral",
                           "replace_original": False}


def test_the_shortcut_in_a_channel_the_bot_is_not_in_answers_privately(
    slack: SlackPoster, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "not_in_channel")
    payload = shortcut("The Harbor Bridge repair will cost 42 million dollars", fresh_ts())
    payload["response_url"] = fake_slack.response_url("outside")
    slack.interaction(payload)
    [answer] = fake_slack.wait_for("response:outside")
    assert answer.params["response_type"] == "ephemeral" and has_verdict(texts(answer.params["blocks"]))
