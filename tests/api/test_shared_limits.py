"""Two ``whosaid serve`` workers on one database share their rate limits (unless told not to)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest

from .serving import serving

pytestmark = pytest.mark.server


def alternating(tmp_path: Path, requests: int, **env: str) -> list[int]:
    """Statuses of ``requests`` claim searches sent in turn to two workers on one database."""
    shared = {
        "WHOSAID_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "WHOSAID_RATE_LIMIT_BURST": "3", "WHOSAID_RATE_LIMIT_PER_MINUTE": "1", **env,
    }
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(serving(tmp_path / f"worker-{n}", **shared)) for n in (1, 2)]
        clients = [stack.enter_context(httpx.Client(base_url=url, timeout=30)) for url in urls]
        return [clients[n % 2].get("v1/claims").status_code for n in range(requests)]


def test_the_limit_holds_across_two_workers(tmp_path: Path) -> None:
    # WHOSAID_DATABASE_URL is set, so the buckets live in that database (the default "auto").
    assert alternating(tmp_path, 8) == [200, 200, 200] + [429] * 5


def test_memory_buckets_are_per_worker(tmp_path: Path) -> None:
    # What every deployment had before: each worker grants the whole burst again.
    assert alternating(tmp_path, 8, WHOSAID_RATE_LIMIT_STORE="memory") == [200] * 6 + [429] * 2
