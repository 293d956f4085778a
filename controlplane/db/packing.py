"""Telemetry packed into one row per node and period (PostgreSQL only).

A row per sample costs about 300 bytes on PostgreSQL: a 24-byte tuple header and
a 4-byte line pointer before any data, an 8-byte id, and an entry in each of
three B-trees; a 5-minute roll-up row about 210 (bench/telemetry_storage.py).
Packed as one array per column, one row per node and period, the same values
cost a tenth: arrays longer than 2 kB are compressed and stored out of line, and
the one index has an entry per period, not per value.

New values still land as rows: an INSERT per sample is what the ingest batches
cheaply, and a roll-up is upserted as late samples fold into it, where changing
an array rewrites all of it. `Packing.move` then takes a closed period's rows of
a batch of nodes into their chunk, in one statement. Reads and retention see both
(node_metrics). SQLite keeps rows: it is the embedded default for small fleets,
where this would be machinery without a payoff.

Samples are packed by the hour (`compact`, the leader's metric-compaction job),
roll-ups by the day (by retention, once a day's samples have all been rolled up).

An hour's chunk also keeps its 5-minute sums (`Summary`), made by the same statement
that packs its samples: a day of 5-minute buckets reads 24 rows of sums instead of
unnesting 8,640 samples. The sums live in the samples' own row, so they are counted
exactly when the samples are: moved, merged with late samples and dropped by
retention together. A trigger (migration 26) makes them again from the values when a
writer left them out or short (the previous release, during a rolling upgrade); the
move makes them itself, for a whole batch in one pass, and the trigger then only
checks that they add up.

Exactly-once survives the move. A sample replayed for an hour already packed is
looked up in the packed `seq` array before it is inserted (NOT_PACKED), and the
lookup and the move of that hour never interleave: the move holds an advisory
lock exclusively, an ingest batch with such late samples holds it shared. Fresh
samples, nearly all of them, take no lock and make no lookup. Roll-ups need no
lock: a late roll-up for a packed day lands as a row, is packed beside the
chunk's entry for the same bucket, and readers merge the two by count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from controlplane.db.models import WorkerNode
from controlplane.db.sql import is_postgres, marks, uuid_value

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
# pg_advisory_xact_lock(space, key): "telemetry", "samples moving into chunks".
SAMPLES_LOCK = (0x7E1E, 1)
# Nodes per move: 100 nodes' hour of samples is 36,000 of them, moved in about a
# quarter of a second (bench/telemetry_storage.py).
NODES_PER_MOVE = 100


@dataclass(frozen=True)
class Summary:
    """Sums of a chunk's values per `width_ms` bucket, kept in the chunk beside them as
    arrays named `bucket_<name>` (`bucket_start`: ms after the chunk's start). A chunk
    that takes late values takes their sums at the end of its arrays: a bucket may
    then come twice, and readers add its entries up."""

    width_ms: int
    # (name, the value summed up, SUM or MAX, the array's element type)
    fields: tuple[tuple[str, str, str, str], ...]

    @property
    def columns(self) -> list[str]:
        return ["bucket_start", *(f"bucket_{name}" for name, *_ in self.fields)]

    def of_values(self, time: str, values: str) -> str:
        """Each value of `values` (a FROM clause, its time column `time`) as a summary
        row of its own: `t`, then every field."""
        fields = ", ".join(f"{value} AS {name}" for name, value, *_ in self.fields)
        return f"SELECT {time} AS t, {fields} FROM {values}"  # noqa: S608 - our names

    def unnested(self, chunks: str, where: str, keys: str = "") -> str:
        """The summary rows of `chunks` (as `c`) matching `where` (over `c`, with `u.b`
        a bucket's start after the chunk's): `keys` (a select list over `c`), `t`, then
        every field."""
        names = ", ".join(["b", *(name for name, *_ in self.fields)])
        arrays = ", ".join(f"c.{column}" for column in self.columns)
        fields = ", ".join(f"u.{name}" for name, *_ in self.fields)
        return (
            f"SELECT {keys}c.start + u.b AS t, {fields} FROM {chunks} AS c, "  # noqa: S608 - our names
            f"unnest({arrays}) AS u({names}) WHERE {where}"
        )

    def packed(self, rows: str, time: str, period_ms: int) -> str:
        """The summary arrays of the values in `rows`, a row per node and period `start`
        (two CTEs, `sums` and `summaries`, to put after the one naming `rows`)."""
        w, p = self.width_ms, period_ms
        sums = ", ".join(
            f"{how}({value})::{kind} AS {name}" for name, value, how, kind in self.fields
        )
        arrays = ", ".join(
            f"array_agg({name} ORDER BY b) AS bucket_{name}" for name, *_ in self.fields
        )
        return (
            f"sums AS (SELECT node_id, ({time} / {p}) * {p} AS start, "  # noqa: S608 - our names, ints
            f"(({time} / {w}) * {w} - ({time} / {p}) * {p})::int4 AS b, {sums} FROM {rows} "
            "GROUP BY 1, 2, 3), "
            "summaries AS (SELECT node_id, start, array_agg(b ORDER BY b) AS bucket_start, "
            f"{arrays} FROM sums GROUP BY node_id, start)"
        )


@dataclass(frozen=True)
class Packing:
    """`rows` packed into `chunks` by node and `period_ms`. `time` is the rows' epoch-ms
    column, stored in a chunk as milliseconds after its `start` (int4: half the bytes);
    `columns` are what a chunk holds, one array each, in `order` when packed."""

    rows: str
    chunks: str
    time: str
    period_ms: int
    columns: tuple[str, ...]
    order: str
    lock: tuple[int, int] | None = None
    # Whether `time` has an index of its own: then a backlog (the first pass after an
    # upgrade, a leader that was down) moves a period at a time, each transaction
    # bounded by one period of a batch of nodes, oldest first.
    time_indexed: bool = False
    summary: Summary | None = None

    def unpacked(self, where: str, chunks: str | None = None) -> str:
        """The values of the chunks in `chunks` (ours by default) matching `where` (over
        `c`, with `u` the unpacked value), one row each, as `rows` names the columns."""
        arrays = ", ".join(f"c.{name}" for name in self.columns)
        values = ", ".join(
            f"c.start + u.{n} AS {n}" if n == self.time else f"u.{n}" for n in self.columns
        )
        return (
            f"SELECT c.node_id, {values} FROM {chunks or self.chunks} AS c, "  # noqa: S608 - our names
            f"unnest({arrays}) AS u({', '.join(self.columns)}) WHERE {where}"
        )

    def of_node(
        self, conn: BaseDBAsyncClient, node_id: Any, since: int, before: int, first: int = 1
    ) -> tuple[str, list[object]]:
        """One node's values stamped in [since, before) as a subquery `s` with `columns`,
        and its parameters (numbered from `first`): the rows, and on PostgreSQL the
        packed ones too."""
        node, low, high, older = marks(conn, 4, start=first)
        columns, t = ", ".join(self.columns), self.time
        sql = f"SELECT {columns} FROM {self._rows_of(node, low, high)}"  # noqa: S608 - our names
        params: list[object] = [uuid_value(conn, node_id), since, before]
        if is_postgres(conn):
            # A chunk starting up to a period before `since` holds values from `since` on.
            packed = self.unpacked(
                f"c.node_id = {node} AND c.start > {older} AND c.start < {high} "
                f"AND c.start + u.{t} >= {low} AND c.start + u.{t} < {high}"
            )
            sql += f" UNION ALL SELECT {columns} FROM ({packed}) AS p"  # noqa: S608 - our SQL
            params.append(since - self.period_ms)
        return f"({sql}) AS s", params

    def summed_of_node(
        self,
        conn: BaseDBAsyncClient,
        node_id: Any,
        since: int,
        before: int,
        step_ms: int,
        first: int = 1,
    ) -> tuple[str, list[object]]:
        """One node's values stamped in [since, before) as summary rows (`Summary`), a
        subquery `s` to group into buckets of `step_ms`, and its parameters (numbered
        from `first`).

        Where buckets of `step_ms` are made of whole summary buckets, those inside the
        range come as their chunks' sums, one row each; the rest (the rows, the values
        of a chunk outside a whole bucket) one row per value."""
        summary, t = self.summary, self.time
        if summary is None:
            raise TypeError(f"{self.chunks} keep no sums")
        if not is_postgres(conn) or step_ms % summary.width_ms:
            source, values = self.of_node(conn, node_id, since, before, first)
            return f"({summary.of_values(t, source)}) AS s", values
        node, low, high, whole, end, edge_low, edge_high, older = marks(conn, 8, start=first)
        w = summary.width_ms
        first_whole, end_whole = -(-since // w) * w, before // w * w  # [first_whole, end_whole)
        rows = summary.of_values(t, self._rows_of(node, low, high))
        # The values of the chunks holding [since, first_whole) or [end_whole, before).
        edges = self.unpacked(
            f"c.node_id = {node} AND ((c.start > {edge_low} AND c.start < {whole}) "
            f"OR (c.start > {edge_high} AND c.start < {high})) "
            f"AND c.start + u.{t} >= {low} AND c.start + u.{t} < {high} "
            f"AND (c.start + u.{t} < {whole} OR c.start + u.{t} >= {end})"
        )
        sums = summary.unnested(
            self.chunks,
            f"c.node_id = {node} AND c.start > {older} AND c.start < {end} "
            f"AND c.start + u.b >= {whole} AND c.start + u.b < {end}",
        )
        sql = f"{rows} UNION ALL {summary.of_values(t, f'({edges}) AS e')} UNION ALL {sums}"
        p = self.period_ms
        params = [
            uuid_value(conn, node_id),
            since,
            before,
            first_whole,
            end_whole,
            since - p,
            end_whole - p,
            first_whole - p,
        ]
        return f"({sql}) AS s", params

    def _rows_of(self, node: str, low: str, high: str) -> str:
        """The FROM clause of one node's rows in [low, high)."""
        t = self.time
        return f"{self.rows} WHERE node_id = {node} AND {t} >= {low} AND {t} < {high}"

    @cached_property
    def _move(self) -> str:
        p, t = self.period_ms, self.time
        aggregates = ", ".join(
            f"array_agg(({t} - ({t} / {p}) * {p})::int4 ORDER BY {self.order}) AS {name}"
            if name == t
            else f"array_agg({name} ORDER BY {self.order}) AS {name}"
            for name in self.columns
        )
        values = (
            f"SELECT node_id, ({t} / {p}) * {p} AS start, COUNT(*) AS n, {aggregates} "  # noqa: S608 - our names, ints
            "FROM gone GROUP BY 1, 2"
        )
        columns = list(self.columns)
        if self.summary is None:
            ctes, source = "", f"({values}) AS v"
        else:
            ctes = f"{self.summary.packed('gone', t, p)}, "
            source = f"({values}) AS v JOIN summaries USING (node_id, start)"
            columns += self.summary.columns
        # A chunk that exists already (late values of a packed period) takes the new ones
        # at its end: readers sort, so the arrays need not stay in order.
        merge = ", ".join(f"{n} = c.{n} || excluded.{n}" for n in columns)
        names = ", ".join(columns)
        return (
            f"WITH gone AS (DELETE FROM {self.rows} WHERE node_id = ANY($1::uuid[]) "  # noqa: S608 - our names, ints
            f"AND {t} >= $2 AND {t} < $3 RETURNING node_id, {', '.join(self.columns)}), {ctes}"
            f"packed AS (INSERT INTO {self.chunks} AS c (node_id, start, n, {names}) "
            f"SELECT node_id, start, n, {names} FROM {source} "
            f"ON CONFLICT (node_id, start) DO UPDATE SET n = c.n + excluded.n, {merge}) "
            "SELECT COUNT(*) FROM gone"
        )

    async def move(
        self, conn: BaseDBAsyncClient, nodes: list[Any], before: int, since: int = 0
    ) -> int:
        """Packs the rows of `nodes` stamped in [since, before) (period boundaries), in
        `conn`'s transaction; returns how many moved."""
        if self.lock is not None:
            await conn.execute_query("SELECT pg_advisory_xact_lock($1, $2)", list(self.lock))
        _, rows = await conn.execute_query(self._move, [nodes, since, before])
        return int(rows[0][0])

    async def pack(
        self,
        before: int,
        nodes_per_move: int = NODES_PER_MOVE,
        on_move: Callable[[float], None] | None = None,
    ) -> int:
        """Packs every node's rows stamped before `before`; returns how many moved.

        One transaction per batch of nodes (and period, see `time_indexed`), deleting
        the rows and writing the chunks from one snapshot (one statement): stopping at
        any moment loses nothing and stores nothing twice; what committed moved, the
        rest moves next time. A no-op on SQLite. `on_move` hears each transaction's
        seconds."""
        conn = WorkerNode._meta.db
        if not is_postgres(conn):
            return 0
        if not self.time_indexed:
            return await self._pack_window(0, before, await _node_batches(nodes_per_move), on_move)
        since = await self._oldest(conn, 0)
        if since is None or since >= before:
            return 0  # nothing to pack: the fleet's ids are not even read
        batches = await _node_batches(nodes_per_move)  # read once, for every period
        moved = 0
        # Period by period, skipping the empty ones (each found by one index probe).
        while since is not None and since < before:
            start = since // self.period_ms * self.period_ms
            until = min(start + self.period_ms, before)
            moved += await self._pack_window(start, until, batches, on_move)
            since = await self._oldest(conn, until)
        return moved

    async def _oldest(self, conn: BaseDBAsyncClient, since: int) -> int | None:
        """The earliest time of a row stamped at `since` or later."""
        rows = await conn.execute_query_dict(
            f"SELECT MIN({self.time}) AS t FROM {self.rows} WHERE {self.time} >= $1",  # noqa: S608 - our names
            [since],
        )
        oldest = rows[0]["t"]
        return None if oldest is None else int(oldest)

    async def _pack_window(
        self,
        since: int,
        before: int,
        batches: list[list[Any]],
        on_move: Callable[[float], None] | None,
    ) -> int:
        moved = 0
        for ids in batches:
            started = time.perf_counter()
            async with in_transaction() as tx:
                moved += await self.move(tx, ids, before, since)
            if on_move is not None:
                on_move(time.perf_counter() - started)
        return moved

    async def delete_node(self, conn: BaseDBAsyncClient, node_id: Any) -> None:
        await conn.execute_query(
            f"DELETE FROM {self.chunks} WHERE node_id = $1",  # noqa: S608 - our names
            [node_id],
        )


async def _node_batches(size: int) -> list[list[Any]]:
    """Every registered node's id, in id order, in batches of `size`."""
    ids = await WorkerNode.all().order_by("id").values_list("id", flat=True)
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# What a 5-minute bucket shows (node_metrics), so that a day of buckets reads these
# sums, and retention rolls an hour up from them: their width is the roll-ups'.
SAMPLE_SUMS = Summary(
    width_ms=300_000,
    fields=(
        ("samples", "1", "SUM", "int4"),
        ("cpu_sum", "cpu_percent", "SUM", "float8"),
        ("cpu_max", "cpu_percent", "MAX", "float8"),
        ("memory_sum", "memory_used", "SUM", "int8"),
        ("disk_sum", "disk_used", "SUM", "int8"),
        ("load1_sum", "load1", "SUM", "float8"),
    ),
)
SAMPLES = Packing(
    rows="node_samples",
    chunks="node_sample_chunks",
    time="ts",
    period_ms=HOUR_MS,
    columns=(
        "seq",
        "ts",
        "cpu_percent",
        "memory_used",
        "disk_used",
        "load1",
        "load5",
        "load15",
    ),
    order="ts, seq",
    lock=SAMPLES_LOCK,
    time_indexed=True,
    summary=SAMPLE_SUMS,
)
ROLLUPS = Packing(
    rows="node_sample_rollups",
    chunks="node_rollup_chunks",
    time="bucket",
    period_ms=DAY_MS,
    columns=(
        "bucket",
        "samples",
        "cpu_percent",
        "cpu_percent_max",
        "memory_used",
        "disk_used",
        "load1",
    ),
    order="bucket",
)

# An hour of samples is packed once it ended this long ago, by the packing replica's
# clock.
COMPACT_AFTER_MS = 15 * 60_000
# A sample older than this, by the ingesting replica's clock, may belong to a packed
# hour and is checked against it. COMPACT_AFTER_MS - LATE_MS is twice the clock skew
# between replicas this tolerates (5 minutes): a sample one replica sees as fresh is
# never in an hour another has packed.
LATE_MS = 5 * 60_000


def horizon(now_ms: int) -> int:
    """Samples stamped before this are in hours that may be packed now."""
    return (now_ms - COMPACT_AFTER_MS) // HOUR_MS * HOUR_MS


async def compact(
    now_ms: int,
    nodes_per_move: int = NODES_PER_MOVE,
    on_move: Callable[[float], None] | None = None,
) -> int:
    """Packs every node's samples from hours that ended COMPACT_AFTER_MS before `now_ms`."""
    return await SAMPLES.pack(horizon(now_ms), nodes_per_move, on_move)


# For the ingest's INSERT … SELECT … FROM unnest(…) AS v of samples that may belong to a
# packed hour: those already in their hour's chunk are left out.
NOT_PACKED = (
    "NOT EXISTS (SELECT 1 FROM node_sample_chunks AS c WHERE c.node_id = v.node_id"  # noqa: S608 - ints
    f" AND c.start = (v.ts / {HOUR_MS}) * {HOUR_MS} AND v.seq = ANY(c.seq))"
)


async def hold_samples_lock(conn: BaseDBAsyncClient) -> None:
    """For the rest of `conn`'s transaction, no hour of samples is packed."""
    await conn.execute_query("SELECT pg_advisory_xact_lock_shared($1, $2)", list(SAMPLES_LOCK))
