"""Runs the outbox's deliverers on every replica: at once after a commit, else every poll.

Not an apscheduler job of `jobs/runner.Jobs`: those run on the jobs leader only,
while delivery spreads over every replica (the claims keep them apart), and a
mail should leave when its event commits rather than at the next tick. Like the
telemetry ingest, it is one task the app factory starts and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from controlplane.db.database import unreachable
from controlplane.services.events.delivery import Deliverer
from controlplane.services.events.outbox import Outbox

log = logging.getLogger("minispod.events")


class DeliveryLoop:
    def __init__(self, outbox: Outbox, deliverers: Sequence[Deliverer], poll_every: float) -> None:
        self._outbox = outbox
        self._deliverers = deliverers
        self._poll_every = poll_every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def drain(self) -> int:
        """Delivers until nothing is due; returns how many deliveries it handled."""
        handled = 0
        for deliverer in self._deliverers:
            while True:
                outcome = await deliverer.run_once()
                handled += outcome.handled
                if outcome.handled < deliverer.batch:
                    break
        return handled

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception as exc:
                # A claim that rolled back leaves its rows due: the next pass takes them.
                if unreachable(exc):
                    log.warning("outbox delivery cannot reach the database: %s", exc)
                else:
                    log.exception("outbox delivery pass failed")
            await self._outbox.news(self._poll_every)
