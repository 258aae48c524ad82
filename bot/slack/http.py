"""Mount the Slack app on the FastAPI server at ``POST /slack/events``.

Bolt's starlette adapter would call the synchronous ``App.dispatch`` on the event loop; this
route runs it in the thread pool instead (with the adapter's own translation functions), so a
slow database or ``auth.test`` never stalls other requests. Dispatch returns at ``ack()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import ConfigurationError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.config import Settings
    from bot.service import Whosaid

EVENTS_PATH = "/slack/events"


def mount_slack(app: FastAPI, settings: Settings, service: Whosaid) -> None:
    """Add ``POST /slack/events`` (events, slash commands, shortcuts, button clicks) to ``app``."""
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response

    from bot.slack.app import create_slack_app

    if not settings.slack_enabled:
        raise ConfigurationError("Slack over HTTP needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.")
    bolt = create_slack_app(settings, service)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    # A plain Starlette route: Slack's signed form or JSON body is Bolt's to read, not FastAPI's.
    app.add_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack_app = bolt  # for tests and introspection; app.state.slack is the API's on/off flag
