"""Starts the periodic jobs on apscheduler; each run first checks this replica leads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from controlplane.config import Config
from controlplane.db import packing
from controlplane.db.database import unreachable
from controlplane.jobs import health_sweep
from controlplane.jobs.leader import Leadership
from controlplane.metrics import Metrics
from controlplane.services.alerts.alerting import Alerts
from controlplane.services.apps import instances, subscriptions
from controlplane.services.apps.billing_stats import billing_stats
from controlplane.services.apps.reconcile import Reconciler
from controlplane.services.audit import trail
from controlplane.services.clock import Clock
from controlplane.services.events import retention
from controlplane.services.fleet import node_metrics, workers
from controlplane.services.fleet.hearing import Hearing
from controlplane.services.snapshots.library import Snapshots
from shared.durations import CalendarDuration
from shared.money import MINOR_UNITS

log = logging.getLogger("minispod.jobs")

# How long stop() lets runs in flight finish before it cancels them: long enough
# for a sweep or a retention pass to commit, short enough for a rolling restart.
STOP_WAIT = 5.0
# The state gauges are refreshed about as often as Prometheus scrapes (15 s by
# default): three grouped counts, cheap at any fleet size.
STATE_GAUGES_EVERY = 15.0
# Money moves with subscriptions and charges, a few times a day for most customers: a
# minute behind is fresh enough, and it is the billing figures' two aggregate queries.
BILLING_GAUGES_EVERY = 60.0


class Jobs:
    def __init__(
        self,
        config: Config,
        clock: Clock,
        reconciler: Reconciler,
        metrics: Metrics,
        hearing: Hearing,
        snapshots: Snapshots,
        alerts: Alerts,
        stop_wait: float = STOP_WAIT,
    ) -> None:
        self._config = config
        self._alerts = alerts
        self._clock = clock
        self._reconciler = reconciler
        self._metrics = metrics
        self._hearing = hearing
        self._stop_wait = stop_wait
        self._grace = timedelta(seconds=config.node_grace_period)
        # Checking several times per grace period bounds detection at grace + grace/4.
        self.sweep_every = timedelta(seconds=max(0.2, min(config.node_grace_period / 4, 5.0)))
        self._last_sweep: datetime | None = None
        self.leadership = Leadership(config.database_url, clock)
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        # The tasks running a job now, so stop() can let them finish (or end them quietly).
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False
        # What the schedule runs: each a no-op on a replica that does not lead.
        self.health_sweep = self._guarded("health-sweep", self._sweep)
        self.retention = self._guarded(
            "metric-retention",
            lambda: node_metrics.apply_retention(
                self._clock(),
                timedelta(seconds=config.metrics_raw_retention),
                timedelta(seconds=config.metrics_rollup_retention),
            ),
        )
        self.compaction = self._guarded(
            "metric-compaction",
            lambda: packing.compact(int(self._clock().timestamp() * 1000)),
        )
        self.reconcile = self._guarded("reconcile", self._reconciler.run)
        self.state_gauges = self._guarded("state-gauges", self._refresh_state_gauges)
        self.billing_gauges = self._guarded("billing-gauges", self._refresh_billing_gauges)
        self.snapshot = self._guarded("cluster-snapshot", lambda: snapshots.take(None))
        self.snapshot_housekeeping = self._guarded("snapshot-housekeeping", snapshots.housekeeping)
        self.alert_pass = self._guarded("alerts", alerts.evaluate)
        audit_keep = CalendarDuration.parse(config.audit_retention).exact
        self.audit_retention = self._guarded(
            "audit-retention", lambda: trail.prune(self._clock(), audit_keep)
        )
        outbox_keep = CalendarDuration.parse(config.outbox_retention).exact
        self.outbox_retention = self._guarded(
            "outbox-retention", lambda: retention.prune(self._clock(), outbox_keep)
        )

    async def _refresh_state_gauges(self) -> None:
        m = self._metrics
        m.set_states(m.nodes, await workers.counts_by_status())
        m.set_states(m.instances, await instances.counts_by_status())
        m.set_states(m.subscriptions, await subscriptions.counts_by_status())

    async def _refresh_billing_gauges(self) -> None:
        """The administrators' billing figures (GET /billing/stats), as gauges in major units."""
        c = self._config
        figures = await billing_stats(
            c.currency,
            CalendarDuration.parse(c.billing_period),
            CalendarDuration.parse(c.billing_retention),
            self._clock(),
            # The gauge is this month's revenue: summing the eleven closed months' postings
            # too, every minute, would only be thrown away.
            revenue_months=1,
        )
        unit = 10 ** MINOR_UNITS[c.currency]
        m = self._metrics
        this_month = figures.revenue_by_month[-1].amount if figures.revenue_by_month else 0
        for gauge, amount in (
            (m.billing_mrr, figures.mrr),
            (m.billing_revenue_month, this_month),
            (m.billing_past_due, figures.past_due.amount),
        ):
            gauge.labels(c.currency).set(amount / unit)

    async def _sweep(self) -> int:
        """The health sweep, once this replica has listened to the fleet for a grace period.

        After an outage of the control plane or of its database, on a new leader
        or after a stall of this process, every node's last heartbeat is old
        although the agents are alive and beat within an interval; judged at
        once, the whole fleet would flap to INACTIVE. So a node counts as seen
        when listening began again (services/fleet/hearing.py), and no node is
        declared dead before a grace period of listening.
        """
        now = self._clock()
        since = self.leadership.leading_since
        if since is None:
            return 0
        self._notice_drift(now)
        if now - max(since, self._hearing.since) < self._grace:
            return 0
        try:
            return await health_sweep.sweep(now, self._grace)
        except Exception as exc:
            if unreachable(exc):
                self._hearing.deaf("the health sweep could not reach the database", now)
            raise

    def _notice_drift(self, now: datetime) -> None:
        """A sweep that wakes much later than its schedule means this process stood
        still (stopped, starved, a clock jump): heartbeats queued meanwhile are not
        stored yet, so the gap is judged as time we could not listen."""
        last, self._last_sweep = self._last_sweep, now
        if last is None:
            return
        late = now - last - self.sweep_every
        if late > max(self.sweep_every, timedelta(seconds=1)):
            self._hearing.deaf(
                f"the health sweep ran {late.total_seconds():.1f} s late (a stall)", now
            )

    def _guarded(
        self, name: str, job: Callable[[], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                leading = await self.leadership.is_leader()
                self._metrics.set_leading(leading)
                if not leading:
                    return
                result = await job()
                self._alerts.jobs.succeeded(name)
                if result:
                    log.info("job %s: %s", name, result)
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                # Shutting down is not a failure: the transaction rolled back and
                # the next leader's run does the work.
                log.info("job %s interrupted by shutdown", name)
            except Exception as exc:
                # One failed run must not stop the schedule; the next run retries. Runs
                # failing in a row become an operator alert.
                log.exception("job %s failed", name)
                self._alerts.jobs.failed(name, f"{type(exc).__name__}: {exc}", self._clock())
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    def start(self) -> None:
        c = self._config
        schedule: list[tuple[str, Callable[[], Awaitable[None]], float]] = [
            ("health-sweep", self.health_sweep, self.sweep_every.total_seconds()),
            ("metric-retention", self.retention, c.retention_interval),
            ("metric-compaction", self.compaction, c.metrics_compact_interval),
            ("reconcile", self.reconcile, c.reconcile_interval),
            ("state-gauges", self.state_gauges, STATE_GAUGES_EVERY),
            ("billing-gauges", self.billing_gauges, BILLING_GAUGES_EVERY),
            ("snapshot-housekeeping", self.snapshot_housekeeping, c.snapshot_sweep_interval),
            ("alerts", self.alert_pass, c.alert_interval),
            ("audit-retention", self.audit_retention, c.retention_interval),
            ("outbox-retention", self.outbox_retention, c.retention_interval),
        ]
        if c.snapshot_interval > 0:
            schedule.append(("cluster-snapshot", self.snapshot, c.snapshot_interval))
        for name, run, seconds in schedule:
            # `name` is what apscheduler's own log lines (skipped runs, errors) show.
            self._scheduler.add_job(
                run,
                "interval",
                seconds=seconds,
                id=name,
                name=name,
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.start()

    async def stop(self) -> None:
        """Lets runs in flight finish for up to `stop_wait` seconds, then cancels them.

        apscheduler's own shutdown cancels coroutine jobs and logs each as an
        ERROR with a traceback; a run ended here returns quietly instead.
        """
        self._stopping = True
        if self._scheduler.running:
            self._scheduler.pause()  # no new runs while the current ones end
        running = set(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=self._stop_wait)
            if late:
                log.info("stopping: cancelling %d job run(s) still in flight", len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late, timeout=self._stop_wait)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await self.leadership.release()
        self._metrics.set_leading(False)
