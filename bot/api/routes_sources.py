"""Sources the watcher polls (admin key), and the versions of an article (any caller)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.api.deps import AdminCaller, ArticleId, Caller, ServiceDep
from bot.api.schemas import SourceAddedOut, SourceIn, SourcesOut, VersionsOut, error_responses

router = APIRouter(prefix="/v1", tags=["sources"])


@router.get("/sources", response_model=SourcesOut, responses=error_responses(401, 403))
def list_sources(_admin: AdminCaller, service: ServiceDep) -> dict[str, Any]:
    """Every watched feed and sitemap, with its last fetch, status and error."""
    return {"sources": [s.to_dict() for s in service.sources.all()]}


@router.post("/sources", status_code=201, response_model=SourceAddedOut, responses=error_responses(401, 403, 422))
def add_source(_admin: AdminCaller, body: SourceIn, service: ServiceDep) -> dict[str, Any]:
    """Watch a feed or sitemap (fetched once now to tell which); re-adding changes its interval."""
    source, added = service.add_source(body.url, interval=body.interval_seconds)
    return {"source": source.to_dict(), "added": added}


@router.delete("/sources", responses=error_responses(401, 403, 404))
def remove_source(
    _admin: AdminCaller, service: ServiceDep,
    url: Annotated[str, Query(max_length=2048, description="The source's URL as listed.")],
) -> dict[str, str]:
    """Stop watching a source; the articles it brought stay."""
    service.remove_source(url)
    return {"removed": url}


@router.get(
    "/articles/{article_id}/versions", response_model=VersionsOut, responses=error_responses(400, 401, 403, 404)
)
def versions(_caller: Caller, article_id: ArticleId, service: ServiceDep) -> dict[str, Any]:
    """Every version of the article (any of its ids), oldest first, each with its claim changes."""
    found = []
    for version, changes in service.versions(article_id):
        data = version.to_dict()
        found.append({**data, "source": service.public_source(data["source"]),
                      "changes": [c.to_dict() for c in changes]})
    return {"versions": found}
