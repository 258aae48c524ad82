"""Server-sent events for ``POST /v1/chat`` with ``Accept: text/event-stream``.

Events, in order: ``status`` (one per stage the chain enters), ``delta`` (consecutive pieces
of the final answer text, which concatenate to ``answer``), ``citations`` (the full answer
object) and ``done`` (``answer_id``, ``session``); or, on failure, one ``error`` event
(``error``, ``status``) that ends the stream. Only verified text is ever sent: the deltas
are cut from the answer after citation verification.

Starlette's ``StreamingResponse`` carries it: the stream is short and finite, so it needs
none of sse-starlette's shutdown machinery (signal-handler patching, a polling watcher).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from bot.api.errors import INTERNAL_ERROR, describe
from bot.errors import WhosaidError

if TYPE_CHECKING:
    from bot.model import Answer
    from bot.service import Whosaid

log = logging.getLogger("bot.api")

STAGE_MESSAGES = {
    "retrieving": "Searching the sources…",
    "composing": "Writing the answer…",
    "verifying": "Checking every citation…",
}
KEEPALIVE_SECONDS = 15.0  # a comment line this often keeps proxies from closing a quiet stream

# A sentence ends at . ! ? or …, then any closing quotes, [n] markers and a last period, then spaces.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*(?:\s*\[\d+\])*\.?\s+(?![\s\[])")


def wants_event_stream(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for server-sent events."""
    return "text/event-stream" in (accept or "").lower()


def sentence_pieces(text: str) -> list[str]:
    """Cut text into sentences (each keeping its trailing spaces): ``"".join(pieces) == text``."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def sse(event: str, data: Any) -> str:
    """One event in the text/event-stream format (JSON data on a single line)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_stream(service: Whosaid, question: str, *, mode: str, session: str) -> StreamingResponse:
    """The streaming response for one chat message."""
    return StreamingResponse(
        _events(service, question, mode=mode, session=session),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(service: Whosaid, question: str, *, mode: str, session: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def progress(stage: str) -> None:  # called from the worker thread
        loop.call_soon_threadsafe(queue.put_nowait, ("status", stage))

    async def work() -> None:
        try:
            answer = await run_in_threadpool(service.ask, question, mode=mode, session=session, progress=progress)
            queue.put_nowait(("answer", answer))
        except Exception as exc:  # reported as an error event: the response has already started
            queue.put_nowait(("error", exc))

    task = asyncio.create_task(work())
    last_stage = "retrieving"
    yield sse("status", {"stage": last_stage, "message": STAGE_MESSAGES[last_stage]})
    try:
        while True:
            try:
                kind, value = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if kind == "status":
                if value != last_stage and value in STAGE_MESSAGES:
                    last_stage = value
                    yield sse("status", {"stage": value, "message": STAGE_MESSAGES[value]})
                continue
            for chunk in _final_events(value) if kind == "answer" else [_error_event(value)]:
                yield chunk
            return
    finally:
        task.cancel()  # the client left: stop waiting (the worker thread finishes on its own)


def _final_events(answer: Answer) -> list[str]:
    events = [sse("delta", {"text": piece}) for piece in sentence_pieces(answer.answer)]
    events.append(sse("citations", answer.to_dict()))
    events.append(sse("done", {"answer_id": answer.id, "session": answer.session}))
    return events


def _error_event(exc: BaseException) -> str:
    if isinstance(exc, WhosaidError):
        status, sentence = describe(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
    else:
        log.error("unexpected error while answering", exc_info=exc)
        status, sentence = 500, INTERNAL_ERROR
    return sse("error", {"error": sentence, "status": status})
