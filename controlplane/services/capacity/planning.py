"""Capacity planning: per resource, what MinisPod's instances reserved against what the
fleet's nodes offered, over time, and when the reservations reach today's capacity if
they keep growing as they have (a least-squares line through the history).

The reservation history is the metering's (`apps.metering`: every placed instance's
requests, to the second, per hour); the capacity history is each current node's from
its registration (`fleet.workers.capacity_timeline`); today's figures are the fleet's
own (`fleet.workers.stats`, which also counts what every workload's pods request). Beside
the reserved pods, each bucket shows the pods the last snapshot of our own cluster in it
counted (`snapshots.library.counted`): every workload the cluster ran, MinisPod's or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from controlplane.services.apps import metering
from controlplane.services.fleet import workers
from controlplane.services.snapshots import library
from shared.wire.capacity import CapacityPoint, CapacityQuery, CapacityReport, ResourcePlan
from shared.wire.workers import WorkerStats

DAY_SECONDS = 86_400.0
UNITS = {"cpu": "cores", "memory": "MiB", "storage": "MiB", "pods": "pods"}


def growth(points: Sequence[tuple[float, float]]) -> float:
    """The least-squares slope of (seconds, value) points, per day; 0 for fewer than two
    distinct moments."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return slope * DAY_SECONDS


def full_at(now: datetime, requested: float, capacity: float, per_day: float) -> datetime | None:
    """When `requested` reaches `capacity` at `per_day`; now if it already has; None when
    it does not grow."""
    if requested >= capacity > 0:
        return now
    if per_day <= 0 or capacity <= 0:
        return None
    days = (capacity - requested) / per_day
    # Beyond a century a date means nothing (and overflows datetime): it does not fill.
    return now + timedelta(days=days) if days < 36_500 else None


async def plan(now: datetime, query: CapacityQuery, fleet: WorkerStats) -> CapacityReport:
    start = now - timedelta(days=query.days)
    reserved = await metering.fleet_reserved(start, now, query.step)
    nodes = await workers.capacity_timeline()
    seen = await library.counted("pods", start, now + _width(query))
    picks: dict[str, Callable[[metering.Reserved], float]] = {
        "cpu": lambda r: r.cores,
        "memory": lambda r: r.memory,
        "storage": lambda r: r.storage,
        "pods": lambda r: float(r.instances),
    }
    offers: dict[str, Callable[[workers.NodeCapacity], float]] = {
        "cpu": lambda n: n.cpu,
        "memory": lambda n: float(n.memory),
        "storage": lambda n: float(n.storage),
        "pods": lambda n: float(n.pods),
    }
    today = {"cpu": fleet.cpu, "memory": fleet.memory, "storage": fleet.storage, "pods": fleet.pods}
    plans = []
    for resource, pick in picks.items():
        offer = offers[resource]
        series = [
            CapacityPoint(
                start=r.start,
                requested=round(pick(r), 6),
                capacity=sum(offer(n) for n in nodes if n.since <= r.start + _width(query)),
                observed=_last_seen(seen, r.start, r.start + _width(query))
                if resource == "pods"
                else None,
            )
            for r in reserved
        ]
        per_day = growth([((p.start - start).total_seconds(), p.requested) for p in series])
        capacity_now = sum(offer(n) for n in nodes)
        requested_now = series[-1].requested if series else 0.0
        plans.append(
            ResourcePlan(
                resource=resource,  # type: ignore[arg-type]
                unit=UNITS[resource],
                capacity=capacity_now,
                requested=requested_now,
                allocated=today[resource].allocated,
                growth_per_day=round(per_day, 6),
                projected_full_at=full_at(now, requested_now, capacity_now, per_day),
                series=series,
            )
        )
    return CapacityReport(as_of=now, start=start, step=query.step, resources=plans)


def _last_seen(
    seen: Sequence[tuple[datetime, int]], start: datetime, end: datetime
) -> float | None:
    counts = [n for at, n in seen if start <= at < end]
    return float(counts[-1]) if counts else None


def _width(query: CapacityQuery) -> timedelta:
    return metering.STEPS[query.step]
