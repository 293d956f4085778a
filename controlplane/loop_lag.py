"""How late the event loop runs what is due: the wait every request shares.

One process serves heartbeats and dashboards on one loop, so anything that holds
the loop (a page being encoded, a slow callback, the interpreter paused) delays
every reply that is ready meanwhile: the database may answer in 50 us and the
heartbeat still wait for the loop. A timer that should fire every `interval`
observes how late it ran; the histogram tells a stall of our own process from a
slow database, which the request and commit timers cannot (both span the two).
"""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import Histogram

# 40 samples a second: enough for a p99 over a minute, ~1 ms of CPU a second.
INTERVAL = 0.025


class LoopLag:
    def __init__(self, histogram: Histogram, interval: float = INTERVAL) -> None:
        self._histogram = histogram
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self._interval
            await asyncio.sleep(self._interval)
            # A timer may fire up to the clock's resolution early: that is no lag.
            self._histogram.observe(max(0.0, loop.time() - due))
