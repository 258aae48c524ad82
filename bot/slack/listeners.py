"""Slack listeners: translate Slack payloads into ``Replier`` calls, nothing more.

- ``@whosaid QUESTION`` in a channel: the answer goes in the mention's thread, and the thread
  is the conversation (session ``slack:TEAM:CHANNEL:THREAD_TS``).
- Further messages in a thread the bot answered in: follow-ups, when ``slack_followups`` is
  ``any``; with ``mention`` only mentions are.
- Direct messages: every message is a question and the DM is one conversation
  (``slack:TEAM:CHANNEL``), threads inside it included.
- ``/whosaid QUESTION``, ``/factcheck CLAIM`` and the "Fact-check this message" shortcut.
- A question starting with "check" or "fact-check" is checked as a claim.

Bolt acknowledges events itself before a listener runs; commands and shortcuts call ``ack()``
first. With ``process_before_response=False`` the HTTP response leaves as soon as ``ack()``
is called and the rest of the listener runs in Bolt's thread pool.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from bot.config import Settings
from bot.errors import InvalidQueryError
from bot.service import validate_query
from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from bot.slack.replies import Place, Replier, dm_place, thread_place
from bot.slack.seen import SeenDeliveries

logger = logging.getLogger(__name__)

SHORTCUT_CALLBACK = "whosaid_factcheck_message"
ANSWERED_SUBTYPES = (None, "thread_broadcast", "file_share")  # edits, joins, bot posts... are not questions
_ENTITY = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<([^>|]+)(?:\|([^>]*))?>")
_CHECK = re.compile(r"^\s*(?:fact[- ]?check|check)\b[\s:,-]*", re.I)


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's message encoding as plain text: the bot's mention removed, others as ``@name``."""
    def entity(match: re.Match[str]) -> str:
        sigil, target, label, url, url_label = match.groups()
        if sigil == "@":
            return "" if target == bot_user_id else f"@{label or target}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{label or target.split('^')[0]}"
        return url_label or url

    return " ".join(html.unescape(_ENTITY.sub(entity, text)).split())


def mentions(text: str, bot_user_id: str | None) -> bool:
    """Whether Slack-encoded ``text`` mentions the bot."""
    return bool(bot_user_id) and re.search(rf"<@{re.escape(str(bot_user_id))}(?:\|[^>]*)?>", text) is not None


def mode_of(question: str) -> tuple[str, str]:
    """("check", the claim) for "check: …" / "fact-check …", else ("ask", the question)."""
    match = _CHECK.match(question)
    if match and question[match.end() :].strip():
        return "check", question[match.end() :]
    return "ask", question


def is_question(event: dict[str, Any]) -> bool:
    """A person's new message (not a bot's, not an edit, a join or a deletion)."""
    return not event.get("bot_id") and event.get("subtype") in ANSWERED_SUBTYPES and bool(event.get("user"))


def addressable(event: dict[str, Any]) -> bool:
    """Whether an event names a channel and a message to reply to (Slack's always do; forged ones may not)."""
    return all(isinstance(event.get(key), str) and event[key] for key in ("channel", "ts")) and isinstance(
        event.get("text", ""), str
    )


def mention_place(event: dict[str, Any], team: str) -> Place | None:
    """Where a mention is answered: its thread (or its DM); ``None`` for a bot's mention."""
    if event.get("bot_id") or not event.get("user") or not addressable(event):
        return None
    channel, ts = event["channel"], event["ts"]
    if channel.startswith("D"):
        return dm_place(team, channel, event.get("thread_ts"))
    return thread_place(team, channel, event.get("thread_ts") or ts)


def message_place(
    event: dict[str, Any], team: str, bot_user_id: str | None, *, followups: str, answered_in: Callable[[str], bool]
) -> Place | None:
    """Where a message is answered: any DM, or a follow-up in a thread the bot answered in; else ``None``."""
    if not is_question(event) or not addressable(event):
        return None
    if event.get("channel_type") == "im":
        return dm_place(team, event["channel"], event.get("thread_ts"))
    if not event.get("thread_ts") or followups != "any" or mentions(event.get("text", ""), bot_user_id):
        return None  # top-level chatter is not for the bot, and mentions are app_mention's
    place = thread_place(team, event["channel"], event["thread_ts"])
    return place if answered_in(place.session) else None


def register(app: App, *, settings: Settings, replier: Replier, seen: SeenDeliveries) -> None:
    """Attach every listener (and the retry filter) to ``app``."""
    app.middleware(_retry_filter(seen))
    _register_events(app, settings=settings, replier=replier, seen=seen)
    app.command("/whosaid")(_command(replier, "ask"))
    app.command("/factcheck")(_command(replier, "check"))
    _register_interactions(app, replier)


def _retry_filter(seen: SeenDeliveries) -> Callable[..., BoltResponse | None]:
    def skip_seen_events(body: dict[str, Any], request: BoltRequest, next_: Any) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id and not seen.claim(f"event:{event_id}"):
            retry = (request.headers.get("x-slack-retry-num") or ["-"])[0]
            logger.info("Slack: skipped event %s, already taken (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next_()  # type: ignore[no-any-return]

    return skip_seen_events


def _register_events(app: App, *, settings: Settings, replier: Replier, seen: SeenDeliveries) -> None:
    def answer(event: dict[str, Any], place: Place | None, context: BoltContext, client: WebClient) -> None:
        # One answer per message, whichever of its deliveries (app_mention, message.im) comes first.
        if place is not None and seen.claim(f"message:{context.team_id}:{event['channel']}:{event['ts']}"):
            mode, question = mode_of(plain_text(event.get("text", ""), context.bot_user_id))
            replier.answer_in_place(client, place, question, mode=mode, react_to=event["ts"])

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        answer(event, mention_place(event, context.team_id or ""), context, client)

    @app.event("message")
    def on_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        place = message_place(
            event, context.team_id or "", context.bot_user_id, followups=settings.slack_followups,
            answered_in=replier.service.conversations.session_exists,
        )
        answer(event, place, context, client)


def _command(replier: Replier, mode: str) -> Callable[..., None]:
    def on_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = plain_text(command.get("text", ""))
        try:
            validate_query(text, what="claim" if mode == "check" else "question")
        except InvalidQueryError as exc:  # answered within the ack, seen only by the person who typed it
            example = f"{command.get('command', '/whosaid')} {EXAMPLES[mode]}"
            ack(text=f"{exc} For example: `{example}`", response_type="ephemeral")
            return
        ack()
        replier.command(
            client, respond, team=command.get("team_id", ""), channel=command["channel_id"],
            user=command.get("user_id", ""), text=text, mode=mode,
        )

    return on_command


def _register_interactions(app: App, replier: Replier) -> None:
    @app.shortcut(SHORTCUT_CALLBACK)
    def on_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        message = shortcut.get("message") or {}
        if not str(message.get("text") or "").strip():
            replier.notify(respond, "That message has no text to check.")
            return
        replier.shortcut(
            client, respond, team=(shortcut.get("team") or {}).get("id", ""), user=shortcut["user"]["id"],
            channel=shortcut["channel"]["id"], message={**message, "text": plain_text(message["text"])},
        )

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_feedback(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        ack()
        replier.feedback(respond, action=action)


EXAMPLES = {"ask": "What did the mayor say about the bridge?", "check": "The bridge repair will cost 42 million"}
