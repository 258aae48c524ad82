"""Token buckets per (key, client address): in this process, or in the database workers share.

Each bucket holds up to ``burst`` tokens and refills at ``per_minute / 60`` tokens a second;
a request takes one token or is told how many seconds to wait for the next. One process
keeps its buckets in memory; several workers behind one address keep them in their shared
database (``bot.index.quotas``), or each would grant the whole limit again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from bot.index.quotas import take_token

# Above this many buckets, full (idle) ones are dropped: memory stays bounded under many clients.
MAX_BUCKETS = 10_000


class RateLimiter(Protocol):
    """Takes one token from a named bucket."""

    def acquire(self, name: str) -> float:
        """0.0 when allowed, else the seconds until a token is available."""
        ...


class TokenBucketLimiter:
    """Allows ``burst`` requests at once and ``per_minute`` a minute after that, per name, in memory."""

    def __init__(self, *, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, last refill time)
        self._lock = threading.Lock()

    def acquire(self, name: str) -> float:
        """Take a token: 0.0 when allowed, else the seconds until one is available."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(name, (self.burst, now))
            tokens, wait = take_token(tokens, now - last, rate=self.rate, burst=self.burst)
            self._buckets[name] = (tokens, now)
            if wait and len(self._buckets) > MAX_BUCKETS:
                self._prune(now)
            return wait

    def _prune(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {n: (t, last) for n, (t, last) in self._buckets.items() if now - last < full_after}


def retry_after(seconds: float) -> int:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(seconds))
