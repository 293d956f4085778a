"""How long to wait before trying the control plane again: capped exponential backoff with full
jitter, the server's Retry-After, and the ±10% jitter on regular intervals."""

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# A Retry-After beyond this is more likely a misconfigured proxy than a plan; waiting longer
# would leave the node looking dead to the control plane's health sweep.
RETRY_AFTER_CAP_SECONDS = 900.0


class Backoff:
    """Full jitter (a uniform draw in [0, min(cap, base·2ⁿ)]): a fleet of agents that lost the
    control plane together does not come back together."""

    def __init__(self, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None):
        self._base = base
        self._cap = cap
        self._rng = rng or random.Random()
        self._failures = 0

    @property
    def failures(self) -> int:
        """Consecutive failures since the last success."""
        return self._failures

    def ceiling(self) -> float:
        """The upper bound of the next delay."""
        return min(self._cap, self._base * 2.0 ** min(self._failures, 62))

    def next_delay(self) -> float:
        delay = self._rng.uniform(0.0, self.ceiling())
        self._failures += 1
        return delay

    def reset(self) -> None:
        self._failures = 0


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_SECONDS)


def jittered(interval: float, rng: random.Random, spread: float = 0.1) -> float:
    """`interval` ± `spread`, so heartbeats of agents started together drift apart."""
    return interval * rng.uniform(1.0 - spread, 1.0 + spread)
