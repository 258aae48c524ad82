"""A local fake OpenAI-compatible server: scripted chat replies over real HTTP on 127.0.0.1.

Use it where the code under test builds a real client (``ChatOpenAI(base_url=fake.base_url)``):

    with FakeOpenAI(["first reply", "second reply"]) as fake:
        model = ChatOpenAI(base_url=fake.base_url, api_key="test", model="fake", max_retries=0)

Each ``POST /v1/chat/completions`` pops the next reply (``stream: true`` gets SSE chunks in
OpenAI's format ending with ``data: [DONE]``); with none left it answers 500 with an OpenAI
error body, so pass ``max_retries=0`` or the client's retries make a failing test slow.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_PIECE = re.compile(r"\S+\s*|\s+")  # stream word by word, keeping the spaces


class FakeOpenAI:
    """Serves scripted replies to chat completion requests and records every request body."""

    def __init__(self, replies: Iterable[str] = ()) -> None:
        self.replies: deque[str] = deque(replies)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client, ending in ``/v1``."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; use it as a context manager or call start().")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def add(self, *replies: str) -> None:
        """Queue more replies."""
        with self._lock:
            self.replies.extend(replies)

    def start(self) -> FakeOpenAI:
        """Listen on a free port in a background thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        # A short poll interval keeps stop() (and so every test using the fake) fast.
        serve = functools.partial(server.serve_forever, poll_interval=0.02)
        self._server = server
        self._thread = threading.Thread(target=serve, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> str | None:
        with self._lock:
            self.requests.append(body)
            return self.replies.popleft() if self.replies else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    server_version = "FakeOpenAI/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """``GET /v1/models`` lists the one fake model."""
        if self.path.rstrip("/") != "/v1/models":
            self._json(404, _error(f"No route GET {self.path}", "not_found"))
            return
        model = {"id": "fake", "object": "model", "created": 0, "owned_by": "whosaid-tests"}
        self._json(200, {"object": "list", "data": [model]})

    def do_POST(self) -> None:
        """``POST /v1/chat/completions`` answers with the next scripted reply."""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, _error(f"No route POST {self.path}", "not_found"))
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        except ValueError:
            self._json(400, _error("Request body is not JSON.", "invalid_request_error"))
            return
        reply = self.fake._next(body)
        if reply is None:
            self._json(500, _error("FakeOpenAI has no scripted reply left.", "server_error"))
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._json(200, _completion(body, reply))

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: dict[str, Any], reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # HTTP/1.0: the body ends when the connection closes
        model = str(body.get("model", "fake"))
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"content": piece} for piece in _PIECE.findall(reply)]
        for delta in deltas:
            self._event(_chunk(model, delta, None))
        self._event(_chunk(model, {}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**_chunk(model, {}, None), "choices": [], "usage": _usage(body, reply)})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


def _completion(body: dict[str, Any], reply: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
        "model": str(body.get("model", "fake")), "system_fingerprint": None,
        "choices": [{
            "index": 0, "message": {"role": "assistant", "content": reply},
            "finish_reason": "stop", "logprobs": None,
        }],
        "usage": _usage(body, reply),
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _usage(body: dict[str, Any], reply: str) -> dict[str, int]:
    # Word counts stand in for tokens: deterministic, and enough for code that sums usage.
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []) if isinstance(m, dict))
    completion = len(reply.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
