"""Bytes per stored sample on a durable PostgreSQL: rows, packed hours, roll-ups.

A fleet of N nodes heartbeats every 10 s for H hours; the samples are written with
the ingest's own statement (bulk.insert_samples, batches of 2,000 as the batcher
commits them) and values that move as a node's do. Then, in the same run:

1. rows: the size of `node_samples` (heap, TOAST, every index) ÷ samples — how the
   control plane stored every raw sample before packing, and still stores the
   current hour (the baseline);
2. packed: the hours compacted by `packing.compact`, as the leader's job does,
   and the size of `node_sample_chunks` ÷ samples; the compaction's time per
   transaction;
3. reads: a day-long `/workers/:id/metrics` query (raw and 5-minute buckets) for a
   few nodes, timed from rows and from packed hours (node_metrics.history);
4. roll-ups: everything rolled up by `apply_retention`, and the size of
   `node_sample_rollups` ÷ roll-up rows and ÷ samples they summarise.

Prints each figure and the steady state it implies for a day of raw history.

    .venv/bin/python bench/telemetry_storage.py [--nodes 1000] [--hours 6]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from tortoise import connections
from tortoise.transactions import in_transaction

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import migrate, pg_connection  # noqa: E402
from workers_read import COLUMNS, node_row  # noqa: E402

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db import bulk, packing  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from controlplane.services.fleet import node_metrics  # noqa: E402
from shared.wire.workers import MetricsQuery  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

EVERY_MS = 10_000
BATCH = 2000
READ_NODES = 10


def fleet_samples(
    nodes: list[uuid.UUID], start_ms: int, hours: int, rng: random.Random
) -> list[bulk.Sample]:
    """Every node's samples in the order they arrive: one round of the fleet per 10 s."""
    state = {
        n: [rng.randint(2**30, 2**34), rng.randint(2**33, 2**40), rng.uniform(0, 4)] for n in nodes
    }
    seqs = {n: rng.randint(1_700_000_000_000, 1_780_000_000_000) for n in nodes}
    rows = []
    for k in range(hours * 3_600_000 // EVERY_MS):
        for n in nodes:
            mem_disk_load = state[n]
            mem_disk_load[0] += rng.randint(-(2**20), 2**20)
            mem_disk_load[1] += rng.randint(0, 2**16)
            mem_disk_load[2] = max(0.0, mem_disk_load[2] + rng.uniform(-0.1, 0.1))
            load = mem_disk_load[2]
            seqs[n] += 1
            rows.append(
                (
                    n,
                    seqs[n],
                    start_ms + k * EVERY_MS + rng.randint(0, 50),
                    round(rng.uniform(0, 100), 1),
                    mem_disk_load[0],
                    mem_disk_load[1],
                    round(load, 2),
                    round(load * 0.9, 2),
                    round(load * 0.8, 2),
                )
            )
    return rows


async def size_of(conn: asyncpg.Connection, table: str) -> int:
    await conn.execute(f"VACUUM ANALYZE {table}")
    return int(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", table))


async def timed_reads(nodes: list[uuid.UUID], end: datetime) -> tuple[float, float]:
    """Median ms of a day of raw samples and of a day in 5-minute buckets, over `nodes`."""
    db = connections.get(next(iter(connections.db_config)))
    raw, buckets = [], []
    day = MetricsQuery.model_validate({"from": end - timedelta(days=1), "to": end, "limit": 5000})
    stepped = day.model_copy(update={"step": 300})
    for _ in range(3):
        for node in nodes:
            started = time.perf_counter()
            got = await node_metrics.history(node, day, end, db)
            raw.append(time.perf_counter() - started)
            assert got.samples
            started = time.perf_counter()
            await node_metrics.history(node, stepped, end, db)
            buckets.append(time.perf_counter() - started)
    return statistics.median(raw) * 1000, statistics.median(buckets) * 1000


async def run(url: str, node_count: int, hours: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    nodes = [node_row(i, now, rng) for i in range(node_count)]
    ids = [r[0] for r in nodes]
    assert all(isinstance(i, uuid.UUID) for i in ids)
    node_ids: list[uuid.UUID] = [i for i in ids if isinstance(i, uuid.UUID)]
    # From 01:00 of the day before yesterday: the hours, their roll-ups and the packing
    # of those roll-ups all fall on that one day.
    day = (int(now.timestamp() * 1000) // packing.DAY_MS - 2) * packing.DAY_MS
    start_ms = day + 3_600_000
    samples = fleet_samples(node_ids, start_ms, hours, rng)
    n = len(samples)
    async with pg_connection(url) as admin:
        await admin.copy_records_to_table("worker_nodes", records=nodes, columns=COLUMNS)
        async with connected(normalise_database_url(url)):
            started = time.perf_counter()
            for i in range(0, n, BATCH):
                async with in_transaction() as tx:
                    await bulk.insert_samples(tx, samples[i : i + BATCH], start_ms)
            wrote = time.perf_counter() - started
            rows_bytes = await size_of(admin, "node_samples")
            end = datetime.fromtimestamp((start_ms + hours * 3_600_000) / 1000, UTC)
            read = node_ids[:READ_NODES]
            rows_raw, rows_buckets = await timed_reads(read, end)

            later = start_ms + (hours + 1) * 3_600_000 + packing.COMPACT_AFTER_MS
            started = time.perf_counter()
            moved = await packing.compact(later)
            took = time.perf_counter() - started
            assert moved == n, (moved, n)
            packed_bytes = await size_of(admin, "node_sample_chunks")
            hot_after = await size_of(admin, "node_samples")
            packed_raw, packed_buckets = await timed_reads(read, end)

            # Late that day, everything rolled up and the roll-ups still rows (the baseline);
            # the next morning, the day's roll-ups packed.
            for at in (day + 23 * 3_600_000, day + packing.DAY_MS + 2 * 3_600_000):
                rolled = await node_metrics.apply_retention(
                    datetime.fromtimestamp(at / 1000, UTC), timedelta(hours=1), timedelta(days=30)
                )
                if at < day + packing.DAY_MS:
                    assert rolled == n, (rolled, n)
                    rollups = int(await admin.fetchval("SELECT COUNT(*) FROM node_sample_rollups"))
                    rollup_bytes = await size_of(admin, "node_sample_rollups")
            assert not await admin.fetchval("SELECT COUNT(*) FROM node_sample_rollups")
            packed_rollup_bytes = await size_of(admin, "node_rollup_chunks")

    # One transaction per hour of samples and batch of nodes.
    batches = (hours + 1) * -(-node_count // packing.NODES_PER_MOVE)
    per_row, per_packed = rows_bytes / n, packed_bytes / n
    # At steady state the rows hold the hour being written, the quarter-hour wait, and
    # up to one compaction interval; a day of raw history is packed but for that.
    hot_share = (3_600_000 + packing.COMPACT_AFTER_MS + 300_000) / 86_400_000
    steady = hot_share * per_row + (1 - hot_share) * per_packed
    print(f"{node_count} nodes x {hours} h every 10 s = {n:,} samples, written in {wrote:.1f} s")
    print(f"rows (baseline)   {per_row:7.1f} bytes/sample  ({rows_bytes / 1e6:8.1f} MB)")
    print(
        f"packed            {per_packed:7.1f} bytes/sample  ({packed_bytes / 1e6:8.1f} MB), "
        f"{per_packed / per_row:.3f}x rows; compacted in {took:.1f} s, {batches} transactions "
        f"of {took / batches * 1000:.0f} ms on average"
    )
    print(f"  the emptied rows table keeps {hot_after / 1e6:.1f} MB for the next hours' rows")
    print(
        f"steady state, a day of raw history: {steady:.1f} bytes/sample, "
        f"{steady * 8640 / 1e6:.2f} MB per node per day "
        f"({per_row * 8640 / 1e6:.2f} MB as rows)"
    )
    print(
        f"reads, a day of one node (median of {3 * len(read)}): raw {rows_raw:.1f} → "
        f"{packed_raw:.1f} ms ({packed_raw / rows_raw:.2f}x), 5-minute buckets "
        f"{rows_buckets:.1f} → {packed_buckets:.1f} ms ({packed_buckets / rows_buckets:.2f}x)"
    )
    per_rollup, per_packed_rollup = rollup_bytes / rollups, packed_rollup_bytes / rollups
    print(
        f"roll-ups as rows  {per_rollup:7.1f} bytes/bucket, packed {per_packed_rollup:.1f} "
        f"({per_packed_rollup / per_rollup:.3f}x); 30 days of 5-minute buckets = "
        f"{per_rollup * 288 * 30 / 1e6:.2f} MB per node as rows, "
        f"{per_packed_rollup * 288 * 30 / 1e6:.2f} MB packed"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=6, choices=range(1, 21))
    args = parser.parse_args()
    pg = PostgresServer(durable=True).start()
    try:
        migrate(pg.url)
        asyncio.run(run(pg.url, args.nodes, args.hours))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
