"""``whosaid sources add|list|remove``, ``whosaid watch`` and the version listing of ``show --versions``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import sys
import threading
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_common import AsJson, DataDir, service

if TYPE_CHECKING:
    from bot.attribution.diff import ClaimChange
    from bot.ingest.watch import RoundReport
    from bot.model import ArticleVersion, Source
    from bot.service import Whosaid

sources_app = typer.Typer(help="Feeds and sitemaps that `whosaid watch` polls.", no_args_is_help=True)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(value: str | None) -> float | None:
    """``90``, ``90s``, ``15m``, ``2h`` or ``1d`` as seconds."""
    if value is None:
        return None
    match = _DURATION.match(value)
    if not match or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"--every takes a duration such as 90s, 15m or 2h, not {value!r}.")
    return float(match.group(1)) * _UNITS[match.group(2)]


def when(seconds: float | None) -> str:
    """A time as UTC ``YYYY-MM-DD HH:MM`` (``-`` when unknown)."""
    if seconds is None:
        return "-"
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def source_line(source: Source) -> str:
    """One line of ``sources list``: the URL, its kind and schedule, and its last poll."""
    every = f"every {source.interval / 60:g} min" if source.interval >= 60 else f"every {source.interval:g} s"
    last = f"last {when(source.last_fetch)}: {source.status}" if source.last_fetch else "never polled"
    error = f" — {source.error}" if source.error else ""
    return f"{source.url}  [{source.kind}, {every}, {source.items} listed]  {last}{error}"


@sources_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="An RSS or Atom feed, or a sitemap (detected).")],
    every: Annotated[
        str | None, typer.Option(help="Polling interval, e.g. 15m (default: WHOSAID_WATCH_INTERVAL_SECONDS).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Add a feed or sitemap to watch (fetched once now to tell which it is)."""
    source, new = service(data_dir).add_source(url, interval=parse_every(every))
    typer.echo(f"{'added' if new else 'updated'} {source.kind} {source.url} (every {source.interval:g} s)")

@sources_app.command("list")
def list_(as_json: AsJson = False, data_dir: DataDir = None) -> None:
    """List the sources with their last fetch, status and error."""
    found = service(data_dir).sources.all()
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False))
        return
    for source in found:
        typer.echo(source_line(source))
    typer.echo(f"{len(found)} source(s)")

@sources_app.command("remove")
def remove(url: Annotated[str, typer.Argument(help="The source's URL as listed.")],
           data_dir: DataDir = None) -> None:
    """Stop watching a source (the articles it brought stay)."""
    service(data_dir).remove_source(url)
    typer.echo(f"removed {url}")

def watch(
    once: Annotated[bool, typer.Option("--once", help="Poll every source once (backoffs kept), then exit.")] = False,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Poll every source on its own schedule and ingest what changed, until Ctrl-C."""
    whosaid = service(data_dir)
    if not whosaid.sources.all():
        typer.echo("No sources yet: add one with `whosaid sources add URL`.", err=True)
        raise typer.Exit(2)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_watch(whosaid, stop=stop, once=once, echo=_printer(as_json))
    except KeyboardInterrupt:
        typer.echo("stopped: every article fetched so far is kept; the next round goes on from there.", err=True)



def run_watch(whosaid: Whosaid, *, stop: threading.Event, once: bool, echo: Any) -> None:
    """The watch loop (shared by ``whosaid watch`` and ``serve --watch``), holding the database's lease."""
    from bot.ingest.watch import watch

    watch(
        whosaid.watcher, holder=lease_holder(), lease_seconds=whosaid.settings.watch_lease_seconds, stop=stop,
        on_round=echo, once=once,
        on_wait=lambda other: typer.echo(f"waiting: {other} is the watcher of this database", err=True),
    )


def lease_holder() -> str:
    """This process's name on the lease: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:64]


def _printer(as_json: bool) -> Any:
    from bot.ingest.watch import failure_lines

    def echo(report: RoundReport) -> None:
        if as_json:
            data = {k: v for k, v in vars(report).items() if k != "failures"}
            data["failures"] = [{"url": u, "reason": r} for u, r in report.failures]
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            typer.echo(report.summary())
            for line in failure_lines(report.failures):
                typer.echo(f"  {line}")
        sys.stdout.flush()

    return echo


def print_versions(history: list[tuple[ArticleVersion, list[ClaimChange]]], *, as_json: bool) -> None:
    """``show ID --versions``: each version, oldest first, with what changed in its claims."""
    if as_json:
        typer.echo(json.dumps([{**v.to_dict(), "changes": [c.to_dict() for c in changes]}
                               for v, changes in history], ensure_ascii=False))
        return
    for n, (version, changes) in enumerate(history, start=1):
        state = "current" if version.current else f"replaced {when(version.superseded)}"
        typer.echo(f"v{n} {version.article.id}  seen {when(version.seen)}  ({state}, {len(version.claims)} claims)")
        stamp = when(version.seen)
        for change in changes:
            typer.echo(f"    edited {stamp}: {change.summary}")
        if n > 1 and not changes:
            typer.echo("    text changed; no claim changed")
