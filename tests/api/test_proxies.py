"""``whosaid serve`` facing clients: ``X-Forwarded-For`` is believed only from configured proxies, and
idle connections are closed (uvicorn offers no header timeout: a proxy in front provides one)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.config import load_settings
from bot.errors import ConfigurationError

from .serving import serving

pytestmark = pytest.mark.server

LIMITS = {"WHOSAID_RATE_LIMIT_BURST": "1", "WHOSAID_RATE_LIMIT_PER_MINUTE": "1"}


def statuses(url: str, count: int) -> list[int]:
    """``count`` searches of the claims (limited like questions), each claiming another client address."""
    with httpx.Client(base_url=url, timeout=30) as http:
        return [
            http.get("v1/claims", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(count)
        ]


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(tmp_path: Path) -> None:
    # Uvicorn's default trusts the header from 127.0.0.1: 14 invented addresses were 14 buckets.
    with serving(tmp_path / "data", **LIMITS) as url:
        assert statuses(url, 14) == [200] + [429] * 13


def test_a_configured_proxy_names_the_client(tmp_path: Path) -> None:
    with serving(tmp_path / "data", WHOSAID_TRUSTED_PROXIES="127.0.0.1, ::1", **LIMITS) as url:
        assert statuses(url, 3) == [200, 200, 200]  # three clients behind the proxy, one bucket each
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("v1/claims", headers={"X-Forwarded-For": "198.51.100.0"}).status_code == 429


def test_a_bad_proxy_address_is_one_sentence() -> None:
    with pytest.raises(ConfigurationError, match=r"^WHOSAID_TRUSTED_PROXIES='10.0.0.1,proxy.local' is not valid"):
        load_settings(trusted_proxies="10.0.0.1,proxy.local")


def test_an_idle_kept_alive_connection_is_closed(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as client:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            response = b""
            while not response.endswith(b'{"status":"ok"}'):
                response += client.recv(65536)
            assert response.startswith(b"HTTP/1.1 200")
            idle_since = time.monotonic()
            assert client.recv(65536) == b""  # the server hung up
            assert 4 <= time.monotonic() - idle_since <= 15  # after timeout_keep_alive (5 s)
