"""Usage history of a node: raw samples, bucketed aggregates, and retention with roll-ups."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from controlplane.db import packing
from controlplane.db.models import NodeSample, NodeSampleRollup
from controlplane.db.sql import is_postgres, marks
from controlplane.services.errors import Invalid
from shared.wire.workers import BucketOut, MetricsQuery, NodeMetrics, SampleOut

ROLLUP_WIDTH = packing.SAMPLE_SUMS.width_ms // 1000  # seconds: packed hours roll up from their sums


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


async def history(
    node_id: uuid.UUID, query: MetricsQuery, now: datetime, db: BaseDBAsyncClient
) -> NodeMetrics | dict[str, Any]:
    """Read through `db` (the read pool). Buckets come as NodeMetrics dumped for the
    wire, their list as JSON the database built (`_bucket_json`)."""
    to = query.to or now
    start = query.from_ or to - timedelta(hours=1)
    if start >= to:
        raise Invalid.field("from", "from must be before to")
    # Without `to`, everything since `from`: a sample stamped by a node clock a
    # little ahead of ours is still shown.
    lo, hi = _ms(start), _ms(query.to) if query.to else 2**62
    if query.step is None:
        source, params = packing.SAMPLES.of_node(db, node_id, lo, hi)
        (limit,) = marks(db, 1, start=len(params) + 1)
        rows = await db.execute_query_dict(
            "SELECT seq, ts, cpu_percent, memory_used, disk_used, load1, load5, load15 "  # noqa: S608 - placeholders only
            f"FROM {source} ORDER BY ts, seq LIMIT {limit}",
            [*params, query.limit],
        )
        samples = [
            SampleOut(
                seq=r["seq"],
                timestamp=_at(r["ts"]),
                cpu_percent=r["cpu_percent"],
                memory_used=r["memory_used"],
                disk_used=r["disk_used"],
                load1=r["load1"],
                load5=r["load5"],
                load15=r["load15"],
            )
            for r in rows
        ]
        return NodeMetrics(node_id=node_id, step=None, samples=samples)
    buckets = await _buckets(db, node_id, lo, hi, query.step * 1000)
    data = NodeMetrics(node_id=node_id, step=query.step, buckets=[])
    return {**data.model_dump(mode="json", by_alias=True), "buckets": buckets}


# One bucket as JSON text, written by the database from a grouped row (b, n and the
# sums), named as BucketOut names its fields on the wire. A day is 288 buckets:
# decoding their values, averaging and rounding them, then validating and dumping a
# model of each, was half of the request's CPU; json_build_object and rounding through
# numeric cost PostgreSQL twice what concatenation does (1.8 against 0.9 ms a day).
# Every value is a number but the timestamp, and none is NULL (a bucket has samples).
# Tests validate the answers against BucketOut on both databases.
@functools.cache
def _bucket_json(postgres: bool) -> str:
    if postgres:
        # Whole-second buckets, spelled as the API spells UTC.
        time = (
            "to_char(to_timestamp(b / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        )

        def rounded(value: str, digits: int) -> str:
            scale = 10**digits
            return f"(round({value} * {scale}) / {scale})"
    else:
        time = "strftime('%Y-%m-%dT%H:%M:%SZ', b / 1000, 'unixepoch')"

        def rounded(value: str, digits: int) -> str:
            return f"ROUND({value}, {digits})"

    values = {
        "timestamp": f"'\"' || {time} || '\"'",
        "samples": "n",
        "cpu_percent": rounded("cpu / n", 3),
        "cpu_percent_max": "cpu_max",
        "memory_used": rounded("mem / n", 1),
        "disk_used": rounded("disk / n", 1),
        "load1": rounded("load1 / n", 3),
    }
    # '{"timestamp":' || … || ',"samples":' || … || '}', the keys as SQL literals.
    parts = []
    for i, (name, value) in enumerate(values.items()):
        opening = "{" if i == 0 else ","
        parts.append(f"'{opening}\"{BucketOut.model_fields[name].alias}\":' || {value}")
    return " || ".join(parts) + " || '}'"


# A roll-up (averages of `samples` samples) as a row of the samples' sums, its columns
# in the order the sums' fields come (the union above pairs them by position).
_ROLLUP_SUMS = {
    "samples": "samples",
    "cpu_sum": "cpu_percent * samples",
    "cpu_max": "cpu_percent_max",
    "memory_sum": "memory_used * samples",
    "disk_sum": "disk_used * samples",
    "load1_sum": "load1 * samples",
}
_ROLLUPS_AS_SUMS = "SELECT bucket AS t, " + ", ".join(
    f"{_ROLLUP_SUMS[name]} AS {name}" for name, *_ in packing.SAMPLE_SUMS.fields
)


async def _buckets(
    conn: BaseDBAsyncClient, node_id: uuid.UUID, lo: int, hi: int, step_ms: int
) -> orjson.Fragment:
    """The buckets as a JSON array, oldest first."""
    samples, params = packing.SAMPLES.summed_of_node(conn, node_id, lo, hi, step_ms)
    # Every roll-up overlapping the range: one starting a little before `from` holds
    # samples the raw query would have shown before retention ran. A bucket may come
    # twice on PostgreSQL (a late roll-up beside its packed one): the sums add up.
    rollups, more = packing.ROLLUPS.of_node(
        conn, node_id, lo - ROLLUP_WIDTH * 1000 + 1, hi, first=len(params) + 1
    )
    step = int(step_ms)  # a validated integer, inlined: integer division buckets alike on both
    sql = (
        f"SELECT {_bucket_json(is_postgres(conn))} FROM ("  # noqa: S608 - only ints and placeholders
        f"SELECT (t / {step}) * {step} AS b, SUM(samples) AS n, SUM(cpu_sum) AS cpu, "
        "MAX(cpu_max) AS cpu_max, CAST(SUM(memory_sum) AS DOUBLE PRECISION) AS mem, "
        "CAST(SUM(disk_sum) AS DOUBLE PRECISION) AS disk, SUM(load1_sum) AS load1 "
        f"FROM (SELECT * FROM {samples} UNION ALL {_ROLLUPS_AS_SUMS} FROM {rollups}) AS a "
        "GROUP BY b) AS g ORDER BY b"
    )
    _, rows = await conn.execute_query(sql, [*params, *more])
    return orjson.Fragment("[" + ",".join(r[0] for r in rows) + "]")


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


# Rows per retention transaction: each commits in milliseconds, so no pass holds a long
# transaction (bloat, replication lag, a rollback of everything on shutdown) and the
# ingest keeps its turn on the database between batches.
RETENTION_BATCH = 1000
# After each batch, a pause of this share of the batch's own time: the ingest's commits
# find the disk free nine tenths of the time instead of queueing behind the batches'
# flushes. bench/retention.py, 1 M packed samples, a synchronous writer beside it: 17 %
# fewer commits/s at a pause of 1, 10 % at 4, 4 % at 9. A pass takes ten times its work,
# about a minute an hour at 10,000 nodes: room enough.
RETENTION_PAUSE = 9.0


def chunk_batch(batch: int) -> int:
    """Packed hours per retention transaction where `batch` rows would go in one: an
    hour of a node is hundreds of samples, so a hundredth as many (at least one)."""
    return max(1, batch // 100)


async def apply_retention(
    now: datetime, raw_keep: timedelta, rollup_keep: timedelta, batch: int = RETENTION_BATCH
) -> int:
    """Rolls raw samples older than `raw_keep` into 5-minute buckets and deletes them;
    drops roll-ups older than `rollup_keep`. Returns how many raw samples were rolled up.

    In batches of `batch` rows, each its own short transaction: stopping at any moment
    loses nothing (what committed is rolled up and gone, the rest waits for the next
    pass), and the roll-up upsert merges a bucket whose samples came in several batches.
    What each batch deletes is exactly what it rolled up: a late sample committed while
    this runs is either in both or in neither, never deleted unrolled."""
    width_ms = ROLLUP_WIDTH * 1000
    cutoff = _ms(now - raw_keep) // width_ms * width_ms
    conn = NodeSample._meta.db
    rolled = 0
    if is_postgres(conn):
        chunks = chunk_batch(batch)
        rolled += await _in_batches(lambda: _roll_chunks_postgres(cutoff, chunks))
        rolled += await _in_batches(lambda: _roll_batch_postgres(cutoff, width_ms, batch))
    else:
        rolled += await _in_batches(lambda: _roll_batch_sqlite(cutoff, width_ms, batch))
    old_rollups = _ms(now - rollup_keep)
    if is_postgres(conn):
        # A day's roll-ups are all made once the cutoff has passed its end.
        await packing.ROLLUPS.pack(cutoff // packing.DAY_MS * packing.DAY_MS)
        # Packed days go whole, once all of the day is older than the window.
        await _in_batches(lambda: _drop_rollup_days(old_rollups - packing.DAY_MS, batch))
    while True:
        async with in_transaction() as tx:
            ids = await (
                NodeSampleRollup.filter(bucket__lt=old_rollups)
                .using_db(tx)
                .limit(batch)
                .values_list("id", flat=True)
            )
            if ids:
                await NodeSampleRollup.filter(id__in=ids).using_db(tx).delete()
        if len(ids) < batch:
            return rolled


async def _drop_rollup_days(before: int, batch: int) -> tuple[int, bool]:
    """Deletes up to `batch` packed days of roll-ups starting before `before`."""
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(
            "WITH gone AS (DELETE FROM node_rollup_chunks WHERE ctid = ANY(ARRAY("
            "SELECT ctid FROM node_rollup_chunks WHERE start < $1 LIMIT $2)) RETURNING 1) "
            "SELECT COUNT(*) AS n FROM gone",
            [before, batch],
        )
    done = int(rows[0]["n"])
    return done, done == batch


async def _in_batches(roll: Callable[[], Awaitable[tuple[int, bool]]]) -> int:
    """Runs `roll` (samples rolled, whether its batch was full) until a batch is not full,
    pausing after each; returns the samples rolled."""
    rolled = 0
    while True:
        started = time.perf_counter()
        done, full = await roll()
        rolled += done
        if not full:
            return rolled
        await asyncio.sleep((time.perf_counter() - started) * RETENTION_PAUSE)


def _rollup_from(source: str, width_ms: int, greatest: str) -> str:
    """Aggregates the samples of `source` (a FROM clause with its WHERE) into roll-ups."""
    return (
        f"INSERT INTO node_sample_rollups ({ROLLUP_COLUMNS}) "  # noqa: S608 - ints only
        f"SELECT node_id, {_bucket_aggregates(width_ms)} FROM {source} "
        f"GROUP BY node_id, (ts / {width_ms}) * {width_ms} {_rollup_upsert(greatest)}"
    )


async def _roll_chunks_postgres(cutoff: int, batch: int) -> tuple[int, bool]:
    # As _roll_batch_postgres, for up to `batch` whole chunks that ended by the cutoff,
    # rolled up from the 5-minute sums they keep: their samples' arrays are deleted
    # unread (neither fetched from TOAST nor decompressed).
    summary = packing.SAMPLE_SUMS
    sums = summary.unnested("gone", "TRUE", keys="c.node_id, ")
    sql = (
        "WITH gone AS (DELETE FROM node_sample_chunks WHERE ctid = ANY(ARRAY("  # noqa: S608 - ints
        "SELECT ctid FROM node_sample_chunks WHERE start <= $1 LIMIT $2)) "
        f"RETURNING node_id, start, n, {', '.join(summary.columns)}), "
        f"merged AS (INSERT INTO node_sample_rollups ({ROLLUP_COLUMNS}) "
        f"SELECT node_id, t, {ROLLUP_WIDTH}, SUM(samples), SUM(cpu_sum) / SUM(samples), "
        "MAX(cpu_max), ROUND(SUM(memory_sum)::numeric / SUM(samples)), "
        "ROUND(SUM(disk_sum)::numeric / SUM(samples)), SUM(load1_sum) / SUM(samples) "
        f"FROM ({sums}) AS s GROUP BY node_id, t {_rollup_upsert('GREATEST')}) "
        "SELECT COUNT(*) AS chunks, COALESCE(SUM(n), 0) AS n FROM gone"
    )
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(sql, [cutoff - packing.HOUR_MS, batch])
    return int(rows[0]["n"]), int(rows[0]["chunks"]) == batch


async def _roll_batch_postgres(cutoff: int, width_ms: int, batch: int) -> tuple[int, bool]:
    # One statement, one snapshot: the rows DELETE returns are the rows rolled up.
    # Separate SELECT and DELETE statements each see the latest commits under
    # READ COMMITTED, so a sample the ingest committed between them was lost.
    # ctid = ANY(ARRAY(...)) makes the delete a TID scan of the rows just found.
    sql = (
        "WITH gone AS (DELETE FROM node_samples WHERE ctid = ANY(ARRAY("  # noqa: S608 - ints
        "SELECT ctid FROM node_samples WHERE ts < $1 LIMIT $2)) "
        "RETURNING node_id, ts, cpu_percent, memory_used, disk_used, load1), "
        f"merged AS ({_rollup_from('gone', width_ms, 'GREATEST')}) "
        "SELECT COUNT(*) AS n FROM gone"
    )
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(sql, [cutoff, batch])
    done = int(rows[0]["n"])
    return done, done == batch


async def _roll_batch_sqlite(cutoff: int, width_ms: int, batch: int) -> tuple[int, bool]:
    # The transaction holds the database's only connection, so nothing lands between
    # the statements; the rowid bound makes the roll-up and the delete see one set.
    async with in_transaction() as tx:
        found = await tx.execute_query_dict(
            "SELECT rowid AS r FROM node_samples WHERE ts < ? ORDER BY rowid LIMIT ?",
            [cutoff, batch],
        )
        if not found:
            return 0, False
        bound = int(found[-1]["r"])
        await tx.execute_query(
            _rollup_from("node_samples WHERE ts < ? AND rowid <= ?", width_ms, "MAX"),
            [cutoff, bound],
        )
        await tx.execute_query(
            "DELETE FROM node_samples WHERE ts < ? AND rowid <= ?", [cutoff, bound]
        )
    return len(found), len(found) == batch
