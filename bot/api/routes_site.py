"""Health probes, the demo page and the widget's static files (from ``bot/api/web/``)."""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool

from bot.api.deps import ServiceDep, SettingsDep
from bot.api.errors import ApiError
from bot.api.schemas import HealthOut, ReadyOut, error_responses
from bot.api.security import demo_key
from bot.errors import StoreUnavailableError

WEB = Path(__file__).resolve().parent / "web"
# Not content-hashed names, so browsers revalidate after five minutes rather than caching for long.
ASSET_CACHE = "public, max-age=300"

router = APIRouter(tags=["site"])


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> HealthOut:
    """The process answers (no store is touched)."""
    return HealthOut()


@router.get("/readyz", response_model=ReadyOut, responses=error_responses(503))
async def readyz(service: ServiceDep) -> ReadyOut:
    """The database and the vector store answer, and the index holds articles."""
    try:
        counts = await run_in_threadpool(service.health)
    except StoreUnavailableError:
        raise ApiError(503, "Not ready: the database or the vector store does not answer.") from None
    if not counts["articles"]:
        raise ApiError(503, "Not ready: the index is empty; ingest articles first.")
    return ReadyOut(articles=counts["articles"])


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
async def demo_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The demo page; with keys configured, its widget tag gets a widget key allowed on this origin."""
    page = WEB / "index.html"
    if not page.is_file():
        raise ApiError(404, "The demo page is not installed (bot/api/web/index.html is missing).")
    text = page.read_text(encoding="utf-8")
    origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
    key = demo_key(settings, origin) if settings.keys_configured else None
    if key:
        text = text.replace('data-key=""', f'data-key="{html.escape(key, quote=True)}"', 1)
    return HTMLResponse(text, headers={"Cache-Control": "no-cache"})


def asset_routes() -> APIRouter:
    """A route for ``/widget.js`` and for each other file in ``web/`` (listed when the app is built)."""
    assets = APIRouter(tags=["site"])
    names = {"widget.js"} | {p.name for p in WEB.glob("*") if p.is_file() and not p.name.startswith(".")}
    for name in sorted(names - {"index.html"}):
        assets.add_api_route(f"/{name}", _serve_file(name), methods=["GET", "HEAD"], include_in_schema=False)
    return assets


def _serve_file(name: str) -> Any:
    async def serve() -> FileResponse:
        path = WEB / name
        if not path.is_file():
            raise ApiError(404, f"{name} is not installed.")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind = ("text/javascript" if name.endswith(".js") else kind) + "; charset=utf-8"
        return FileResponse(path, media_type=kind, headers={"Cache-Control": ASSET_CACHE})

    serve.__name__ = f"asset_{name}"
    return serve
