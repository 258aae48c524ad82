"""Index routes: an article (to show a citation in context), claims, and admin ingest / delete."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.api.deps import AdminCaller, ArticleId, Caller, QuestionCaller, ServiceDep
from bot.api.errors import ApiError
from bot.api.schemas import (
    ArticleIn,
    ArticleOut,
    ClaimsOut,
    IngestOut,
    IngestRequest,
    RemovedOut,
    SkippedOut,
    error_responses,
)
from bot.errors import NotFoundError
from bot.ingest.loaders import Document, first_line_title
from bot.model import Claim, article_id_for
from bot.service import Whosaid

router = APIRouter(prefix="/v1", tags=["index"])

_SLUG_GAPS = re.compile(r"[^\w]+")


@router.get("/articles/{article_id}", response_model=ArticleOut, responses=error_responses(400, 401, 403, 404))
def article(_caller: Caller, article_id: ArticleId, service: ServiceDep) -> dict[str, Any]:
    """An article's metadata and exact text: every citation's ``start``/``end`` index it."""
    try:
        found = service.article(article_id)
        return {**found.to_dict(), "source": service.public_source(found.source)}
    except NotFoundError:
        raise ApiError(404, f"No article has the id {article_id}.") from None


@router.get("/claims", response_model=ClaimsOut, responses=error_responses(401, 403, 422, 429))
def claims(
    _caller: QuestionCaller,  # a search of the index, limited like a question
    service: ServiceDep,
    speaker: Annotated[str | None, Query(max_length=200, description="A speaker's canonical name.")] = None,
    article: Annotated[str | None, Query(max_length=64, description="Only this article id.")] = None,
    about: Annotated[str | None, Query(max_length=2000, description="Rank claims by meaning.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Who claimed what: by speaker or article, or the claims nearest in meaning to ``about``."""
    if about is not None:
        ranked = service.search_claims(about, k=100 if article else limit, speaker=speaker)
        found = [claim for claim, _ in ranked if article is None or claim.article_id == article]
    else:
        found = service.claims(speaker=speaker, article_id=article)
    return {"claims": _with_titles(service, found[:limit])}


@router.post("/ingest", response_model=IngestOut, responses=error_responses(401, 403, 413, 422, 503))
def ingest(_admin: AdminCaller, body: IngestRequest, service: ServiceDep) -> IngestOut:
    """Ingest articles (admin key): chunk, embed, extract claims, index; re-posting is safe."""
    report = service.ingest_documents([_document(item) for item in body.articles])
    return IngestOut(
        added=report.new,
        replaced=report.updated,
        unchanged=report.unchanged,
        skipped=[SkippedOut(source=source, reason=reason) for source, reason in report.failures],
        article_ids=report.article_ids,
    )


@router.delete("/articles/{article_id}", response_model=RemovedOut, responses=error_responses(400, 401, 403, 404, 503))
def remove(_admin: AdminCaller, article_id: ArticleId, service: ServiceDep) -> RemovedOut:
    """Delete an article and everything derived from it (admin key)."""
    return RemovedOut(removed=service.remove(article_id))


def _document(item: ArticleIn) -> Document:
    """An article from the request; its source is its URL, else ``api:`` and a slug of its title.

    The source names the article across posts: posting a changed text with the same URL (or
    title) replaces the old version, as re-ingesting a changed file does.
    """
    title = (item.title or "").strip() or first_line_title(item.text)
    slug = _SLUG_GAPS.sub("-", title.lower()).strip("-")[:80]
    url = (item.url or "").strip() or None
    return Document(
        source=url or f"api:{slug or article_id_for(item.text)}",
        title=title,
        text=item.text,
        url=url,
        published=item.published.isoformat() if item.published else None,
        publisher=(item.publisher or "").strip() or None,
        author=(item.author or "").strip() or None,
    )


def _with_titles(service: Whosaid, found: list[Claim]) -> list[dict[str, Any]]:
    titles: dict[str, str | None] = {}
    for claim in found:
        if claim.article_id and claim.article_id not in titles:
            try:
                titles[claim.article_id] = service.article(claim.article_id).title
            except NotFoundError:
                titles[claim.article_id] = None
    return [{**claim.to_dict(), "article_title": titles.get(claim.article_id or "")} for claim in found]
