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

    def take(self, client: str, per_minute: float | None = None) -> float | None:
        """Spend one token; None when allowed, else seconds until the next token.
        `per_minute`: this client's own rate (and burst), instead of the limiter's."""
        rate = self._rate if per_minute is None else per_minute / 60.0
        burst = self._burst if per_minute is None else max(1.0, float(per_minute))
        if rate <= 0:
            return None
        now = self._now()
        tokens, stamp = self._buckets.get(client, (burst, now))
        tokens = min(burst, tokens + (now - stamp) * rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > self.MAX_TRACKED:
            self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        # Buckets of clients with rates of their own (API keys) refill within a minute.
        refill = self._burst / self._rate if self._rate > 0 else 60.0
        self._buckets = {k: (t, s) for k, (t, s) in self._buckets.items() if now - s < refill}
