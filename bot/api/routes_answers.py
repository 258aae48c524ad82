"""Question routes: ask, check, chat (JSON or server-sent events), and feedback on answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from bot.api.deps import FeedbackCaller, QuestionCaller, ServiceDep
from bot.api.schemas import (
    AnswerOut,
    AskRequest,
    ChatRequest,
    CheckRequest,
    FeedbackOut,
    FeedbackRequest,
    error_responses,
)
from bot.api.streaming import answer_stream, wants_event_stream

router = APIRouter(prefix="/v1", tags=["answers"])


QUESTION_ERRORS = error_responses(401, 403, 404, 413, 422, 429, 503)

_STREAM_DOC = {
    "description": "The answer object; or, with `Accept: text/event-stream`, the events "
    "status+, delta*, citations, done (or error).",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


@router.post("/ask", response_model=AnswerOut, responses=QUESTION_ERRORS)
def ask(_caller: QuestionCaller, body: AskRequest, service: ServiceDep) -> dict[str, Any]:
    """Answer a question with citations to exact source passages (or abstain)."""
    return service.ask(body.question, session=body.session).to_dict()


@router.post("/check", response_model=AnswerOut, responses=QUESTION_ERRORS)
def check(_caller: QuestionCaller, body: CheckRequest, service: ServiceDep) -> dict[str, Any]:
    """Check a claim: what the sources say about it (a verdict), and who said what."""
    return service.ask(body.claim, mode="check").to_dict()


@router.post("/chat", response_model=AnswerOut, responses={200: _STREAM_DOC, **QUESTION_ERRORS})
async def chat(_caller: QuestionCaller, body: ChatRequest, request: Request, service: ServiceDep) -> Any:
    """One message of a conversation (``session: null`` starts one), as JSON or as a stream."""
    # Errors the person can fix are answered as JSON here, before any stream starts.
    question = await run_in_threadpool(service.check_question, body.message, mode=body.mode, session=body.session)
    session: str = body.session if body.session is not None else await run_in_threadpool(service.start_session)
    if wants_event_stream(request.headers.get("accept")):
        return answer_stream(service, question, mode=body.mode, session=session)
    answer = await run_in_threadpool(service.ask, question, mode=body.mode, session=session)
    return answer.to_dict()


@router.post(
    "/feedback", status_code=201, response_model=FeedbackOut, responses=error_responses(401, 403, 404, 422, 429)
)
def feedback(caller: FeedbackCaller, body: FeedbackRequest, request: Request, service: ServiceDep) -> FeedbackOut:
    """Rate an answer given earlier (+1 helpful, -1 not), with an optional comment."""
    from_page = caller.role == "widget" or "origin" in request.headers
    service.feedback(body.answer_id, rating=body.rating, comment=body.comment, channel="widget" if from_page else "api")
    return FeedbackOut()
