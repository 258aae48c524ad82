"""The watcher: poll sources on their schedules, fetch what changed, ingest it, record what happened.

One round:
1. every due source is fetched conditionally (its ETag / Last-Modified); 304 means nothing new;
2. the URLs its listing names are gathered, each once however many sources list it; a URL
   whose listing stamp is unchanged and that was checked within ``recheck`` is not requested;
   failed pages whose retry is due join them;
3. pages are fetched (conditionally) by a few threads, the fetcher keeping each host's limits,
   and each fetched page is ingested and committed before its row records the new validators;
4. each source's validators and status are written last.
A failure (HTTP, timeout, a page that does not parse) is recorded on its page or source with
its reason and retried later; it never stops the round. 429 and 5xx back off, honouring
``Retry-After``. A kill at any point refetches only what had not been committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from bot.errors import BusyError
from bot.index.sources import Page, SourceStore
from bot.ingest.feeds import Item, NotAListing, parse_listing
from bot.ingest.loaders import Document, SkipFile, load_web
from bot.ingest.web import FEED_TYPES, Fetched, Fetcher, FetchError
from bot.model import IngestReport, Source

log = logging.getLogger(__name__)
MAX_CHILD_SITEMAPS = 50
LEASE = "watch"


@dataclass(frozen=True, slots=True)
class Schedule:
    """How often things are retried (``Settings.watch_*``)."""

    recheck: float = 21_600.0  # an unchanged-looking page is re-requested after this long
    retry: float = 600.0  # a failed page is retried after this long
    max_backoff: float = 21_600.0


@dataclass
class RoundReport:
    """What one round did, for its progress line."""

    number: int = 0
    sources: int = 0
    unchanged_sources: int = 0
    pages: int = 0  # pages requested
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks: int = 0
    claims: int = 0
    requests: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    article_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One progress line."""
        return (
            f"round {self.number}: {self.sources} source(s) polled ({self.unchanged_sources} unchanged), "
            f"{self.pages} page(s) fetched: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed; {self.requests} requests; {self.seconds:.1f} s"
        )


Ingest = Callable[[Sequence[Document]], IngestReport]


class Watcher:
    """Polls the sources in ``store`` with ``fetcher`` and ingests pages with ``ingest``."""

    def __init__(
        self, *, store: SourceStore, fetcher: Fetcher, ingest: Ingest, max_text_bytes: int,
        schedule: Schedule | None = None, workers: int = 4, clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.fetcher, self._ingest = store, fetcher, ingest
        self.max_text_bytes = max_text_bytes
        self.schedule = schedule or Schedule()
        self.workers = workers
        self._clock = clock
        self.rounds = 0
        self.heartbeat: Callable[[], None] | None = None  # called between pages (the lease renews itself)

    def run_round(self, *, every_source: bool = False) -> RoundReport:
        """Poll the due sources (``every_source``: all but those backing off) and ingest what changed."""
        started, requests = time.perf_counter(), self.fetcher.requests
        now = self._clock()
        self.rounds += 1
        report = RoundReport(number=self.rounds)
        due = [s for s in self.store.all() if s.next_due <= now or (every_source and s.status != "backoff")]
        polled: list[tuple[Source, Fetched | None, FetchError | NotAListing | None, int]] = []
        wanted: dict[str, tuple[str, Item]] = {}
        for source in due:
            fetched, items, error = self._poll(source)
            polled.append((source, fetched, error, len(items)))
            report.sources += 1
            report.unchanged_sources += fetched is not None and fetched.not_modified
            for item in items:
                wanted.setdefault(item.url, (source.url, item))
        for page in self.store.failed_pages(due_by=now):
            wanted.setdefault(page.url, (page.listed_by or "", Item(page.url, page.stamp)))
        self._fetch_pages(self._to_fetch(wanted, now), report)
        for source, fetched, error, listed in polled:  # last: a kill before this re-polls the source
            self._record_poll(source, fetched, error, now=now, listed=listed)
        report.requests = self.fetcher.requests - requests
        report.seconds = time.perf_counter() - started
        return report

    # -- sources ---------------------------------------------------------------------------
    def _poll(self, source: Source) -> tuple[Fetched | None, list[Item], FetchError | NotAListing | None]:
        validators = self.store.validators(source.url)
        try:
            fetched = self.fetcher.get(
                source.url, accept=FEED_TYPES, etag=validators.etag, last_modified=validators.last_modified
            )
            if fetched.not_modified:  # nothing new listed; only pages due for a recheck are asked again
                before = self._clock() - self.schedule.recheck
                stale = self.store.stale_pages(listed_by=source.url, checked_before=before)
                return fetched, [Item(page.url, page.stamp) for page in stale], None
            listing = parse_listing(fetched.body, url=fetched.url)
            items = list(listing.items)
            if listing.kind == "sitemapindex":
                items = list(self._child_sitemaps(items))
            return fetched, items, None
        except (FetchError, NotAListing) as exc:
            return None, [], exc

    def _child_sitemaps(self, sitemaps: list[Item]) -> Iterator[Item]:
        for child in sitemaps[:MAX_CHILD_SITEMAPS]:
            try:
                listing = parse_listing(self.fetcher.get(child.url, accept=FEED_TYPES).body, url=child.url)
            except (FetchError, NotAListing) as exc:
                log.warning("sitemap %s skipped: %s", child.url, exc)
                continue
            if listing.kind == "sitemap":
                yield from listing.items

    def _record_poll(
        self, source: Source, fetched: Fetched | None, error: FetchError | NotAListing | None, *, now: float,
        listed: int,
    ) -> None:
        if error is None and fetched is not None:
            values = {"status": "unchanged" if fetched.not_modified else "ok", "error": None, "failures": 0,
                      "last_fetch": now, "next_due": now + source.interval}
            if not fetched.not_modified:
                values.update(etag=fetched.etag, last_modified=fetched.last_modified, items=listed)
            self.store.record_poll(source.url, **values)
            return
        failures = self.store.validators(source.url).failures + 1
        transient = isinstance(error, FetchError) and (error.retry_after is not None or (error.status or 0) >= 429)
        wait = self._backoff(failures, error.retry_after if isinstance(error, FetchError) else None,
                             base=source.interval) if transient else source.interval
        self.store.record_poll(
            source.url, status="backoff" if transient else "error", error=str(error), failures=failures,
            last_fetch=now, next_due=now + wait,
        )

    def _backoff(self, failures: int, retry_after: float | None, *, base: float) -> float:
        """Doubling from ``base`` per consecutive failure, capped, and never sooner than ``Retry-After``."""
        doubled = min(self.schedule.max_backoff, base * 2 ** (failures - 1))
        return max(doubled, retry_after or 0.0)

    # -- pages -----------------------------------------------------------------------------
    def _to_fetch(self, wanted: dict[str, tuple[str, Item]], now: float) -> list[Page]:
        known = self.store.pages(list(wanted))
        recheck = self.schedule.recheck
        todo = []
        for url, (listed_by, item) in wanted.items():
            page = known.get(url)
            if page is None:
                todo.append(Page(url=url, listed_by=listed_by or None, stamp=item.stamp))
            elif page.status == "error":
                if (page.retry_at or 0.0) <= now:
                    todo.append(replace(page, stamp=item.stamp))
            elif item.stamp is None or item.stamp != page.stamp or (page.last_fetch or 0) <= now - recheck:
                todo.append(replace(page, stamp=item.stamp))
        return todo

    def _fetch_pages(self, todo: list[Page], report: RoundReport) -> None:
        """Fetch in threads, ingest here as each arrives (one writer), then record the page."""
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="fetch") as pool:
            futures: dict[Future[Fetched], Page] = {
                pool.submit(self.fetcher.get, page.url, etag=page.etag, last_modified=page.last_modified): page
                for page in todo
            }
            try:
                for future in as_completed(futures):
                    self._handle(futures[future], future, report)
            except BaseException:  # Ctrl-C: do not wait for fetches nobody will ingest
                for pending in futures:
                    pending.cancel()
                raise

    def _handle(self, page: Page, future: Future[Fetched], report: RoundReport) -> None:
        if self.heartbeat:
            self.heartbeat()
        now = self._clock()
        report.pages += 1
        try:
            fetched = future.result()
            status, article_id = self._ingest_page(page, fetched, report)
        except (FetchError, SkipFile) as exc:
            failures = page.failures + 1
            wait = self._backoff(failures, exc.retry_after if isinstance(exc, FetchError) else None,
                                 base=self.schedule.retry)
            self.store.record_page(replace(page, status="error", error=str(exc), failures=failures,
                                           last_fetch=now, retry_at=now + wait))
            report.failed += 1
            report.failures.append((page.url, str(exc)))
            return
        setattr(report, status, getattr(report, status) + 1)
        if article_id:
            report.article_ids.append(article_id)
        if not fetched.not_modified:
            page = replace(page, etag=fetched.etag, last_modified=fetched.last_modified)
        self.store.record_page(replace(
            page, status=status, error=None, failures=0, last_fetch=now, retry_at=None,
            article_id=article_id or page.article_id,
        ))

    def _ingest_page(self, page: Page, fetched: Fetched, report: RoundReport) -> tuple[str, str | None]:
        """(``new`` | ``updated`` | ``unchanged``, the article id), or ``SkipFile`` with the reason."""
        if fetched.not_modified:
            return "unchanged", page.article_id
        documents = load_web(fetched.url, fetched.text, content_type=fetched.content_type,
                             max_bytes=self.max_text_bytes)
        result = self._ingest(documents)
        if result.failures:
            raise SkipFile(result.failures[0][1])
        report.chunks += result.chunks
        report.claims += result.claims
        status = "new" if result.new else "updated" if result.updated else "unchanged"
        return status, result.article_ids[0] if result.article_ids else None


    def ingest_urls(self, urls: Sequence[str]) -> RoundReport:
        """Fetch and ingest these URLs now (conditionally, when they were fetched before)."""
        started, requests = time.perf_counter(), self.fetcher.requests
        report = RoundReport()
        distinct = list(dict.fromkeys(urls))
        known = self.store.pages(distinct)
        self._fetch_pages([known.get(url) or Page(url=url) for url in distinct], report)
        report.requests = self.fetcher.requests - requests
        report.seconds = time.perf_counter() - started
        return report


class LeaseLostError(Exception):
    """Another watcher took the lease (ours expired during a long round)."""


def watch(
    watcher: Watcher, *, holder: str, lease_seconds: float, stop: threading.Event,
    on_round: Callable[[RoundReport], None], on_wait: Callable[[str], None], once: bool = False,
) -> None:
    """Run rounds until ``stop`` is set (``once``: a single round), while holding the ``watch`` lease.

    A process that cannot take the lease waits for it (``on_wait`` is told who holds it), so one
    watcher runs per database however many servers share it; ``once`` raises ``BusyError`` instead.
    """
    store = watcher.store

    def renew() -> None:
        if not store.take_lease(LEASE, holder=holder, seconds=lease_seconds):
            raise LeaseLostError(f"another watcher ({store.lease_holder(LEASE)}) took the lease")

    watcher.heartbeat = renew
    told = False
    try:
        while not stop.is_set():
            if not store.take_lease(LEASE, holder=holder, seconds=lease_seconds):
                other = store.lease_holder(LEASE) or "another process"
                if once:
                    raise BusyError(f"Another watcher ({other}) is polling this database; try again later.")
                if not told:
                    on_wait(other)
                    told = True
                stop.wait(min(5.0, lease_seconds / 2))
                continue
            told = False
            if once or _due_in(watcher) <= 0:  # else the wake-up only renewed the lease
                try:
                    on_round(watcher.run_round(every_source=once))
                except LeaseLostError as exc:
                    log.warning("round stopped: %s", exc)
            if once:
                return
            stop.wait(min(lease_seconds / 3, max(0.05, _due_in(watcher))))
    finally:
        store.release_lease(LEASE, holder=holder)


def _due_in(watcher: Watcher) -> float:
    """Seconds until the next source is due (0 or less: now; infinite without sources)."""
    dues = [s.next_due for s in watcher.store.all()]
    return min(dues) - watcher._clock() if dues else float("inf")


def failure_lines(failures: Iterable[tuple[str, str]]) -> list[str]:
    """One line per failure, naming the URL and the reason."""
    return [f"failed {url}: {reason}" for url, reason in failures]
