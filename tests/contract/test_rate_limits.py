"""One contract for every rate-limit store: in memory, and in the database (SQLite, PostgreSQL).

The database's buckets are shared: two limiters over one database, as two workers would
hold, grant the burst once between them, not once each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.api.ratelimit import RateLimiter, TokenBucketLimiter
from bot.index.database import open_engine
from bot.index.quotas import DatabaseTokenBuckets, buckets

MakeLimiter = Callable[..., RateLimiter]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.server)])
def make_limiter(request: pytest.FixtureRequest, tmp_path: Path) -> MakeLimiter:
    """``make_limiter(per_minute=, burst=, clock=)`` over the store under test."""
    if request.param == "memory":
        return TokenBucketLimiter
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'records.sqlite3'}"
    else:
        url = str(request.getfixturevalue("fresh_postgres_url"))
    engine = open_engine(url)
    return lambda **kwargs: DatabaseTokenBuckets(lambda: engine, **kwargs)


def test_a_bucket_allows_the_burst_then_refills_at_the_rate(make_limiter: MakeLimiter) -> None:
    clock = Clock()
    limiter = make_limiter(per_minute=6, burst=3, clock=clock)  # one token every 10 s
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(10.0)
    assert limiter.acquire("b") == 0.0  # buckets are separate
    clock.now += 5
    assert limiter.acquire("a") == pytest.approx(5.0)
    clock.now += 5
    assert limiter.acquire("a") == 0.0
    clock.now += 3600  # refills up to the burst, no further
    assert [limiter.acquire("a") for _ in range(4)][-1] > 0


def test_a_bucket_is_exact_under_concurrent_threads(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(per_minute=1, burst=30, clock=Clock())
    granted: list[bool] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            allowed = limiter.acquire("shared") == 0.0
            with lock:
                granted.append(allowed)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 30 and len(granted) == 60


def test_two_limiters_on_one_database_share_their_buckets(database_url: str) -> None:
    clock = Clock()
    one, two = (
        DatabaseTokenBuckets(lambda: open_engine(database_url), per_minute=6, burst=3, clock=clock) for _ in range(2)
    )
    taken = [limiter.acquire("key|client") for limiter in (one, two, one, two)]
    assert taken[:3] == [0.0, 0.0, 0.0] and taken[3] == pytest.approx(10.0)
    clock.now += 10
    assert two.acquire("key|client") == 0.0 and one.acquire("key|client") > 0


def test_buckets_of_idle_clients_are_deleted(tmp_path: Path) -> None:
    clock = Clock()
    engine = open_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    limiter = DatabaseTokenBuckets(lambda: engine, per_minute=60, burst=5, clock=clock, prune_every=4)
    for name in ("a", "b", "c"):
        limiter.acquire(name)
    clock.now += 10  # 5 tokens at one a second: full again, so nothing is lost by forgetting them
    limiter.acquire("d")  # the fourth request prunes
    with engine.connect() as conn:
        assert list(conn.scalars(select(buckets.c.name))) == ["d"]
