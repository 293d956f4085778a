"""Usage history of a node: raw samples, bucketed aggregates, and retention with roll-ups."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from controlplane.db.models import NodeSample, NodeSampleRollup
from controlplane.db.sql import marks, uuid_value
from controlplane.services.errors import Invalid
from shared.wire.workers import BucketOut, MetricsQuery, NodeMetrics, SampleOut

ROLLUP_WIDTH = 300  # seconds


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


async def history(node_id: uuid.UUID, query: MetricsQuery, now: datetime) -> NodeMetrics:
    to = query.to or now
    start = query.from_ or to - timedelta(hours=1)
    if start >= to:
        raise Invalid.field("from", "from must be before to")
    # Without `to`, everything since `from`: a sample stamped by a node clock a
    # little ahead of ours is still shown.
    lo, hi = _ms(start), _ms(query.to) if query.to else 2**62
    if query.step is None:
        rows = (
            await NodeSample.filter(node_id=node_id, ts__gte=lo, ts__lt=hi)
            .order_by("ts", "seq")
            .limit(query.limit)
        )
        samples = [
            SampleOut(
                seq=r.seq,
                timestamp=_at(r.ts),
                cpu_percent=r.cpu_percent,
                memory_used=r.memory_used,
                disk_used=r.disk_used,
                load1=r.load1,
                load5=r.load5,
                load15=r.load15,
            )
            for r in rows
        ]
        return NodeMetrics(node_id=node_id, step=None, samples=samples)
    return NodeMetrics(
        node_id=node_id, step=query.step, buckets=await _buckets(node_id, lo, hi, query.step * 1000)
    )


async def _buckets(node_id: uuid.UUID, lo: int, hi: int, step_ms: int) -> list[BucketOut]:
    conn = NodeSample._meta.db
    node, low, high = marks(conn, 3)
    params: list[object] = [uuid_value(conn, node_id), lo, hi]
    step = int(step_ms)  # a validated integer, inlined: integer division buckets alike on both
    sql = (
        f"SELECT (ts / {step}) * {step} AS b, COUNT(*) AS n, AVG(cpu_percent) AS cpu, "  # noqa: S608 - only ints and placeholders
        "MAX(cpu_percent) AS cpu_max, AVG(memory_used) AS mem, AVG(disk_used) AS disk, "
        f"AVG(load1) AS load1 FROM node_samples WHERE node_id = {node} AND ts >= {low} "
        f"AND ts < {high} GROUP BY b ORDER BY b"
    )
    raw = await conn.execute_query_dict(sql, params)
    acc: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0, 0.0])
    for r in raw:
        _merge(
            acc[int(r["b"])], int(r["n"]), r["cpu"], r["cpu_max"], r["mem"], r["disk"], r["load1"]
        )
    for ru in await NodeSampleRollup.filter(node_id=node_id, bucket__gte=lo, bucket__lt=hi):
        b = ru.bucket // step_ms * step_ms
        _merge(
            acc[b],
            ru.samples,
            ru.cpu_percent,
            ru.cpu_percent_max,
            ru.memory_used,
            ru.disk_used,
            ru.load1,
        )
    return [
        BucketOut(
            timestamp=_at(b),
            samples=int(v[0]),
            cpu_percent=round(v[1], 3),
            cpu_percent_max=v[2],
            memory_used=round(v[3], 1),
            disk_used=round(v[4], 1),
            load1=round(v[5], 3),
        )
        for b, v in sorted(acc.items())
    ]


def _merge(
    into: list[float], n: int, cpu: float, cpu_max: float, mem: float, disk: float, load1: float
) -> None:
    """Count-weighted running averages, so buckets from raw samples and roll-ups combine."""
    total = into[0] + n
    for i, value in ((1, cpu), (3, mem), (4, disk), (5, load1)):
        into[i] = (into[i] * into[0] + float(value) * n) / total
    into[2] = max(into[2], float(cpu_max))
    into[0] = total


async def apply_retention(now: datetime, raw_keep: timedelta, rollup_keep: timedelta) -> int:
    """Rolls raw samples older than `raw_keep` into 5-minute buckets and deletes them;
    drops roll-ups older than `rollup_keep`. Returns how many raw samples were rolled up."""
    width_ms = ROLLUP_WIDTH * 1000
    cutoff = _ms(now - raw_keep) // width_ms * width_ms
    conn = NodeSample._meta.db
    p = marks(conn, 1)
    async with in_transaction():
        raw = await conn.execute_query_dict(
            f"SELECT node_id, (ts / {width_ms}) * {width_ms} AS b, COUNT(*) AS n, "  # noqa: S608
            "AVG(cpu_percent) AS cpu, MAX(cpu_percent) AS cpu_max, AVG(memory_used) AS mem, "
            "AVG(disk_used) AS disk, AVG(load1) AS load1 FROM node_samples "
            f"WHERE ts < {p[0]} GROUP BY node_id, b",
            [cutoff],
        )
        rolled = 0
        for r in raw:
            node_id = uuid.UUID(str(r["node_id"]))
            bucket = int(r["b"])
            existing = await NodeSampleRollup.get_or_none(node_id=node_id, bucket=bucket)
            acc: list[float] = [0, 0.0, 0.0, 0.0, 0.0, 0.0]
            if existing is not None:
                _merge(
                    acc,
                    existing.samples,
                    existing.cpu_percent,
                    existing.cpu_percent_max,
                    existing.memory_used,
                    existing.disk_used,
                    existing.load1,
                )
            _merge(acc, int(r["n"]), r["cpu"], r["cpu_max"], r["mem"], r["disk"], r["load1"])
            values: dict[str, Any] = dict(
                samples=int(acc[0]),
                cpu_percent=acc[1],
                cpu_percent_max=acc[2],
                memory_used=int(acc[3]),
                disk_used=int(acc[4]),
                load1=acc[5],
                width=ROLLUP_WIDTH,
            )
            if existing is None:
                await NodeSampleRollup.create(node_id=node_id, bucket=bucket, **values)
            else:
                await NodeSampleRollup.filter(id=existing.id).update(**values)
            rolled += int(r["n"])
        await NodeSample.filter(ts__lt=cutoff).delete()
        await NodeSampleRollup.filter(bucket__lt=_ms(now - rollup_keep)).delete()
    return rolled
