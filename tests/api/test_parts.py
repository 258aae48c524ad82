"""The API's small parts on their own: Retry-After, sentence pieces, key checks, hosts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.api.ratelimit import retry_after
from bot.api.security import KeyRejected, KeyRing, is_loopback
from bot.api.server import server_url
from bot.api.streaming import sentence_pieces, sse
from bot.config import Settings


def test_retry_after_is_whole_seconds() -> None:
    assert retry_after(0.2) == 1 and retry_after(9.01) == 10


@given(st.text(alphabet=st.sampled_from(list("ab .!?…”’\"[]12\n ")), max_size=80))
def test_sentence_pieces_always_concatenate_to_the_text(text: str) -> None:
    pieces = sentence_pieces(text)
    assert "".join(pieces) == text
    assert all(pieces)


def test_sentence_pieces_keep_markers_with_their_sentence() -> None:
    text = "Brandt said “the bridge closes.” [1]. Reyes disputed it [2]. Who is right? Nobody knows… [1][2]"
    assert sentence_pieces(text) == [
        "Brandt said “the bridge closes.” [1]. ", "Reyes disputed it [2]. ", "Who is right? ", "Nobody knows… [1][2]",
    ]


def test_an_event_is_one_data_line() -> None:
    assert sse("delta", {"text": "a\nb"}) == 'event: delta\ndata: {"text": "a\\nb"}\n\n'


def test_key_ring() -> None:
    ring = KeyRing(Settings(admin_keys=["sk-a"], widget_keys={"pk-w": ["https://Site.example/"]}))
    assert ring.identify("sk-a", None, admin=True).role == "admin"
    widget = ring.identify("pk-w", "https://site.example", admin=False)
    assert widget.role == "widget" and widget.key_id.startswith("k") and "pk-w" not in widget.key_id
    with pytest.raises(KeyRejected) as refused:
        ring.identify("pk-w", "https://site.example", admin=True)
    assert refused.value.status == 403
    assert ring.origins == ["https://site.example"]
    assert KeyRing(Settings()).identify(None, None).role == "open"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("192.168.1.4", False), ("::", False), ("example.test", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_server_urls() -> None:
    assert server_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert server_url("::1", 8000) == "http://[::1]:8000/"
