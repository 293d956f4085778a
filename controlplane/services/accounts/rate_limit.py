"""The general per-client request limit: a token bucket per client address.

Kept in memory: it protects one replica from a flood, so its counts need not be
shared (login throttling, which must hold across replicas, lives in the database).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    # Beyond this many tracked clients, full buckets are forgotten so memory stays bounded.
    MAX_TRACKED = 100_000

    def __init__(
        self, per_minute: int, burst: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._now = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    def wait(self, client: str) -> float | None:
        """Like take() without spending: None while a token is left."""
        tokens, stamp = self._buckets.get(client, (self._burst, self._now()))
        tokens = min(self._burst, tokens + (self._now() - stamp) * self._rate)
        return None if tokens >= 1.0 else (1.0 - tokens) / self._rate

    def take(self, client: str) -> float | None:
        """Spend one token; None when allowed, else seconds until the next token."""
        now = self._now()
        tokens, stamp = self._buckets.get(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - stamp) * self._rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self._rate
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > self.MAX_TRACKED:
            self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        refill = self._burst / self._rate
        self._buckets = {k: (t, s) for k, (t, s) in self._buckets.items() if now - s < refill}
