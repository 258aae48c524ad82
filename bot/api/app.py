"""The app factory: ``create_app(settings, service=...)`` builds the whole HTTP object graph.

Nothing is loaded when the app is built; at start-up (the lifespan) the service is warmed up
once, so the first question is fast and no two requests race to build the same model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from bot.api import routes_answers, routes_articles, routes_site, routes_sources
from bot.api.errors import ApiError, error_response, install_error_handlers
from bot.api.middleware import BodyLimit, LoopbackHostOnly, RequestLog
from bot.api.ratelimit import RateLimiter, TokenBucketLimiter
from bot.api.security import LOCAL_ORIGIN_REGEX, KeyRing
from bot.config import Settings, load_settings
from bot.errors import WhosaidError
from bot.index.quotas import DatabaseTokenBuckets
from bot.service import Whosaid
from bot.slack.http import EVENTS_PATH as SLACK_PATH
from bot.slack.http import mount_slack

log = logging.getLogger("bot.api")

DEMO_MODE = "No API keys configured: local demo mode, listening on 127.0.0.1 only"
SLACK_OFF = "Slack is off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable it)"
SLACK_ON = "Slack is on: events are received at POST /slack/events"
INGEST_PATH = "/v1/ingest"
# Slack posts whole messages (blocks included) with button clicks and shortcuts: far more than a question.
SLACK_MAX_BYTES = 1_000_000
# How often a server deletes stored answers past their retention (days long: hourly is plenty).
PRUNE_EVERY_SECONDS = 3600.0


class JSONErrorCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the API's JSON error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """Answer a preflight; a refusal is 403 (origin) or 400 (method or headers) JSON."""
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith(("access-control-", "vary"))}
        if not self.is_allowed_origin(request_headers["origin"]):
            return error_response(403, "This origin is not allowed to call the API.", headers)
        return error_response(400, "The browser asked to send a method or header the API does not allow.", headers)


def create_app(settings: Settings | None = None, *, service: Whosaid | None = None) -> FastAPI:
    """The FastAPI app over ``service`` (default: a ``Whosaid`` built from ``settings``)."""
    settings = settings or load_settings()
    service = service or Whosaid(settings)
    app = FastAPI(
        title="whosaid",
        summary="Who said what, in your news articles: answers and claim checks with citations to exact passages.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.keys = KeyRing(settings)
    app.state.limiter = _rate_limiter(settings, service)
    install_error_handlers(app)
    routers = (routes_answers.router, routes_articles.router, routes_sources.router, routes_site.router,
               routes_site.asset_routes())
    for router in routers:
        app.include_router(router)
    app.state.slack = settings.slack_enabled
    if settings.slack_enabled:
        mount_slack(app, settings, service)  # Bolt is imported only here, when Slack is configured
    else:
        app.add_api_route(SLACK_PATH, _slack_off, methods=["POST"], include_in_schema=False)
    _add_middleware(app, settings)
    return app


def _rate_limiter(settings: Settings, service: Whosaid) -> RateLimiter:
    """Buckets in memory for one process; in the shared database when several workers share it."""
    per_minute, burst = settings.rate_limit_per_minute, settings.rate_limit_burst
    if settings.shared_rate_limits:
        return DatabaseTokenBuckets(lambda: service.records.engine, per_minute=per_minute, burst=burst)
    return TokenBucketLimiter(per_minute=per_minute, burst=burst)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added innermost first: CORS is outermost, so every response (errors too) carries its headers.
    limits = {INGEST_PATH: settings.max_ingest_bytes, SLACK_PATH: max(SLACK_MAX_BYTES, settings.max_request_bytes)}
    app.add_middleware(BodyLimit, limit_for=lambda path: limits.get(path, settings.max_request_bytes))
    keys: KeyRing = app.state.keys
    if keys.open:
        app.add_middleware(LoopbackHostOnly, exempt=frozenset({SLACK_PATH}) if app.state.slack else frozenset())
    app.add_middleware(RequestLog)
    app.add_middleware(
        JSONErrorCORSMiddleware,
        allow_origins=keys.origins,
        allow_origin_regex=LOCAL_ORIGIN_REGEX if keys.open else None,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "X-Whosaid-Key", "Accept", "Authorization"],
        expose_headers=["Retry-After"],
        max_age=600,
    )


async def _slack_off() -> None:
    raise ApiError(404, f"{SLACK_OFF}.")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.keys_configured:
        log.info(DEMO_MODE)
    log.info(SLACK_ON if app.state.slack else SLACK_OFF)
    started = time.perf_counter()
    try:
        await run_in_threadpool(app.state.service.warm_up)
        log.info("ready in %.1f s", time.perf_counter() - started)
    except WhosaidError as exc:  # serve anyway: /healthz answers and /readyz says what is wrong
        log.warning("warm-up failed: %s", exc)
    pruning = asyncio.create_task(_prune_forever(app.state.service)) if settings.retention_days else None
    try:
        yield
    finally:
        if pruning is not None:
            pruning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pruning


async def _prune_forever(service: Whosaid) -> None:
    """Delete answers and conversations past their retention now, then every ``PRUNE_EVERY_SECONDS``."""
    while True:
        try:
            gone = await run_in_threadpool(service.prune)
            if any(gone.values()):
                log.info("pruned %d answers and %d conversations past retention", gone["answers"], gone["sessions"])
        except Exception as exc:  # a database hiccup must not end the loop (or the server)
            log.warning("pruning stored answers failed: %s", type(exc).__name__)
        await asyncio.sleep(PRUNE_EVERY_SECONDS)
