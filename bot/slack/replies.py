"""What the Slack app does once a request is acknowledged: ask the service, post the answer.

Every method here runs after Bolt's ``ack()`` (in Bolt's listener thread pool), so none of it
counts against Slack's 3-second limit. Failures end as one polite sentence where the answer
would have gone, never as a traceback; Slack API failures are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.errors import NotFoundError, ServiceError, UserError
from bot.slack.blocks import FEEDBACK_UP, NOTICE_BLOCK, SlackMessage, render_answer, render_notice

if TYPE_CHECKING:
    from slack_bolt.context.respond import Respond
    from slack_sdk import WebClient

    from bot.service import Whosaid

logger = logging.getLogger(__name__)

WORKING_REACTION = "eyes"
CHECKING = ":hourglass_flowing_sand: Checking the sources…"
SORRY_BUSY = "Sorry, I could not reach the sources just now; please try again in a minute."
SORRY_BROKEN = "Sorry, something went wrong on my side while checking the sources; the error was logged."
THANKS = "Thanks, your feedback was stored."
FEEDBACK_GONE = "That answer is no longer stored, so the rating was not saved."


@dataclass(frozen=True, slots=True)
class Place:
    """Where an answer goes (channel, thread) and the conversation it continues."""

    channel: str
    thread_ts: str | None
    session: str


def thread_place(team: str, channel: str, thread_ts: str) -> Place:
    """A channel thread: the thread is the conversation."""
    return Place(channel, thread_ts, f"slack:{team}:{channel}:{thread_ts}")


def dm_place(team: str, channel: str, thread_ts: str | None) -> Place:
    """A direct message: the whole DM is one conversation, threads in it included."""
    return Place(channel, thread_ts, f"slack:{team}:{channel}")


def place_for(team: str, channel: str, thread_ts: str) -> Place:
    """A DM's conversation for ``D…`` channels, else the thread's."""
    return dm_place(team, channel, thread_ts) if channel.startswith("D") else thread_place(team, channel, thread_ts)


class Replier:
    """Answers questions, checks claims and stores feedback for the Slack listeners."""

    def __init__(self, service: Whosaid) -> None:
        self.service = service

    def compose(
        self, question: str, *, mode: str, session: str | None, asker: str | None = None
    ) -> list[SlackMessage]:
        """The answer as Slack messages, or one polite sentence when it cannot be given."""
        try:
            if session is not None:
                self.service.conversations.create_session(session)
            answer = self.service.ask(question, mode=mode, session=session)
        except UserError as exc:
            return [render_notice(str(exc))]
        except ServiceError:
            logger.exception("Slack: the service could not answer")
            return [render_notice(SORRY_BUSY)]
        except Exception:
            logger.exception("Slack: answering failed")
            return [render_notice(SORRY_BROKEN)]
        return render_answer(answer, asker=asker, question=question)

    def answer_in_place(
        self, client: WebClient, place: Place, question: str, *, mode: str, react_to: str | None,
        asker: str | None = None, fallback: Respond | None = None,
    ) -> None:
        """React 👀 on the asking message, post the answer in ``place``, take the reaction back.

        When Slack refuses the post (the bot is not in that channel), the answer goes to
        ``fallback``, a response URL, for the asker's eyes only.
        """
        self._react(client, "reactions_add", place.channel, react_to)
        try:
            messages = self.compose(question, mode=mode, session=place.session, asker=asker)
            if not self.post(client, place, messages) and fallback is not None:
                for message in messages:
                    self._try(fallback, text=message.text, blocks=message.blocks, response_type="ephemeral",
                              replace_original=False)
        finally:
            self._react(client, "reactions_remove", place.channel, react_to)

    def post(self, client: WebClient, place: Place, messages: Sequence[SlackMessage]) -> bool:
        """Post messages in order; on a Slack error, log it, try one polite notice, return ``False``."""
        try:
            for message in messages:
                client.chat_postMessage(
                    channel=place.channel, thread_ts=place.thread_ts, text=message.text, blocks=message.blocks,
                    unfurl_links=False, unfurl_media=False,
                )
        except SlackApiError as exc:
            logger.error("Slack: posting in %s failed: %s", place.channel, exc.response.get("error"))
            if messages and messages[0].blocks and messages[0].blocks[0].get("block_id") != NOTICE_BLOCK:
                self._try(client.chat_postMessage, channel=place.channel, thread_ts=place.thread_ts,
                          text=SORRY_BROKEN)
            return False
        return True

    def command(
        self, client: WebClient, respond: Respond, *, team: str, channel: str, user: str, text: str, mode: str
    ) -> None:
        """A slash command: a visible "checking" message, replaced by the answer (threads continue it)."""
        placeholder = self._try(
            client.chat_postMessage, channel=channel, text=CHECKING, unfurl_links=False, unfurl_media=False
        )
        if placeholder is None:
            # Not a member of this channel (or a DM between people): answer through the response URL.
            for message in self.compose(text, mode=mode, session=None, asker=user):
                self._try(respond, text=message.text, blocks=message.blocks, response_type="in_channel",
                          replace_original=False)
            return
        ts = str(placeholder["ts"])
        place = dm_place(team, channel, None) if channel.startswith("D") else thread_place(team, channel, ts)
        messages = self.compose(text, mode=mode, session=place.session, asker=user)
        if self._try(client.chat_update, channel=channel, ts=ts, text=messages[0].text, blocks=messages[0].blocks):
            messages = messages[1:]  # the rest (a very long answer) continues in the thread
        if messages:
            self.post(client, Place(channel, ts, place.session), messages)

    def shortcut(self, client: WebClient, respond: Respond, *, team: str, user: str, channel: str,
                 message: dict[str, Any]) -> None:
        """"Fact-check this message": check its text and reply in its thread."""
        ts = str(message.get("ts", ""))
        place = place_for(team, channel, str(message.get("thread_ts") or ts))
        text = str(message.get("text") or "")
        self.answer_in_place(client, place, text, mode="check", react_to=ts, asker=user, fallback=respond)

    def feedback(self, respond: Respond, *, action: dict[str, Any]) -> None:
        """A 👍 / 👎 click: store it, and tell only the person who clicked."""
        rating = 1 if action.get("action_id") == FEEDBACK_UP else -1
        try:
            self.service.feedback(str(action.get("value", "")), rating=rating, channel="slack")
            note = THANKS
        except NotFoundError:
            note = FEEDBACK_GONE
        except Exception:
            logger.exception("Slack: storing feedback failed")
            note = SORRY_BROKEN
        self.notify(respond, note)

    def notify(self, respond: Respond, text: str) -> None:
        """Tell only the person who acted, through the response URL (best effort)."""
        self._try(respond, text=text, response_type="ephemeral", replace_original=False)

    def _react(self, client: WebClient, method: str, channel: str, ts: str | None) -> None:
        # The reaction is only a "working on it" sign: a failure (no scope, not in the channel,
        # already reacted) must never stop the answer.
        if ts:
            self._try(getattr(client, method), channel=channel, timestamp=ts, name=WORKING_REACTION)

    @staticmethod
    def _try(call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except SlackApiError as exc:
            logger.warning("Slack: %s failed: %s", getattr(call, "__name__", "call"), exc.response.get("error"))
        except Exception as exc:  # a response URL that expired, a network hiccup
            logger.warning("Slack: %s failed: %s", getattr(call, "__name__", "call"), exc)
        return None
