"""A FICTIONAL news site on 127.0.0.1 for the web tests: pages, two feeds, a sitemap, and misbehaviour.

Every article, name and place here is invented for the whosaid test suite (Port Averly does
not exist); nothing is copied from a real publication. What it serves:

    /robots.txt               disallows /private/
    /feed.xml  /atom.xml      RSS and Atom listing ``site.listed`` (both list the harbour story)
    /sitemap.xml              the same articles as a sitemap
    /news/NAME.html           an article (ETag and Last-Modified; 304 when the client's copy is current)
    /plain/NAME.html          an article with Last-Modified only (If-Modified-Since)
    /moved/N                  301 -> /moved/N-1 ... -> /news/harbour.html
    /loop/a, /loop/b          301 to each other
    /busy.html                429 with Retry-After: 120
    /broken.html              500
    /slow.html                the museum story, its headers after ``slow_seconds``
    /huge.html                50 MB, generated while sent, no Content-Length
    /report.pdf               application/pdf
    /private/memo.html        disallowed by robots.txt
    /latin1.html              windows-1252 bytes, the charset named only in <meta>
    /blank.html               a page without text (nothing to extract)
    /not-a-feed.html          an ordinary page, offered as a feed

    /_edit                    (the demo's control) the harbour story's figure becomes "up to 7,000"

``site.requests`` logs (path, request headers, status) of every request. For a demo by hand:
``python -m tests.fakes.news_site --port 8765 [--failures]`` serves it until Ctrl-C.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUGE_BYTES = 50_000_000

ARTICLES = {
    "harbour": (
        "Flood at Port Averly harbour (fictional)",
        "Port Averly (fictional) — The storm surge flooded the lower town overnight. "
        "Mayor Ada Brill said that the flood had displaced up to 15,000 residents. "
        "Harbour master Tomas Quill said the ferry would not run before Friday. "
        "Volunteers filled sandbags along the quay until dawn, and the school opened as a shelter.",
    ),
    "orchard": (
        "Orchard cooperative counts its losses (fictional)",
        "Vell Valley (fictional) — Hail struck the orchards of the Vell Valley cooperative on Sunday. "
        "Grower Ines Maro said that a third of the apple harvest was lost. "
        "The cooperative will ask the regional council for help with replanting next spring.",
    ),
    "museum": (
        "Museum of Tides reopens (fictional)",
        "Port Averly (fictional) — The Museum of Tides reopened after two years of repairs. "
        "Curator Lena Voss said the new hall would show the harbour's old lighthouse lens. "
        "Tickets are free for residents during the first month.",
    ),
}


def article_html(name: str, title: str, text: str, *, base: str) -> str:
    """A page as a CMS would print it: navigation, the article, a footer, canonical and metadata."""
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in text.split(". ") if sentence.strip())
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{base}/news/{name}.html">'
        f'<meta name="author" content="Fictional Desk"><meta property="og:site_name" content="Averly Gazette">'
        f'<meta property="article:published_time" content="2024-03-0{len(name) % 9 + 1}T09:00:00Z">'
        f'</head><body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>Averly Gazette is a fictional newspaper made for tests.</footer></body></html>"
    )


@dataclass
class Site:
    """The site's state; tests change it between polls."""

    base: str = ""
    texts: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(ARTICLES))
    listed: list[str] = field(default_factory=lambda: ["harbour", "orchard"])
    extra_feed_links: list[str] = field(default_factory=list)  # more <link>s in /feed.xml (paths)
    slow_seconds: float = 2.0
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    changed: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def edit(self, name: str, old: str, new: str) -> None:
        """Change an article's text (and so its ETag and Last-Modified)."""
        title, text = self.texts[name]
        assert old in text
        self.texts[name] = (title, text.replace(old, new))
        self.changed = time.time() + 1  # Last-Modified has one-second resolution

    def paths(self, status: int | None = None) -> list[str]:
        """Every path requested (with that status)."""
        return [path for path, _, code in self.requests if status is None or code == status]

    def stamp(self) -> str:
        """The feed's stamp: the newest article change."""
        return formatdate(self.changed, usegmt=True)

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{self.texts[n][0]}</title><link>{self.base}/news/{n}.html</link>"
            f"<guid>{self.base}/news/{n}.html</guid><pubDate>{self._item_stamp(n)}</pubDate></item>"
            for n in self.listed
        ) + "".join(f"<item><title>extra</title><link>{self.base}{p}</link></item>" for p in self.extra_feed_links)
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Averly Gazette (fictional)</title><link>{self.base}/</link>"
            f"<description>Fictional news for tests</description>{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f'<entry><title>{self.texts[n][0]}</title><link href="{self.base}/news/{n}.html"/>'
            f"<id>{self.base}/news/{n}.html</id><updated>2024-03-01T09:00:00Z</updated></entry>"
            for n in ["harbour", "museum"]  # the harbour story is in both feeds
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Averly Gazette, Harbour desk (fictional)</title><id>{self.base}/atom.xml</id>"
            f"<updated>2024-03-01T09:00:00Z</updated>{entries}</feed>"
        )

    def sitemap(self) -> str:
        urls = "".join(f"<url><loc>{self.base}/news/{n}.html</loc></url>" for n in self.texts)
        return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    def _item_stamp(self, name: str) -> str:
        return hashlib.sha256(self.texts[name][1].encode()).hexdigest()[:12]  # changes when the text does


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._route(self.server.site, self.path.split("?")[0])

    def _log(self, status: int) -> None:
        """Log the request before answering it: a test reads the log as soon as it has the answer."""
        site = self.server.site
        with site.lock:
            site.requests.append((self.path, dict(self.headers.items()), status))

    def _route(self, site: Site, path: str) -> int:
        if path == "/robots.txt":
            return self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            return self._conditional(site.rss(), "application/rss+xml; charset=utf-8", modified=site.changed)
        if path == "/atom.xml":
            return self._conditional(site.atom(), "application/atom+xml", modified=site.changed)
        if path == "/sitemap.xml":
            return self._conditional(site.sitemap(), "application/xml", modified=site.changed)
        if path.startswith(("/news/", "/plain/", "/private/")) and path.endswith(".html"):
            name = path.rsplit("/", 1)[1].removesuffix(".html")
            if name not in site.texts and path.startswith("/private/"):
                name = "museum"
            if name not in site.texts:
                return self._send(404, "not found", "text/plain")
            html = article_html(name, *site.texts[name], base=site.base)
            return self._conditional(html, "text/html; charset=utf-8", modified=site.changed,
                                     etag=not path.startswith("/plain/"))
        if path.startswith("/moved/"):
            hops = int(path.rsplit("/", 1)[1])
            return self._redirect(f"/moved/{hops - 1}" if hops > 1 else "/news/harbour.html")
        if path in ("/loop/a", "/loop/b"):
            return self._redirect("/loop/b" if path == "/loop/a" else "/loop/a")
        if path == "/busy.html":
            return self._send(429, "slow down", "text/plain", headers={"Retry-After": "120"})
        if path == "/broken.html":
            return self._send(500, "oops", "text/plain")
        if path == "/slow.html":
            time.sleep(site.slow_seconds)  # then the museum story, under its canonical URL
            return self._send(200, article_html("museum", *site.texts["museum"], base=site.base), "text/html")
        if path == "/huge.html":
            return self._huge()
        if path == "/report.pdf":
            return self._send(200, "%PDF-1.4 fictional", "application/pdf")
        if path == "/latin1.html":
            html = ('<html><head><meta charset="windows-1252"><title>Café news (fictional)</title></head><body>'
                    "<article><p>The café on Quay Street reopened, said owner Zoë Marsh (fictional). "
                    "It serves crêpes and soup to the volunteers who cleared the harbour after the flood.</p>"
                    "</article></body></html>")
            return self._send(200, html.encode("cp1252"), "text/html")
        if path == "/_edit" and "up to 15,000" in site.texts["harbour"][1]:
            site.edit("harbour", "up to 15,000", "up to 7,000")
            return self._send(200, "edited: the harbour story now says 'up to 7,000'\n", "text/plain")
        if path == "/blank.html":  # a page with no text to extract
            return self._send(200, "<html><head><title>Blank</title></head><body><script>var x = 1;</script>"
                                   "</body></html>", "text/html")
        if path == "/not-a-feed.html":
            return self._send(200, "<html><body><p>Just a page (fictional).</p></body></html>", "text/html")
        return self._send(404, "not found", "text/plain")

    def _conditional(self, body: str, content_type: str, *, modified: float, etag: bool = True) -> int:
        tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        last_modified = formatdate(modified, usegmt=True)
        headers = {"Last-Modified": last_modified, **({"ETag": tag} if etag else {})}
        if etag and self.headers.get("If-None-Match") == tag:
            return self._send(304, b"", None, headers=headers)
        if not etag and self.headers.get("If-Modified-Since") == last_modified:
            return self._send(304, b"", None, headers=headers)
        return self._send(200, body, content_type, headers=headers)

    def _redirect(self, location: str) -> int:
        return self._send(301, "moved", "text/plain", headers={"Location": location})

    def _huge(self) -> int:
        self._log(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()  # no Content-Length: the client learns the size only by reading
        chunk = b"<p>" + b"Fictional filler. " * 3600 + b"</p>"  # about 64 kB
        try:
            for _ in range(HUGE_BYTES // len(chunk) + 1):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            pass
        return 200

    def _send(self, status: int, body: str | bytes, content_type: str | None, *,
              headers: dict[str, str] | None = None) -> int:
        data = body.encode() if isinstance(body, str) else body
        self._log(status)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 304:
            self.wfile.write(data)
        return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout, a size limit) is expected here, not an error to print."""


@contextmanager
def news_site() -> Iterator[Site]:
    """Serve a fresh fictional site on a free 127.0.0.1 port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    site = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    server.site = site
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Serve the fictional site by hand: ``python -m tests.fakes.news_site --port 8765``."""
    import argparse

    parser = argparse.ArgumentParser(description="The fictional news site of the whosaid tests.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--failures", action="store_true", help="list failing pages in /feed.xml too")
    args = parser.parse_args()
    server = _Server(("127.0.0.1", args.port), _Handler)
    server.site = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    if args.failures:
        server.site.extra_feed_links = ["/broken.html", "/report.pdf", "/private/memo.html"]
    print(f"the fictional site is at {server.site.base}/ (feeds: /feed.xml /atom.xml, sitemap: /sitemap.xml)",
          flush=True)
    with suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
