import asyncio
import time

from controlplane.loop_lag import LoopLag
from controlplane.metrics import Metrics


def _sample(metrics: Metrics, name: str, le: str | None = None) -> float:
    labels = {} if le is None else {"le": le}
    value = metrics.registry.get_sample_value(f"minispod_event_loop_lag_seconds_{name}", labels)
    return value or 0.0


async def _until_observed(metrics: Metrics, at_least: float) -> None:
    deadline = time.monotonic() + 5
    while _sample(metrics, "count") < at_least:
        assert time.monotonic() < deadline, "the loop lag timer never fired"
        await asyncio.sleep(0.005)


async def test_a_stall_of_the_loop_is_observed_as_lag_of_its_length():
    metrics = Metrics()
    lag = LoopLag(metrics.loop_lag, interval=0.01)
    lag.start()
    try:
        await _until_observed(metrics, 3)
        before_sum, before_count = _sample(metrics, "sum"), _sample(metrics, "count")
        late_before = before_count - _sample(metrics, "bucket", "0.1")

        time.sleep(0.2)  # noqa: ASYNC251 (on purpose: holds the loop, as a slow callback would)
        await _until_observed(metrics, before_count + 1)

        late = _sample(metrics, "count") - _sample(metrics, "bucket", "0.1")
        assert late - late_before >= 1  # the stall landed above 100 ms, not spread thin
        assert _sample(metrics, "sum") - before_sum >= 0.15
    finally:
        await lag.stop()


async def test_stopping_ends_the_timer_and_observes_no_more():
    metrics = Metrics()
    lag = LoopLag(metrics.loop_lag, interval=0.005)
    lag.start()
    await _until_observed(metrics, 2)
    await lag.stop()
    count = _sample(metrics, "count")
    await asyncio.sleep(0.05)
    assert _sample(metrics, "count") == count
