"""Real-browser fixtures: the real app on 127.0.0.1 (seeds ingested with the real models) and
Debian's headless chromium driven by Playwright (never a downloaded browser).

One server per session (ingesting takes a while), one browser per module, one fresh browser
context (so a fresh sessionStorage) per test.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.api.app import create_app
from bot.config import Settings
from bot.service import Whosaid

from ..conftest import SEEDS

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by the Makefile; never a downloaded browser
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
WIDGET_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "widget"  # fictional
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots; git-ignored
ANSWER_TIMEOUT_MS = 30_000

# Records, in order, what the widget's shadow DOM showed: status lines, streamed text, the final answer.
RECORDER = """() => {
  const root = document.querySelector("whosaid-widget").shadowRoot;
  window.__whosaidEvents = [];
  const push = (e) => window.__whosaidEvents.push(e);
  new MutationObserver((records) => {
    for (const r of records) {
      const target = r.target.nodeType === 1 ? r.target : null;
      for (const node of r.addedNodes) {
        if (node.nodeType === 3 && target && target.matches(".status")) push("status:" + node.data);
        if (node.nodeType === 3 && target && target.matches(".pending .text")) push("delta");
        if (node.nodeType !== 1) continue;
        const status = node.querySelector(".status");
        if (status) push("status:" + status.textContent);
        if (node.matches(".bot:not(.pending)")) push("final");
      }
    }
  }).observe(root, { subtree: true, childList: true });
}"""


@dataclass
class Live:
    """The running app: its base URL and the service object behind it."""

    url: str
    service: Whosaid


def _clean_settings(data_dir: Path) -> Settings:
    # Session fixtures run before the autouse environment fixture: keep WHOSAID_* out by hand.
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("WHOSAID_"):
                patch.delenv(name)
        # generous limits: the tests ask many questions from one client within a minute
        return Settings(data_dir=data_dir, rate_limit_per_minute=600, rate_limit_burst=200)


def loopback_socket() -> tuple[socket.socket, str]:
    """A socket bound to a free port on 127.0.0.1, and its base URL (known before the app is built)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serving(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Run ``app`` with uvicorn in a thread on ``sock`` until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The real app (create_app) served by uvicorn in a thread over the ingested seeds."""
    settings = _clean_settings(tmp_path_factory.mktemp("browser-data"))
    service = Whosaid(settings)
    report = service.ingest([SEEDS, WIDGET_FIXTURES])
    assert report.failed == 0, report.failures
    sock, url = loopback_socket()
    with serving(create_app(settings, service=service), sock):
        yield Live(url=url, service=service)


@dataclass
class Site:
    """Another origin on 127.0.0.1 that serves the HTML pages put in ``pages`` (path -> HTML)."""

    url: str
    pages: dict[str, str]


@pytest.fixture
def other_site() -> Iterator[Site]:
    """A second web server (another port, so another origin) for embedding the widget cross-origin."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(url=f"http://127.0.0.1:{server.server_port}", pages=pages)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A browser tab on the live app, with helpers to drive the widget."""

    page: Page
    live: Live
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def css(self, selector: str) -> Locator:
        """A locator inside the widget (Playwright's CSS engine pierces the open shadow root)."""
        return self.page.locator(f"whosaid-widget {selector}")

    def goto(self, path: str = "/") -> None:
        """Open a page of the live app and wait for the widget to mount."""
        self.page.goto(self.live.url + path)
        expect(self.css(".launcher")).to_be_visible()

    def open(self) -> None:
        """Open the chat panel with the launcher."""
        self.css(".launcher").click()
        expect(self.css(".panel")).to_be_visible()

    def record(self) -> None:
        """Start recording what the widget shows (see ``events``)."""
        self.page.evaluate(RECORDER)

    def events(self) -> list[str]:
        """Status lines, streamed pieces and final answers, in the order they appeared."""
        return list(self.page.evaluate("window.__whosaidEvents"))

    def ask(self, text: str, *, mode: str = "ask") -> Locator:
        """Type a question, press Enter and wait for the answer; returns the answer's element."""
        if mode == "check":
            self.css(".modes button:has-text('Fact-check')").click()
        done = self.css(".msg.bot:not(.pending)")
        before = done.count()
        self.css("textarea").fill(text)
        self.css("textarea").press("Enter")
        expect(done).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
        return done.nth(before)

    def stored(self) -> dict[str, Any]:
        """The widget's sessionStorage record (session id, transcript)."""
        raw = self.page.evaluate(
            "Object.keys(sessionStorage).filter(k => k.startsWith('whosaid:')).map(k => sessionStorage.getItem(k))"
        )
        assert len(raw) == 1, raw
        return dict(json.loads(raw[0]))

    def active_elements(self) -> list[int]:
        """How many img/script/iframe/object elements the widget and the page hold: [0, 0] after hostile text."""
        counts = self.page.evaluate(
            "() => { const r = document.querySelector('whosaid-widget').shadowRoot;"
            " return [r.querySelectorAll('img, script, iframe, object').length, document.images.length]; }"
        )
        return [int(n) for n in counts]

    def shot(self, name: str) -> Path:
        """Save a screenshot as a test artefact and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path


def open_tab(browser: Browser, live: Live, **context: Any) -> Iterator[Tab]:
    """A fresh context (own sessionStorage) and page; fails the test on any dialog or script error."""
    ctx = browser.new_context(**{"viewport": {"width": 1100, "height": 800}, "color_scheme": "light", **context})
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    tab = Tab(page, live)
    page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    ctx.close()
    assert tab.errors == [], f"script errors on the page: {tab.errors}"


@pytest.fixture
def tab(browser: Browser, live: Live) -> Iterator[Tab]:
    """A fresh tab at desktop size in the light colour scheme."""
    yield from open_tab(browser, live)
