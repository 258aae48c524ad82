"""A thread-safe token bucket per (key, client address).

Each bucket holds up to ``burst`` tokens and refills at ``per_minute / 60`` tokens a second;
a request takes one token or is told how many seconds to wait for the next.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Above this many buckets, full (idle) ones are dropped: memory stays bounded under many clients.
MAX_BUCKETS = 10_000


class TokenBucketLimiter:
    """Allows ``burst`` requests at once and ``per_minute`` a minute after that, per name."""

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
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._prune(now)
            return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {n: (t, last) for n, (t, last) in self._buckets.items() if now - last < full_after}


def retry_after(seconds: float) -> int:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(seconds))
