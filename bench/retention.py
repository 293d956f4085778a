"""Retention at scale: batched roll-up and delete against one statement, on a durable PostgreSQL.

N old raw samples (spread over a fleet of nodes, all past the raw window) are
rolled up and deleted in several ways in the same run, from the same seeded
data: as the control plane did first (one DELETE … RETURNING for everything,
the baseline), in batches of RETENTION_BATCH rows, each its own transaction
(what it still does for rows on SQLite, and for late rows on PostgreSQL), and
as it does on PostgreSQL now: the rows packed into hours first (the leader's
packing pass, measured on its own) and the packed hours rolled up. Meanwhile a writer commits one fresh sample every 5 ms, as
the ingest would, and its commit latency is measured. Prints, for each way:
the pass's time, its longest transaction, the WAL it wrote, and the writer's
p50/p99 against the same writer with no retention running.

    .venv/bin/python bench/retention.py [--rows 1000000] [--nodes 1000] [--ways packed,...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise.transactions import in_transaction

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import control_plane_env, pg_connection  # noqa: E402
from workers_read import COLUMNS, node_row  # noqa: E402

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db import packing  # noqa: E402
from controlplane.db.bulk import SAMPLE_COLUMNS  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from controlplane.services.fleet import node_metrics  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

WRITE_EVERY = 0.005


async def seed(url: str, rows: int, nodes: list[uuid.UUID], old_ms: int) -> None:
    async with pg_connection(url) as conn:
        await conn.execute(
            "TRUNCATE node_samples, node_sample_rollups, node_sample_chunks, node_rollup_chunks"
        )
        if not await conn.fetchval("SELECT COUNT(*) FROM worker_nodes"):
            # The packing walks the registered nodes.
            rng = random.Random(3)
            now = datetime.now(UTC)
            await conn.copy_records_to_table(
                "worker_nodes",
                records=[(n, *node_row(i, now, rng)[1:]) for i, n in enumerate(nodes)],
                columns=COLUMNS,
            )
        per_node = rows // len(nodes)
        records = (
            (node, seq, old_ms + seq * 10_000, 12.5, 4096, 100_000, 0.5, 0.4, 0.3)
            for node in nodes
            for seq in range(1, per_node + 1)
        )
        await conn.copy_records_to_table(
            "node_samples", records=records, columns=list(SAMPLE_COLUMNS)
        )
        await conn.execute("VACUUM ANALYZE node_samples")


async def one_statement(cutoff: int) -> list[float]:
    """The previous retention: everything in one transaction (the baseline)."""
    width = node_metrics.ROLLUP_WIDTH * 1000
    sql = (
        "WITH gone AS (DELETE FROM node_samples WHERE ts < $1 "  # noqa: S608 - ints only
        "RETURNING node_id, ts, cpu_percent, memory_used, disk_used, load1), "
        f"merged AS (INSERT INTO node_sample_rollups ({node_metrics.ROLLUP_COLUMNS}) "
        f"SELECT node_id, {node_metrics._bucket_aggregates(width)} FROM gone "
        f"GROUP BY node_id, (ts / {width}) * {width} {node_metrics._rollup_upsert('GREATEST')}) "
        "SELECT COUNT(*) AS n FROM gone"
    )
    started = time.perf_counter()
    async with in_transaction() as tx:
        await tx.execute_query_dict(sql, [cutoff])
    return [time.perf_counter() - started]


Roll = Callable[[int, int, int], Awaitable[tuple[int, bool]]]


def batched(
    batch: int, pause: float, roll: Roll = node_metrics._roll_batch_postgres
) -> Callable[[int], Awaitable[list[float]]]:
    """The retention as apply_retention runs it (`roll`'s batches of `batch`, a pause after
    each as a share of the batch's own time), each batch timed."""

    async def run(cutoff: int) -> list[float]:
        width = node_metrics.ROLLUP_WIDTH * 1000
        times = []
        while True:
            started = time.perf_counter()
            _, full = await roll(cutoff, width, batch)
            took = time.perf_counter() - started
            times.append(took)
            if not full:
                return times
            await asyncio.sleep(took * pause)

    return run


async def packing_pass(cutoff: int) -> list[float]:
    """The leader's packing of every closed hour, each transaction timed."""
    times: list[float] = []
    await packing.compact(int(time.time() * 1000), on_move=times.append)
    return times


def packed(pause: float) -> Callable[[int], Awaitable[list[float]]]:
    """Retention over packed hours (the rows packed beforehand, untimed): whole chunks per
    transaction, as apply_retention rolls them."""
    chunks = node_metrics.chunk_batch(node_metrics.RETENTION_BATCH)
    return batched(
        chunks, pause, lambda cutoff, _width, n: node_metrics._roll_chunks_postgres(cutoff, n)
    )


async def writer(url: str, node: uuid.UUID, stop: asyncio.Event, seq0: int) -> list[float]:
    latencies = []
    seq = seq0
    async with pg_connection(url) as conn:
        while not stop.is_set():
            seq += 1
            now_ms = int(time.time() * 1000)
            started = time.perf_counter()
            await conn.execute(
                f"INSERT INTO node_samples ({', '.join(SAMPLE_COLUMNS)}) "  # noqa: S608
                "VALUES ($1, $2, $3, 1, 1, 1, 0, 0, 0)",
                node,
                seq,
                now_ms,
            )
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(WRITE_EVERY)
    return latencies


async def wal_position(url: str) -> int:
    """Where the WAL is, in bytes (asyncpg reads a pg_lsn as its integer position)."""
    async with pg_connection(url) as conn:
        return int(await conn.fetchval("SELECT pg_current_wal_lsn()"))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(
    url: str, rows: int, node_count: int, variants: list[tuple[int, float]], ways: set[str]
) -> None:
    nodes = [uuid.uuid4() for _ in range(node_count)]
    old = datetime.now(UTC) - timedelta(days=3)
    old_ms = int(old.timestamp() * 1000)
    cutoff = int((datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000)
    live = uuid.uuid4()

    async def measured(
        name: str,
        way: Callable[[int], Awaitable[list[float]]],
        prepare: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        await seed(url, rows, nodes, old_ms)
        if prepare is not None:
            async with connected(normalise_database_url(url)):
                await prepare()
        stop = asyncio.Event()
        quiet_task = asyncio.create_task(writer(url, live, stop, 10**12 + time.time_ns() // 10**6))
        await asyncio.sleep(2.0)
        stop.set()
        quiet = await quiet_task
        stop = asyncio.Event()
        wal_start = await wal_position(url)
        busy_task = asyncio.create_task(
            writer(url, live, stop, 2 * 10**12 + time.time_ns() // 10**6)
        )
        started = time.perf_counter()
        async with connected(normalise_database_url(url)):
            transactions = await way(cutoff)
        took = time.perf_counter() - started
        stop.set()
        busy = await busy_task
        wal = await wal_position(url) - wal_start
        print(
            f"{name:<14} {rows:>9} rows in {took:6.2f} s ({rows / took:9.0f} rows/s), "
            f"{len(transactions):>4} transaction(s), longest {max(transactions) * 1000:7.1f} ms, "
            f"WAL {wal / 1e6:7.1f} MB; writer p50 {pct(busy, 0.5):5.2f} ms "
            f"p99 {pct(busy, 0.99):6.2f} ms ({pct(busy, 0.99) / pct(quiet, 0.99):4.1f}x its quiet "
            f"p99 {pct(quiet, 0.99):5.2f} ms), {len(busy) / took:5.0f} commits/s "
            f"(quiet {len(quiet) / 2.0:4.0f}/s), median batch "
            f"{statistics.median(transactions) * 1000:6.1f} ms"
        )

    if "statement" in ways:
        await measured("one statement", one_statement)
    if "batches" in ways:
        for size, pause in variants:
            await measured(f"batch {size} pause {pause:g}", batched(size, pause))
    if "packing" in ways:
        await measured("packing pass", packing_pass)
    if "packed" in ways:
        for pause in sorted({pause for _, pause in variants}):
            await measured(
                f"packed pause {pause:g}",
                packed(pause),
                lambda: packing.compact(int(time.time() * 1000)),
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="BATCH:PAUSE, e.g. 1000:1 (pause as a share of each batch's time; the packed "
        "hours are rolled with each PAUSE too); "
        "default: what the control plane runs",
    )
    parser.add_argument(
        "--ways",
        default="statement,batches,packing,packed",
        help="which to run, of statement (the baseline), batches, packing, packed",
    )
    args = parser.parse_args()
    variants = [(int(b), float(p)) for b, p in (v.split(":") for v in args.variant)] or [
        (node_metrics.RETENTION_BATCH, node_metrics.RETENTION_PAUSE)
    ]

    pg = PostgresServer(durable=True).start()
    try:
        subprocess.run(
            [sys.executable, "-m", "controlplane", "migrate"],
            env=control_plane_env(pg.url),
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        asyncio.run(run(pg.url, args.rows, args.nodes, variants, set(args.ways.split(","))))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
