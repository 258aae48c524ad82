"""Every error is JSON ``{"error": "One clear sentence."}`` with the right status.

``WhosaidError`` maps through its ``http_status`` (user errors keep their sentence; service
errors are logged and answered with a sentence that reveals no path, host or key);
FastAPI's validation errors become 422 naming the field; unknown routes and methods get
404 / 405; anything unexpected is logged with its traceback and answered 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import (
    BusyError,
    ConfigurationError,
    LanguageModelError,
    ServiceError,
    StoreUnavailableError,
    UserError,
    WhosaidError,
)

log = logging.getLogger("bot.api")

INTERNAL_ERROR = "Something went wrong on our side; the error was logged."
_SERVICE_SENTENCES: dict[type[ServiceError], str] = {
    BusyError: "Another ingest or removal is running; try again when it has finished.",
    StoreUnavailableError: "The index is unavailable right now; try again shortly.",
    LanguageModelError: "The language model did not answer; try again shortly.",
}


class ApiError(HTTPException):
    """An HTTP error whose detail is the one sentence the client sees."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error body every failure uses."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def describe(exc: WhosaidError) -> tuple[int, str]:
    """The HTTP status and client-facing sentence for a whosaid error."""
    if isinstance(exc, ConfigurationError):  # the operator's setting, not the caller's request
        return 503, "The server is misconfigured; the error was logged."
    if isinstance(exc, UserError):
        return exc.http_status, str(exc)
    if isinstance(exc, ServiceError):
        sentence = next((s for cls, s in _SERVICE_SENTENCES.items() if isinstance(exc, cls)), None)
        return 503, sentence or "The service is unavailable right now; try again shortly."
    return 500, INTERNAL_ERROR


def validation_sentence(errors: Sequence[Any]) -> str:
    """One sentence naming the first invalid field (and how many other problems there are)."""
    if not errors:
        return "The request is not valid."
    first = errors[0]
    where, *path = [str(p) for p in first.get("loc", ())] or ["body"]
    field = ".".join(path)
    kind = first.get("type", "")
    if kind == "json_invalid":
        sentence = "The request body is not valid JSON."
    elif where == "body" and not field:
        sentence = "The request body is missing or is not a JSON object."
    else:
        noun = {"query": "query parameter", "path": "path parameter", "header": "header"}.get(where, "field")
        if kind == "missing":
            sentence = f"The {noun} '{field}' is required."
        else:
            message = str(first.get("msg", "is invalid")).removeprefix("Value error, ").rstrip(".")
            sentence = f"The {noun} '{field}' is invalid: {message[:1].lower()}{message[1:]}."
    more = len(errors) - 1
    return sentence if not more else f"{sentence[:-1]} (and {more} more problem{'s' * (more > 1)})."


def _unreadable_body(cause: BaseException) -> str:
    """What made a body unreadable, in one sentence (FastAPI says only "error parsing the body")."""
    if isinstance(cause, UnicodeDecodeError):
        return f"The request body is not valid UTF-8 (an undecodable byte at position {cause.start})."
    if isinstance(cause, RecursionError):
        return "The request body is nested too deeply to read."
    if isinstance(cause, ValueError) and "digits" in str(cause):  # int() refuses more than 4,300 digits
        return "The request body has a number too long to read; numbers here are small integers."
    return "The request body could not be read as JSON."


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON body."""

    @app.exception_handler(WhosaidError)
    async def whosaid_error(_request: Request, exc: WhosaidError) -> JSONResponse:
        status, sentence = describe(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return error_response(status, sentence)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, validation_sentence(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if isinstance(exc, ApiError):
            sentence = str(exc.detail)
        elif exc.status_code == 404:
            sentence = f"There is no {request.method} {request.url.path} here; the API is described at /docs."
        elif exc.status_code == 405:
            allowed = headers.get("Allow", headers.get("allow", ""))
            sentence = f"{request.method} is not allowed on {request.url.path}; use {allowed or 'another method'}."
        elif exc.status_code == 413:
            sentence = "The request body is too large."
        elif exc.status_code == 400 and exc.__cause__ is not None:  # FastAPI could not read the body
            sentence = _unreadable_body(exc.__cause__)
        else:
            sentence = f"The request failed ({exc.status_code})."
        return error_response(exc.status_code, sentence, headers or None)
