"""Closed hours of telemetry, packed into one row per node and hour (PostgreSQL only).

A row per sample costs about 290 bytes on PostgreSQL: a 24-byte tuple header and
a 4-byte line pointer before any data, an 8-byte id, and an entry in each of
three B-trees (bench/telemetry_storage.py). Packed as one array per column, one
row per node and hour, the same samples cost about 32 bytes each: arrays longer
than 2 kB are compressed and stored out of line, and the one index has an entry
per hour, not per sample.

New samples still land as rows in `node_samples`: an INSERT per sample is what
the ingest batches cheaply, where appending to an array rewrites all of it.
`compact` then moves every hour that ended COMPACT_AFTER_MS ago from the rows
into `node_sample_chunks`, one node batch per short transaction. Reads and
retention see both (node_metrics). SQLite keeps rows: it is the embedded
default for small fleets, where this would be machinery without a payoff.

Exactly-once survives the move. A sample replayed for an hour already packed is
looked up in the packed `seq` array before it is inserted (`insert_late`), and
the lookup and the move of that hour never interleave: the move holds an
advisory lock exclusively, a batch with such late samples holds it shared.
Fresh samples, nearly all of them, take no lock and make no lookup.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from controlplane.db.models import WorkerNode
from controlplane.db.sql import is_postgres

CHUNK_MS = 3_600_000
# An hour is packed once it ended this long ago, by the clock of the replica packing.
COMPACT_AFTER_MS = 15 * 60_000
# A sample older than this, by the ingesting replica's clock, may belong to a packed
# hour and is checked against it. COMPACT_AFTER_MS - LATE_MS is twice the clock skew
# between replicas this tolerates (5 minutes): a sample one replica sees as fresh is
# never in an hour another has packed.
LATE_MS = 5 * 60_000
# pg_advisory_xact_lock(space, key): "telemetry", "the move into chunks".
LOCK = (0x7E1E, 1)
# Nodes per compaction transaction: 200 nodes' hour is 72,000 samples, moved in
# about a tenth of a second (bench/telemetry_storage.py).
COMPACT_NODES = 200

# The sample columns a chunk packs, as `node_samples` names them, with the type of
# each array. `ts` is stored as milliseconds after the chunk's start (int4): half
# the bytes of the epoch milliseconds, restored by `start + ts` when read.
PACKED: tuple[tuple[str, str], ...] = (
    ("seq", "int8"),
    ("ts", "int4"),
    ("cpu_percent", "float8"),
    ("memory_used", "int8"),
    ("disk_used", "int8"),
    ("load1", "float8"),
    ("load5", "float8"),
    ("load15", "float8"),
)

# One chunk's samples as rows: the `ts` column is epoch milliseconds again.
_UNNEST = (
    f"unnest({', '.join(f'c.{name}' for name, _ in PACKED)}) "
    f"AS u({', '.join(name for name, _ in PACKED)})"
)
_ROW = ", ".join("c.start + u.ts AS ts" if n == "ts" else f"u.{n}" for n, _ in PACKED)


def unpacked(where: str, chunks: str = "node_sample_chunks") -> str:
    """The samples of the chunks in `chunks` matching `where` (over `c`), one row each,
    with the columns of `node_samples` but the id. A chunk holds [start, start + CHUNK_MS)."""
    return f"SELECT c.node_id, {_ROW} FROM {chunks} AS c, {_UNNEST} WHERE {where}"  # noqa: S608 - our SQL


def _compact_sql() -> str:
    aggregates = ", ".join(
        f"array_agg((ts - (ts / {CHUNK_MS}) * {CHUNK_MS})::int4 ORDER BY ts, seq)"
        if name == "ts"
        else f"array_agg({name} ORDER BY ts, seq)"
        for name, _ in PACKED
    )
    # A chunk that exists already (late samples of a packed hour) takes the new ones at
    # its end: readers order by (ts, seq), so the arrays need not stay sorted.
    merge = ", ".join(f"{n} = c.{n} || excluded.{n}" for n, _ in PACKED)
    columns = ", ".join(n for n, _ in PACKED)
    return (
        "WITH gone AS (DELETE FROM node_samples WHERE node_id = ANY($1::uuid[]) AND ts < $2 "  # noqa: S608 - ints
        f"RETURNING node_id, {columns}), "
        f"packed AS (INSERT INTO node_sample_chunks AS c (node_id, start, samples, {columns}) "
        f"SELECT node_id, (ts / {CHUNK_MS}) * {CHUNK_MS}, COUNT(*), {aggregates} "
        f"FROM gone GROUP BY node_id, (ts / {CHUNK_MS}) * {CHUNK_MS} "
        f"ON CONFLICT (node_id, start) DO UPDATE SET samples = c.samples + excluded.samples, "
        f"{merge}) SELECT COUNT(*) FROM gone"
    )


_COMPACT = _compact_sql()


def horizon(now_ms: int) -> int:
    """Samples stamped before this are in hours that may be packed now."""
    return (now_ms - COMPACT_AFTER_MS) // CHUNK_MS * CHUNK_MS


async def compact(now_ms: int, nodes_per_batch: int = COMPACT_NODES) -> int:
    """Packs every node's samples from hours that ended COMPACT_AFTER_MS before
    `now_ms`; returns how many samples moved.

    Each node batch is one transaction that deletes the rows and writes the chunks
    from the same snapshot (one statement), so stopping at any moment loses nothing
    and stores nothing twice: what committed moved, the rest moves next time."""
    if not is_postgres(WorkerNode._meta.db):
        return 0
    before = horizon(now_ms)
    moved = 0
    after: Any = None
    while True:
        query = WorkerNode.all().order_by("id").limit(nodes_per_batch)
        if after is not None:
            query = query.filter(id__gt=after)
        ids = await query.values_list("id", flat=True)
        if not ids:
            return moved
        async with in_transaction() as tx:
            await tx.execute_query("SELECT pg_advisory_xact_lock($1, $2)", list(LOCK))
            _, rows = await tx.execute_query(_COMPACT, [list(ids), before])
        moved += int(rows[0][0])
        after = ids[-1]
        if len(ids) < nodes_per_batch:
            return moved


# For the ingest's INSERT … SELECT … FROM unnest(…) AS v of samples that may belong to a
# packed hour: those already in their hour's chunk are left out.
NOT_PACKED = (
    "NOT EXISTS (SELECT 1 FROM node_sample_chunks AS c WHERE c.node_id = v.node_id"  # noqa: S608 - ints
    f" AND c.start = (v.ts / {CHUNK_MS}) * {CHUNK_MS} AND v.seq = ANY(c.seq))"
)


async def hold_shared(conn: BaseDBAsyncClient) -> None:
    """For the rest of `conn`'s transaction, no hour is packed (see the module's text)."""
    await conn.execute_query("SELECT pg_advisory_xact_lock_shared($1, $2)", list(LOCK))


async def delete_node(conn: BaseDBAsyncClient, node_id: Any) -> None:
    await conn.execute_query("DELETE FROM node_sample_chunks WHERE node_id = $1", [node_id])
