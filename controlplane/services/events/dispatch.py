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
from typing import Protocol

from controlplane.db.database import unreachable
from controlplane.services.events.delivery import Deliverer
from controlplane.services.events.outbox import Outbox

log = logging.getLogger("minispod.events")


class Closable(Protocol):
    async def close(self) -> None: ...


class DeliveryLoop:
    def __init__(
        self,
        outbox: Outbox,
        deliverers: Sequence[Deliverer],
        poll_every: float,
        closing: Sequence[Closable] = (),
    ) -> None:
        """`closing`: what the senders hold open (the webhooks' HTTP client), closed on stop."""
        self._outbox = outbox
        self._deliverers = deliverers
        self._poll_every = poll_every
        self._closing = closing
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for resource in self._closing:
            await resource.close()

    async def drain(self) -> int:
        """Delivers until nothing is due; returns how many deliveries it handled. Passes
        repeat while one handled anything: a delivery may cause an event for another
        channel (a webhook disabled is mailed to its owner)."""
        handled = 0
        while True:
            passed = 0
            for deliverer in self._deliverers:
                while True:
                    outcome = await deliverer.run_once()
                    passed += outcome.handled
                    if outcome.handled < deliverer.batch:
                        break
            handled += passed
            if passed == 0:
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
