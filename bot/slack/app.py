"""The one place that builds the Slack app: a Bolt ``App`` with whosaid's listeners."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.config import Settings
    from bot.service import Whosaid


def create_slack_app(settings: Settings, service: Whosaid, *, client: WebClient | None = None) -> App:
    """A Bolt app over ``service``, its Web API client pointed at ``settings.slack_api_url``.

    Nothing is sent to Slack here: Bolt's start-up ``auth.test`` is off, and the first request
    makes that call instead, so the HTTP server starts (and serves the API) even when Slack is
    unreachable. ``whosaid slack`` checks the token at start with ``verify_token``.
    """
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.slack.listeners import register
    from bot.slack.replies import Replier
    from bot.slack.seen import SeenDeliveries

    if settings.slack_bot_token is None:
        raise ConfigurationError("Slack needs a bot token: set SLACK_BOT_TOKEN (xoxb-...).")
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = App(
        name="whosaid",
        client=client or WebClient(token=token, base_url=settings.slack_api_url),
        # Passed even when empty, so Bolt never reads SLACK_SIGNING_SECRET itself; a request over
        # HTTP with an empty secret fails verification (mount_slack refuses to mount without one).
        signing_secret=secret,
        token_verification_enabled=False,
        process_before_response=False,  # the HTTP response leaves at ack(); the answer follows
        logger=logging.getLogger("bot.slack.bolt"),
    )
    register(app, settings=settings, replier=Replier(service), seen=SeenDeliveries(lambda: service.records.engine))
    return app


def verify_token(app: App) -> str:
    """Call ``auth.test`` once; return the bot's name, or raise ``ConfigurationError`` in one sentence."""
    from slack_sdk.errors import SlackApiError

    try:
        result = app.client.auth_test()
    except SlackApiError as exc:
        raise ConfigurationError(
            f"Slack refused the bot token ({exc.response.get('error')}): check SLACK_BOT_TOKEN."
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"Slack's Web API cannot be reached ({exc}).") from None
    return str(result.get("user") or "whosaid")
