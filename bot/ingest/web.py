"""The web fetcher: one polite HTTP client for pages, feeds and sitemaps (httpx).

The rules a crawler is expected to keep, in one place: robots.txt (cached per site), an honest
User-Agent, a timeout for the whole response, a size limit enforced while streaming (a larger
body is abandoned, never read whole), at most ``max_redirects`` redirects with loops refused,
the charset from the headers or the page's own ``<meta>``, only the content types asked for,
and at most ``per_host`` requests at once to one host, each starting ``delay`` seconds after
the previous one. Conditional requests (``If-None-Match``, ``If-Modified-Since``) answer 304.

Every failure is a ``FetchError`` whose message names the problem; ``retry_after`` is set
when the server asked to be left alone (429, 503: its ``Retry-After``) or failed (5xx).
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from bot.model import web_url

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/json")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
    "text/html", "text/plain",  # servers that label feeds as text; the parser decides
)
ROBOTS_MAX_BYTES = 512_000
ROBOTS_TTL_SECONDS = 3600.0
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be fetched; the message says why."""

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: 200 with its body decoded, or 304 (``not_modified``) with none."""

    url: str  # after redirects
    status: int
    body: bytes = b""
    text: str = ""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Whether the server said the copy we hold is current."""
        return self.status == 304


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The crawler's manners (``Settings.fetch_*``, ``user_agent``, ``obey_robots``)."""

    user_agent: str
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    per_host: int = 2
    delay: float = 1.0
    obey_robots: bool = True


@dataclass
class _Host:
    """One host's gate: at most ``per_host`` requests at once, started ``delay`` apart."""

    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0


class Fetcher:
    """GET with the crawler's rules; thread-safe, so a watch round fetches several hosts at once.

    ``transport`` is httpx's one-method seam (tests may pass ``httpx.MockTransport``); the
    tests here use a real server on 127.0.0.1 instead.
    """

    def __init__(
        self, policy: FetchPolicy, *, transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, headers={"User-Agent": policy.user_agent},
            timeout=httpx.Timeout(policy.timeout),
        )
        self._clock, self._sleep = clock, sleep
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | str]] = {}
        self._lock = threading.Lock()
        self.requests = 0  # every request sent, robots.txt and redirects included

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(
        self, url: str, *, accept: tuple[str, ...] = PAGE_TYPES, etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """Fetch ``url`` following redirects, or raise ``FetchError``."""
        if web_url(url) is None:
            raise FetchError(f"not an http(s) URL: {url!r}")
        seen = {url}
        for _ in range(self.policy.max_redirects + 1):
            self._check_robots(url)
            fetched, location = self._request(url, accept=accept, etag=etag, last_modified=last_modified)
            if location is None:
                assert fetched is not None
                return fetched
            if location in seen:
                raise FetchError(f"redirect loop: {location} redirects back to itself")
            seen.add(location)
            url = location
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects})")

    # -- one request -----------------------------------------------------------------------
    def _request(
        self, url: str, *, accept: tuple[str, ...], etag: str | None, last_modified: str | None
    ) -> tuple[Fetched | None, str | None]:
        headers = {"Accept": ", ".join(dict.fromkeys((*accept, "*/*;q=0.1")))}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with self._gate(url):
            deadline = self._clock() + self.policy.timeout
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    return self._read(url, response, accept=accept, deadline=deadline)
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {self.policy.timeout:g} s", retry_after=None) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot connect ({type(exc).__name__}: {exc})") from None

    def _read(
        self, url: str, response: httpx.Response, *, accept: tuple[str, ...], deadline: float
    ) -> tuple[Fetched | None, str | None]:
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("location")
            target = web_url(urljoin(url, location)) if location else None
            if target is None:
                raise FetchError(f"HTTP {status} redirect without a usable Location")
            return None, target.split("#")[0]
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        if status == 304:
            return Fetched(url=url, status=304, etag=etag, last_modified=modified), None
        if status == 429 or status >= 500:
            wait = retry_after(response.headers.get("retry-after"))
            raise FetchError(f"HTTP {status}" + (f" (retry after {wait:g} s)" if wait else ""),
                             retry_after=wait, status=status)
        if status != 200:
            raise FetchError(f"HTTP {status}", status=status)
        content_type = response.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if media and media not in accept:
            raise FetchError(f"content type {media} is not HTML, text, JSON or a feed", status=status)
        body = self._body(response, deadline=deadline)
        text = decode_body(body, content_type)
        return Fetched(url=url, status=200, body=body, text=text, content_type=media or "text/html",
                       etag=etag, last_modified=modified), None

    def _body(self, response: httpx.Response, *, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"too large ({int(declared):,} bytes; limit {limit:,})")
        parts: list[bytes] = []
        size = 0
        for part in response.iter_bytes():
            size += len(part)
            if size > limit:
                raise FetchError(f"too large (more than {limit:,} bytes; abandoned while reading)")
            if self._clock() > deadline:  # a server that drips bytes never trips the read timeout
                raise FetchError(f"timed out after {self.policy.timeout:g} s (the body came too slowly)")
            parts.append(part)
        return b"".join(parts)

    @contextlib.contextmanager
    def _gate(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots, starting no sooner than ``delay`` after its previous request."""
        netloc = urlsplit(url).netloc.lower()
        with self._lock:
            host = self._hosts.get(netloc)
            if host is None:
                host = self._hosts[netloc] = _Host(threading.Semaphore(self.policy.per_host))
        with host.slots:
            with host.lock:
                now = self._clock()
                start = max(now, host.next_start)
                host.next_start = start + self.policy.delay
            if start > now:
                self._sleep(start - now)
            with self._lock:
                self.requests += 1
            yield

    # -- robots.txt -------------------------------------------------------------------------
    def _check_robots(self, url: str) -> None:
        if not self.policy.obey_robots:
            return
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._robots.get(site)
        if cached is None or self._clock() - cached[0] > ROBOTS_TTL_SECONDS:
            cached = (self._clock(), self._load_robots(site))
            with self._lock:
                self._robots[site] = cached
        rules = cached[1]
        if isinstance(rules, str):
            raise FetchError(rules)
        if not rules.can_fetch(self.policy.user_agent, url):
            raise FetchError("disallowed by robots.txt")

    def _load_robots(self, site: str) -> urllib.robotparser.RobotFileParser | str:
        """The site's rules; a reason string when they cannot be read and the site must be left alone."""
        rules = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        try:
            with self._gate(site), self._client.stream("GET", site + "/robots.txt") as response:
                status = response.status_code
                body = self._body(response, deadline=self._clock() + self.policy.timeout) if status == 200 else b""
        except (httpx.HTTPError, FetchError) as exc:
            return f"robots.txt cannot be read ({type(exc).__name__}); the site is left alone"
        if status >= 500 or status == 429:  # RFC 9309: an unreachable robots.txt means "crawl nothing"
            return f"robots.txt answered HTTP {status}; the site is left alone"
        rules.parse(body.decode("utf-8", errors="replace").splitlines() if status == 200 else [])
        return rules


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delay-seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode_body(body: bytes, content_type: str) -> str:
    """Text from the charset in ``Content-Type``, else the page's ``<meta charset>``, else UTF-8 (then cp1252)."""
    declared = re.search(r"charset\s*=\s*[\"']?([\w:.-]+)", content_type, re.IGNORECASE)
    meta = _META_CHARSET.search(body[:4096])
    for name in (declared.group(1) if declared else None, meta.group(1).decode("ascii") if meta else None):
        if name:
            try:
                return body.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
