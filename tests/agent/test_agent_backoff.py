"""Backoff: full jitter under a doubling ceiling, capped; Retry-After honoured; interval jitter."""

import random
from datetime import UTC, datetime

from agent.backoff import Backoff, jittered, retry_after_seconds


def test_delays_stay_under_a_doubling_ceiling_up_to_the_cap():
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(7))
    ceilings, delays = [], []
    for _ in range(12):
        ceilings.append(backoff.ceiling())
        delays.append(backoff.next_delay())

    assert ceilings == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert backoff.failures == 12


def test_full_jitter_spreads_a_fleet_over_the_whole_window():
    rng = random.Random(1)
    delays = []
    for _ in range(500):
        backoff = Backoff(base=1.0, cap=60.0, rng=rng)
        for _ in range(6):
            backoff.next_delay()
        delays.append(backoff.next_delay())

    assert min(delays) < 6
    assert max(delays) > 54


def test_success_starts_over_from_the_base():
    backoff = Backoff(base=1.0, cap=60.0)
    for _ in range(10):
        backoff.next_delay()

    backoff.reset()

    assert backoff.failures == 0
    assert backoff.ceiling() == 1.0


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:45 GMT", now) == 45.0
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("86400") == 900.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_intervals_are_jittered_by_ten_percent():
    rng = random.Random(3)
    values = [jittered(10.0, rng) for _ in range(1000)]

    assert all(9.0 <= v <= 11.0 for v in values)
    assert max(values) - min(values) > 1.5
