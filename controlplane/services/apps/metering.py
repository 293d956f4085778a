"""Metering: the resource-hours each instance's reservation held, recorded per hour of wall
time, and what they cost at a usage-priced service's prices.

An instance holds a reservation from its placement until it is unplaced (a suspended one
keeps its room and volumes, so it keeps being metered). Usage is accrued from the
instance's `metered_until` (or its placement) to a moment, in whole seconds, split at
hour boundaries, and `metered_until` moves forward by compare-and-set in the same
transaction: two meterings at once (the metering pass and an unplace) never count a
second twice, and a crash loses nothing (the next pass accrues from where the last
committed one stopped).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from controlplane.db.models import Instance, UsageHour
from controlplane.services.errors import Invalid
from shared.wire.services import UsagePrices
from shared.wire.subscriptions import UsageBucket, UsageReport

HOUR = timedelta(hours=1)
# How stale a reservation's metering may grow within an hour before a pass meters it.
STEP = timedelta(minutes=5)
# Reservations are in MiB (the catalog's "MB", as the pods request them: `256Mi`).
MIB_PER_GIB = 1024
# A usage hour's cost is an integer numerator over this: millicore-seconds are priced per
# 1000 * 3600 of them, MiB-seconds per 1024 * 3600. Exact in integers, whatever the prices.
COST_DENOMINATOR = 1000 * 3600 * MIB_PER_GIB
# The longest range one usage read covers, and the steps it may be read in.
MAX_RANGE = timedelta(days=93)
STEPS = {"PT1H": HOUR, "P1D": timedelta(days=1)}


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@dataclass(frozen=True)
class Held:
    """What a reservation holds: millicores, MiB of memory and of storage."""

    millicores: int
    memory: int
    storage: int

    @classmethod
    def of(cls, instance: Instance) -> Held:
        return cls(round(instance.cpu * 1000), int(instance.memory), int(instance.storage))


def slices(start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """[start, end) cut at hour boundaries: each hour's start and the seconds in it."""
    out = []
    cursor = start
    while cursor < end:
        hour = hour_of(cursor)
        stop = min(hour + HOUR, end)
        out.append((hour, int((stop - cursor).total_seconds())))
        cursor = stop
    return out


async def accrue(instance_id: uuid.UUID, until: datetime) -> datetime | None:
    """Records the usage of the instance's reservation up to `until` (whole seconds), in
    its own transaction; returns how far it is metered now (a caller about to save the
    instance it holds sets this on it, or would write back the older value)."""
    until = _whole_second(until)
    async with in_transaction():
        instance = await Instance.get_or_none(id=instance_id)
        if instance is None:
            return None
        if instance.node_id is None or instance.placed_at is None:
            return instance.metered_until
        since = instance.metered_until
        start = _whole_second(instance.placed_at) if since is None else since
        if since is not None and since < instance.placed_at:
            # Metered before an earlier unplace; the room was free until this placement.
            start = _whole_second(instance.placed_at)
        if start >= until:
            return since
        guard = Instance.filter(id=instance.id)
        guard = (
            guard.filter(metered_until__isnull=True)
            if since is None
            else guard.filter(metered_until=since)
        )
        if not await guard.update(metered_until=until):
            # Another metering moved it first and counted these seconds.
            moved = await Instance.get(id=instance.id).only("metered_until")
            return moved.metered_until
        held = Held.of(instance)
        for hour, seconds in slices(start, until):
            await _add(instance, hour, held, seconds)
        return until


async def _add(instance: Instance, hour: datetime, held: Held, seconds: int) -> None:
    # Accruals of one instance are serialised by the compare-and-set above (its row stays
    # locked until commit), so update-else-create cannot race itself into a duplicate.
    adds: dict[str, int] = {
        "cpu_millicore_seconds": held.millicores * seconds,
        "memory_mib_seconds": held.memory * seconds,
        "storage_mib_seconds": held.storage * seconds,
    }
    updated = await UsageHour.filter(subscription_id=instance.subscription_id, hour=hour).update(
        **{column: F(column) + amount for column, amount in adds.items()}
    )
    if not updated:
        await UsageHour.create(
            subscription_id=instance.subscription_id,
            instance_id=instance.id,
            hour=hour,
            cpu_millicore_seconds=adds["cpu_millicore_seconds"],
            memory_mib_seconds=adds["memory_mib_seconds"],
            storage_mib_seconds=adds["storage_mib_seconds"],
        )


async def accrue_all(until: datetime) -> int:
    """Every instance holding a reservation, metered up to `until`; returns how many were.

    One metered less than STEP ago is skipped unless an hour ended since (so each hour
    becomes final, and chargeable, at the first pass after it ends): a reconcile pass
    every few seconds does not cost a write per instance each time."""
    due = max(until - STEP, hour_of(until))
    held = await Instance.filter(
        Q(metered_until__isnull=True) | Q(metered_until__lt=due), node_id__isnull=False
    ).values_list("id", flat=True)
    for instance_id in held:
        await accrue(uuid.UUID(str(instance_id)), until)
    return len(held)


def cost(row: UsageHour, prices: UsagePrices) -> int:
    """The hour's cost as a numerator over COST_DENOMINATOR minor units."""
    return (
        row.cpu_millicore_seconds * prices.cpu_core_hour * MIB_PER_GIB
        + row.memory_mib_seconds * prices.memory_gb_hour * 1000
        + row.storage_mib_seconds * prices.storage_gb_hour * 1000
    )


async def unbilled_hours(
    subscription_id: uuid.UUID, charged_until: datetime | None, through: datetime
) -> list[UsageHour]:
    """The subscription's recorded hours from `charged_until` up to (not including) the
    hour starting at `through`, oldest first."""
    qs = UsageHour.filter(subscription_id=subscription_id, hour__lt=through)
    if charged_until is not None:
        qs = qs.filter(hour__gte=charged_until)
    return await qs.order_by("hour")


def settled_through(instance: Instance | None, now: datetime) -> datetime:
    """The start of the first hour that may still grow: hours before it are final. While
    the instance holds a reservation, an hour is final once metered past its end; a
    released reservation's tail was metered when it was released."""
    if instance is not None and instance.node_id is not None:
        if instance.metered_until is None:
            return hour_of(instance.placed_at or now)
        return min(hour_of(instance.metered_until), hour_of(now))
    return hour_of(now)


async def report(
    subscription_id: uuid.UUID, start: datetime, end: datetime, step: str
) -> UsageReport:
    """`GET /subscriptions/:id/usage`: resource-hours in [start, end) by `step`."""
    width = STEPS.get(step)
    if width is None:
        raise Invalid.field("step", f"one of {sorted(STEPS)}")
    if end <= start:
        raise Invalid.field("to", "must be after from")
    if end - start > MAX_RANGE:
        raise Invalid.field("to", f"at most {MAX_RANGE.days} days after from")
    rows = await UsageHour.filter(
        subscription_id=subscription_id, hour__gte=hour_of(start), hour__lt=end
    ).order_by("hour")
    buckets: dict[datetime, list[int]] = {}
    for row in rows:
        key = _bucket(row.hour, width)
        sums = buckets.setdefault(key, [0, 0, 0])
        sums[0] += row.cpu_millicore_seconds
        sums[1] += row.memory_mib_seconds
        sums[2] += row.storage_mib_seconds
    out = [_bucket_out(at, *sums) for at, sums in sorted(buckets.items())]
    total = [sum(s[i] for s in buckets.values()) for i in range(3)]
    return UsageReport(
        subscription_id=subscription_id,
        start=start,
        end=end,
        step=step,
        buckets=out,
        total=_bucket_out(start, *total),
    )


@dataclass(frozen=True)
class Reserved:
    """What every instance together held during one bucket, on average."""

    start: datetime
    cores: float
    memory: float
    storage: float
    instances: int


async def fleet_reserved(start: datetime, end: datetime, step: str) -> list[Reserved]:
    """The whole fleet's reservations over [start, end) by `step`: the hours are summed in
    the database, then folded into buckets (at most MAX_RANGE of hours come back)."""
    width = STEPS[step]
    rows = (
        await UsageHour.filter(hour__gte=hour_of(start), hour__lt=end)
        .annotate(
            cpu=Sum("cpu_millicore_seconds"),
            memory=Sum("memory_mib_seconds"),
            storage=Sum("storage_mib_seconds"),
            n=Count("id"),
        )
        .group_by("hour")
        .values("hour", "cpu", "memory", "storage", "n")
    )
    buckets: dict[datetime, list[float]] = {}
    for row in rows:
        sums = buckets.setdefault(_bucket(row["hour"], width), [0.0, 0.0, 0.0, 0.0])
        sums[0] += float(row["cpu"] or 0)
        sums[1] += float(row["memory"] or 0)
        sums[2] += float(row["storage"] or 0)
        sums[3] = max(sums[3], float(row["n"] or 0))
    seconds = width.total_seconds()
    return [
        Reserved(at, s[0] / 1000 / seconds, s[1] / seconds, s[2] / seconds, int(s[3]))
        for at, s in sorted(buckets.items())
    ]


def _bucket(hour: datetime, width: timedelta) -> datetime:
    if width == HOUR:
        return hour
    return hour.replace(hour=0)


def _bucket_out(at: datetime, millicore_s: int, memory_s: int, storage_s: int) -> UsageBucket:
    return UsageBucket(
        start=at,
        cpu_core_hours=round(millicore_s / (1000 * 3600), 6),
        memory_gb_hours=round(memory_s / (MIB_PER_GIB * 3600), 6),
        storage_gb_hours=round(storage_s / (MIB_PER_GIB * 3600), 6),
    )
