"""Dependencies as named ``Annotated`` types: settings, the service, callers, quotas, ids.

A route states what it needs in its signature (``caller: Caller``, ``_: AdminCaller``,
``article_id: ArticleId``); the checks live here, once.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from bot.api.errors import ApiError
from bot.api.ratelimit import RateLimiter, retry_after
from bot.api.security import KeyRejected, KeyRing, Principal
from bot.config import Settings
from bot.service import Whosaid

ARTICLE_ID = re.compile(r"[0-9a-f]{8,64}")

_key_header = APIKeyHeader(
    name="X-Whosaid-Key", auto_error=False, description="A widget key (with an allowed Origin) or an admin key."
)
_bearer = HTTPBearer(auto_error=False, description="The same key as `Authorization: Bearer KEY`.")


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_service(request: Request) -> Whosaid:
    """The service every route calls."""
    return request.app.state.service  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[Whosaid, Depends(get_service)]


def presented_key(
    header: Annotated[str | None, Depends(_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The key from ``X-Whosaid-Key``, else from ``Authorization: Bearer``."""
    return header or (bearer.credentials if bearer else None)


def request_origin(request: Request) -> str | None:
    """The calling page's origin.

    Browsers omit ``Origin`` on same-origin GET requests; ``Sec-Fetch-Site: same-origin``
    then says the page is this server's own origin (the demo page fetching an article).
    """
    origin = request.headers.get("origin")
    if origin is None and request.headers.get("sec-fetch-site") == "same-origin" and "host" in request.headers:
        origin = f"{request.url.scheme}://{request.headers['host']}"
    return origin


def _identify(request: Request, key: str | None, *, admin: bool) -> Principal:
    keys: KeyRing = request.app.state.keys
    try:
        return keys.identify(key, request_origin(request), admin=admin)
    except KeyRejected as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise ApiError(exc.status, str(exc), headers=headers) from None


async def public_caller(request: Request, key: Annotated[str | None, Depends(presented_key)]) -> Principal:
    """A caller with a widget or admin key (anyone, with no keys configured)."""
    return _identify(request, key, admin=False)


async def admin_caller(request: Request, key: Annotated[str | None, Depends(presented_key)]) -> Principal:
    """A caller with an admin key (anyone, with no keys configured)."""
    return _identify(request, key, admin=True)


Caller = Annotated[Principal, Depends(public_caller)]
AdminCaller = Annotated[Principal, Depends(admin_caller)]


async def _take_token(request: Request, caller: Principal, *, bucket: str, what: str) -> Principal:
    """Take one token from the caller's ``bucket`` (per key and client address), or answer 429."""
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    # In a thread: a shared store is a database round trip, which must not stall the event loop.
    wait = await run_in_threadpool(limiter.acquire, f"{bucket}|{caller.key_id}|{client}")
    if wait:
        seconds = retry_after(wait)
        raise ApiError(
            429, f"Too many {what}: try again in {seconds} second{'s' * (seconds != 1)}.",
            headers={"Retry-After": str(seconds)},
        )
    return caller


async def question_quota(request: Request, caller: Caller) -> Principal:
    """A question costs a token of the caller's question bucket."""
    return await _take_token(request, caller, bucket="q", what="questions")


async def feedback_quota(request: Request, caller: Caller) -> Principal:
    """Feedback has a bucket of its own, so ratings never use up questions (and cannot flood the database)."""
    return await _take_token(request, caller, bucket="f", what="ratings")


QuestionCaller = Annotated[Principal, Depends(question_quota)]
FeedbackCaller = Annotated[Principal, Depends(feedback_quota)]


def valid_article_id(article_id: str) -> str:
    """An article id is 8 to 64 lowercase hex digits; anything else is refused before any lookup."""
    if not ARTICLE_ID.fullmatch(article_id):
        raise ApiError(400, "An article id is 8 to 64 characters of 0-9 and a-f.")
    return article_id


ArticleId = Annotated[str, Depends(valid_article_id)]
