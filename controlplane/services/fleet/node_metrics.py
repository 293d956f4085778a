"""Usage history of a node: raw samples, bucketed aggregates, and retention with roll-ups."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from controlplane.db.models import NodeSample, NodeSampleRollup
from controlplane.db.sql import is_postgres, marks, uuid_value
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
    # Every roll-up overlapping the range: one starting a little before `from`
    # holds samples the raw query above would have shown before retention ran.
    overlapping = NodeSampleRollup.filter(
        node_id=node_id, bucket__gt=lo - ROLLUP_WIDTH * 1000, bucket__lt=hi
    )
    for ru in await overlapping:
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


ROLLUP_COLUMNS = (
    "node_id, bucket, width, samples, cpu_percent, cpu_percent_max, memory_used, disk_used, load1"
)


def _rollup_upsert(greatest: str) -> str:
    """Folds new buckets into existing roll-ups, count-weighted, so a late sample merges."""
    t = "node_sample_rollups"
    weighted = (
        f"({t}.{{c}} * {t}.samples + excluded.{{c}} * excluded.samples) * 1.0 "
        f"/ ({t}.samples + excluded.samples)"
    )
    return (
        f"ON CONFLICT (node_id, bucket) DO UPDATE SET samples = {t}.samples + excluded.samples, "
        f"cpu_percent = {weighted.format(c='cpu_percent')}, "
        f"cpu_percent_max = {greatest}({t}.cpu_percent_max, excluded.cpu_percent_max), "
        f"memory_used = ROUND({weighted.format(c='memory_used')}), "
        f"disk_used = ROUND({weighted.format(c='disk_used')}), "
        f"load1 = {weighted.format(c='load1')}"
    )


def _bucket_aggregates(width_ms: int) -> str:
    return (
        f"(ts / {width_ms}) * {width_ms}, {ROLLUP_WIDTH}, COUNT(*), AVG(cpu_percent), "
        "MAX(cpu_percent), ROUND(AVG(memory_used)), ROUND(AVG(disk_used)), AVG(load1)"
    )


async def apply_retention(now: datetime, raw_keep: timedelta, rollup_keep: timedelta) -> int:
    """Rolls raw samples older than `raw_keep` into 5-minute buckets and deletes them;
    drops roll-ups older than `rollup_keep`. Returns how many raw samples were rolled up.

    What is deleted is exactly what was rolled up: a late sample committed while
    this runs is either in both or in neither, never deleted unrolled."""
    width_ms = ROLLUP_WIDTH * 1000
    cutoff = _ms(now - raw_keep) // width_ms * width_ms
    conn = NodeSample._meta.db
    if is_postgres(conn):
        # One statement, one snapshot: the rows DELETE returns are the rows rolled up.
        # Separate SELECT and DELETE statements each see the latest commits under
        # READ COMMITTED, so a sample the ingest committed between them was lost.
        sql = (
            "WITH gone AS (DELETE FROM node_samples WHERE ts < $1 "  # noqa: S608 - ints only
            "RETURNING node_id, ts, cpu_percent, memory_used, disk_used, load1), "
            f"merged AS (INSERT INTO node_sample_rollups ({ROLLUP_COLUMNS}) "
            f"SELECT node_id, {_bucket_aggregates(width_ms)} FROM gone "
            f"GROUP BY node_id, (ts / {width_ms}) * {width_ms} {_rollup_upsert('GREATEST')}) "
            "SELECT COUNT(*) AS n FROM gone"
        )
        async with in_transaction() as tx:
            rows = await tx.execute_query_dict(sql, [cutoff])
            await NodeSampleRollup.filter(bucket__lt=_ms(now - rollup_keep)).using_db(tx).delete()
        return int(rows[0]["n"])
    # SQLite: the transaction holds the database's only connection, so nothing
    # lands between the statements below.
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(
            "SELECT COUNT(*) AS n FROM node_samples WHERE ts < ?", [cutoff]
        )
        await tx.execute_query(
            f"INSERT INTO node_sample_rollups ({ROLLUP_COLUMNS}) "  # noqa: S608 - ints only
            f"SELECT node_id, {_bucket_aggregates(width_ms)} FROM node_samples WHERE ts < ? "
            f"GROUP BY node_id, (ts / {width_ms}) * {width_ms} {_rollup_upsert('MAX')}",
            [cutoff],
        )
        await NodeSample.filter(ts__lt=cutoff).using_db(tx).delete()
        await NodeSampleRollup.filter(bucket__lt=_ms(now - rollup_keep)).using_db(tx).delete()
    return int(rows[0]["n"])
