"""Starts the periodic jobs on apscheduler; each run first checks this replica leads."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from controlplane.config import Config
from controlplane.jobs import health_sweep
from controlplane.jobs.leader import Leadership
from controlplane.services import node_metrics
from controlplane.services.clock import Clock
from controlplane.services.reconcile import Reconciler

log = logging.getLogger("minispod.jobs")


class Jobs:
    def __init__(self, config: Config, clock: Clock, reconciler: Reconciler) -> None:
        self._config = config
        self._clock = clock
        self._reconciler = reconciler
        self.leadership = Leadership(config.database_url)
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        grace = timedelta(seconds=config.node_grace_period)
        # What the schedule runs: each a no-op on a replica that does not lead.
        self.health_sweep = self._guarded(
            "health-sweep", lambda: health_sweep.sweep(self._clock(), grace)
        )
        self.retention = self._guarded(
            "metric-retention",
            lambda: node_metrics.apply_retention(
                self._clock(),
                timedelta(seconds=config.metrics_raw_retention),
                timedelta(seconds=config.metrics_rollup_retention),
            ),
        )

    def _guarded(
        self, name: str, job: Callable[[], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if not await self.leadership.is_leader():
                return
            try:
                result = await job()
                if result:
                    log.info("job %s: %s", name, result)
            except Exception:
                # One failed run must not stop the schedule; the next run retries.
                log.exception("job %s failed", name)

        return run

    def start(self) -> None:
        c = self._config
        # Checking several times per grace period bounds detection at grace + grace/4.
        sweep_every = max(0.2, min(c.node_grace_period / 4, 5.0))
        self._scheduler.add_job(
            self.health_sweep,
            "interval",
            seconds=sweep_every,
            id="health-sweep",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.add_job(
            self.retention,
            "interval",
            seconds=c.retention_interval,
            id="metric-retention",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.add_job(
            self._guarded("reconcile", self._reconciler.run),
            "interval",
            seconds=c.reconcile_interval,
            id="reconcile",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.start()

    async def stop(self) -> None:
        self._scheduler.shutdown(wait=False)
        await self.leadership.release()
