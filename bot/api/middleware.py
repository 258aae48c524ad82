"""Pure ASGI middleware: request body limits, loopback-only hosts for the keyless demo, and one
log line per request with a 500 safety net.

Both are pure ASGI (not ``BaseHTTPMiddleware``) so a streamed response passes straight through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.api.errors import INTERNAL_ERROR, ApiError, error_response
from bot.api.security import is_loopback

log = logging.getLogger("bot.api")

TOO_LARGE = "The request body is larger than {limit:,} bytes."


class BodyTooLargeError(ApiError):
    """Raised from ``receive`` once a body passes its limit; FastAPI re-raises HTTP errors."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE.format(limit=limit))


class BodyLimit:
    """Refuse bodies over a per-path limit with 413, from ``Content-Length`` or as they stream in."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(413, TOO_LARGE.format(limit=limit))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, limited_receive, send)


class LoopbackHostOnly:
    """Refuse a request whose ``Host`` is not a loopback name (the keyless demo server only).

    With no keys every route is open, so a web page could point a DNS name it owns at
    127.0.0.1 and reach the demo server from the user's own browser (DNS rebinding). Such a
    request carries the attacker's host name; only ``localhost``, ``127.x`` and ``[::1]`` pass.
    ``exempt`` paths authenticate every request themselves (Slack's signed events, which reach
    a laptop through a tunnel under the tunnel's host name).
    """

    def __init__(self, app: ASGIApp, *, exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] not in self.exempt
            and not is_loopback(_host_name(Headers(scope=scope).get("host", "")))
        ):
            await error_response(400, LOOPBACK_ONLY)(scope, receive, send)
            return
        await self.app(scope, receive, send)


LOOPBACK_ONLY = "This server has no API keys configured, so it answers only to localhost, 127.0.0.1 or [::1]."


def _host_name(host: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8000`` -> ``::1``, ``localhost:80`` -> ``localhost``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class RequestLog:
    """Log ``METHOD path status ms`` for every request (never headers, keys or bodies).

    It also answers 500 with the JSON body when an unexpected exception escapes the app
    before a response started, logging the traceback once, here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception as exc:
            if isinstance(exc, BodyTooLargeError) and not status:
                await error_response(413, str(exc.detail))(scope, receive, send_and_note)
                return
            log.exception("unexpected error on %s %s", scope["method"], _printable(scope["path"]))
            if not status:
                await error_response(500, INTERNAL_ERROR)(scope, receive, send_and_note)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.0f ms", scope["method"], _printable(scope["path"]), status or 500, elapsed)


def _printable(path: str) -> str:
    """The path as one log line: a decoded %0A must not forge a second line."""
    return "".join(c if c.isprintable() else "?" for c in path[:500])
