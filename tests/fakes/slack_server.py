"""A local fake Slack Web API (and Socket Mode endpoint) on 127.0.0.1, recording every call.

Point a real ``WebClient`` at it (``WebClient(token, base_url=fake.base_url)``, or
``Settings(slack_api_url=fake.base_url)``). Every ``POST /api/METHOD`` is recorded with its
parameters (JSON or form body, and the query string) and answered like Slack would:
``{"ok": true, ...}`` with plausible fields (``chat.postMessage`` returns a fresh ``ts``,
``auth.test`` names the fictional bot). ``fail(method, error)`` makes a method answer
``{"ok": false, "error": error}``; ``hold(method)`` makes its calls wait until the returned
event is set (or the fake stops), to observe what happens before that call completes.
``response_url(name)`` is a URL whose POSTs are recorded as method ``response:NAME``, for
``respond()``. ``FakeSocketMode`` serves the WebSocket that ``apps.connections.open`` names.
"""

from __future__ import annotations

import contextlib
import functools
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TEAM_ID = "T0FICTION"
BOT_USER_ID = "U0WHOSAID"
BOT_ID = "B0WHOSAID"


@dataclass(frozen=True)
class Call:
    """One recorded request: the Web API method (or ``response:NAME``) and its parameters."""

    method: str
    params: dict[str, Any]
    token: str | None = None
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Serves Slack Web API methods over real HTTP and records every call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, str] = {}
        self.socket_url: str | None = None
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._ts = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; use it as a context manager or call start().")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL to give a ``WebClient`` (ends with a slash, as Slack's does)."""
        return f"{self.origin}/api/"

    def response_url(self, name: str) -> str:
        """A response URL whose POSTs are recorded as method ``response:NAME``."""
        return f"{self.origin}/response/{name}"

    def fail(self, method: str, error: str) -> None:
        """Make ``method`` answer ``{"ok": false, "error": error}`` from now on."""
        self.failures[method] = error

    def hold(self, method: str) -> threading.Event:
        """Make calls to ``method`` wait until the returned event is set."""
        event = threading.Event()
        self._holds[method] = event
        return event

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to one method, in order."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self, method: str, count: int = 1, *, timeout: float = 20.0, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        """Poll until ``count`` matching calls were recorded; ``AssertionError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = [call for call in self.calls_to(method) if where is None or where(call)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [call.method for call in self.calls]
                raise AssertionError(f"expected {count} call(s) to {method} within {timeout} s; got {seen}")
            time.sleep(0.01)

    def next_ts(self) -> str:
        """A fresh, increasing message timestamp."""
        with self._lock:
            self._ts += 1
            return f"1767225600.{self._ts:06d}"

    def record(self, call: Call) -> None:
        """Remember one call."""
        with self._lock:
            self.calls.append(call)

    def start(self) -> FakeSlack:
        """Listen on a free port in a background thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        self._server = server
        serve = functools.partial(server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held calls, stop serving and free the port."""
        for event in self._holds.values():
            event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """What Slack would answer (after any configured failure)."""
        if method in self.failures:
            return {"ok": False, "error": self.failures[method]}
        if method == "auth.test":
            return {
                "ok": True, "url": "https://fiction.slack.test/", "team": "Fictional Newsroom", "user": "whosaid",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self.next_ts()
            message = {"type": "message", "text": params.get("text"), "ts": ts, "bot_id": BOT_ID}
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "not_allowed"}
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        return {"ok": True}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        params: dict[str, Any] = dict(parse_qsl(url.query))
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw))
        for name in ("blocks", "attachments"):  # form bodies carry these as JSON strings
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or params.get("token")
        if url.path.startswith("/response/"):
            self.fake.record(Call(f"response:{url.path.removeprefix('/response/')}", params, token))
            self._send(200, "text/plain", b"ok")
            return
        method = url.path.removeprefix("/api/")
        hold = self.fake._holds.get(method)
        if hold is not None:
            hold.wait(timeout=30)
        self.fake.record(Call(method, params, token))
        body = json.dumps(self.fake.answer(method, params)).encode()
        self._send(200, "application/json; charset=utf-8", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeSocketMode:
    """A Socket Mode WebSocket endpoint: says hello, sends envelopes, records the client's acks.

    Give ``fake_slack.socket_url = socket.url`` so ``apps.connections.open`` hands it out.
    """

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ``ws://`` URL (Slack's client speaks plain WebSocket to a port other than 443)."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fictional"

    def send(self, payload: dict[str, Any], *, kind: str = "events_api", envelope_id: str = "env-1") -> None:
        """Queue one envelope for the connected client."""
        self._outbox.put({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": "",
        })

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 20.0) -> dict[str, Any]:
        """Poll until the client acknowledged ``envelope_id``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ack in list(self.acks):
                if ack.get("envelope_id") == envelope_id:
                    return ack
            time.sleep(0.01)
        raise AssertionError(f"no ack for {envelope_id} within {timeout} s; acks: {self.acks}")

    def _serve(self, connection: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        connection.send(json.dumps({
            "type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0FICTION"},
            "debug_info": {"host": "fake-socket", "approximate_connection_time": 3600},
        }))
        self.connected.set()
        try:
            while True:
                with contextlib.suppress(queue.Empty):
                    connection.send(json.dumps(self._outbox.get(timeout=0.02)))
                with contextlib.suppress(TimeoutError):
                    self.acks.append(json.loads(connection.recv(timeout=0.02)))
        except ConnectionClosed:
            return

    def start(self) -> FakeSocketMode:
        """Listen on a free port in a background thread."""
        from websockets.sync.server import serve

        self._server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (closing any connection) and free the port."""
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
