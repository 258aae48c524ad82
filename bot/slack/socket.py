"""Socket Mode: the same Bolt app and listeners, reached over a WebSocket Slack opens to us.

For workspaces that cannot expose a public URL: ``whosaid slack`` needs an app-level token
(``SLACK_APP_TOKEN``, ``xapp-…`` with ``connections:write``) besides the bot token. Requests
arriving this way skip signature checks (Slack authenticated the socket), and everything
else (retries, listeners, rendering) is shared with ``POST /slack/events``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

    from bot.config import Settings
    from bot.service import Whosaid


def create_socket_handler(
    settings: Settings, service: Whosaid, *, client: WebClient | None = None
) -> SocketModeHandler:
    """A Socket Mode handler over the Slack app; ``connect()`` it, or ``start()`` to block.

    Nothing is sent to Slack yet: call ``bot.slack.app.verify_token(handler.app)`` first to
    turn a wrong bot token into one sentence instead of a log line per event.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_slack_app

    if settings.slack_app_token is None:
        raise ConfigurationError(
            "Socket Mode needs an app-level token: set SLACK_APP_TOKEN (xapp-..., scope connections:write)."
        )
    if settings.slack_bot_token is None:
        raise ConfigurationError("Slack needs a bot token: set SLACK_BOT_TOKEN (xoxb-...).")
    app = create_slack_app(settings, service, client=client)
    return SocketModeHandler(app, settings.slack_app_token.get_secret_value())


def connect(handler: SocketModeHandler) -> None:
    """Open the WebSocket (``apps.connections.open``), or raise ``ConfigurationError`` in one sentence."""
    from slack_sdk.errors import SlackApiError

    # The client logs a failed first connection itself; the sentence raised below says it once.
    logger = handler.client.logger
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise ConfigurationError(
            f"Slack refused the app-level token ({exc.response.get('error')}): check SLACK_APP_TOKEN "
            "and that Socket Mode is on in the app's settings."
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"Slack's Socket Mode endpoint cannot be reached ({exc}).") from None
    finally:
        logger.setLevel(level)
