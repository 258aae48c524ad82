"""Requests and time per watch round: a feed of 50 items, 5 of them edited, 45 unchanged.

A local server (127.0.0.1) serves 50 FICTIONAL articles (generated here, invented towns and
people) and a feed listing them, with ETags on the feed and on every page. Rounds, in one
process with the configured models (``--fake``: the hash embedder and no attribution):

    cold      an empty index: every article is new
    edited    5 articles edited (their feed entries' stamps change with them)
    quiet     nothing changed

each twice: with the feed's per-item stamps (the watcher skips entries whose stamp it has seen),
and with a feed that gives none and does not change when its articles do (silent edits), with
``WHOSAID_WATCH_RECHECK_SECONDS`` at 0 so that every entry is asked for again, conditionally
(304s). Printed: requests the watcher sent, what the server answered, and seconds per round.

    python evals/bench_watch.py            # MiniLM and the rules engine, as configured
    python evals/bench_watch.py --fake     # the plumbing alone
    python evals/bench_watch.py --delay 1  # the default pause between requests to one host
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS, EDITED = 50, 5
TOWNS = ["Port Averly", "Vell", "Marrow Cove", "Eskbridge", "Lanthorn", "Quillby", "Ostmere", "Harrowgate Fen"]


def article(n: int, revision: int) -> str:
    """Fictional article ``n``; ``revision`` changes its figure."""
    town = TOWNS[n % len(TOWNS)]
    figure = 1000 + 37 * n + 500 * revision
    return (
        f"{town} (fictional) — Council officer Mira Holt{n} said that the storm had damaged up to {figure:,} homes. "
        f"The regional fire chief, Oren Pask{n}, said crews would stay in {town} until the weekend. "
        f"Volunteers cleared the roads on day {n % 7 + 1} of the clean-up, and the school hall opened as a shelter. "
        f"Residents told the fictional Averly Gazette that the power came back in the evening."
    )


class Site:
    def __init__(self, *, stamps: bool) -> None:
        self.revisions = [0] * ITEMS
        self.stamps = stamps
        self.answers: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.base = ""

    def page(self, n: int) -> str:
        text = article(n, self.revisions[n])
        return (f'<html><head><meta charset="utf-8"><title>Storm report {n} (fictional)</title>'
                f'<link rel="canonical" href="{self.base}/news/{n}.html"></head>'
                f"<body><article><h1>Storm report {n} (fictional)</h1><p>{text}</p></article></body></html>")

    def feed(self) -> str:
        items = "".join(
            f"<item><title>Storm report {n}</title><link>{self.base}/news/{n}.html</link>"
            + (f"<pubDate>{self.stamp(n)}</pubDate>" if self.stamps else "") + "</item>"
            for n in range(ITEMS)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fictional</title>{items}</channel></rss>'

    def stamp(self, n: int) -> str:
        return f"Mon, 0{1 + self.revisions[n]} Jan 2024 10:00:00 GMT"


def serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body, kind = "User-agent: *\nAllow: /\n", "text/plain"
            elif self.path == "/feed.xml":
                body, kind = site.feed(), "application/rss+xml"
            elif self.path.startswith("/news/"):
                body, kind = site.page(int(self.path[6:].removesuffix(".html"))), "text/html; charset=utf-8"
            else:
                body, kind = "", "text/plain"
            tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
            status = 304 if self.headers.get("If-None-Match") == tag else 200 if body else 404
            with site.lock:
                site.answers[f"{status}"] += 1
            self.send_response(status)
            self.send_header("ETag", tag)
            if status == 200:
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            if status == 200:
                self.wfile.write(body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(*, stamps: bool, fake: bool, delay: float) -> list[tuple[str, Any, Counter[str]]]:
    from bot.config import load_settings
    from bot.service import Whosaid

    site = Site(stamps=stamps)
    server = serve(site)
    data = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    overrides: dict[str, Any] = {"data_dir": data, "fetch_delay_seconds": delay}
    if not stamps:
        overrides["watch_recheck_seconds"] = 1e-6  # without stamps, only a recheck finds a silent edit
    if fake:
        overrides.update(embedding_model="hash", extract_claims=False)
    whosaid = Whosaid(load_settings(**overrides))
    whosaid.add_source(f"{site.base}/feed.xml")
    rows = []
    for name in ("cold", "edited", "quiet"):
        if name == "edited":
            for n in range(EDITED):
                site.revisions[n * (ITEMS // EDITED)] += 1
        site.answers.clear()
        report = whosaid.watcher.run_round(every_source=True)
        rows.append((name, report, Counter(site.answers)))
    server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fake", action="store_true", help="hash embedder, no attribution")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between requests to one host")
    args = parser.parse_args()
    models = "hash embedder, no attribution" if args.fake else "configured models"
    print(f"feed of {ITEMS} items, {EDITED} edited; {models}; {args.delay:g} s between requests to the host")
    print(f"{'feed':<12} {'round':<7} {'requests':>8} {'200':>5} {'304':>5} {'new':>4} {'upd':>4} {'same':>5} {'s':>7}")
    for stamps in (True, False):
        for name, report, answers in run(stamps=stamps, fake=args.fake, delay=args.delay):
            print(f"{'stamps' if stamps else 'no stamps':<12} {name:<7} {report.requests:>8} {answers['200']:>5} "
                  f"{answers['304']:>5} {report.new:>4} {report.updated:>4} {report.unchanged:>5} "
                  f"{report.seconds:>7.2f}")


if __name__ == "__main__":
    main()
