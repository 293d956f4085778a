"""Set-based writes for the telemetry hot path: one statement per batch on either database.

The ORM builds a per-row SQL text for bulk updates, which costs more CPU than
the database spends running it. Here the statement text is fixed: PostgreSQL
gets column arrays through `unnest` (one round trip, one plan), SQLite an
`executemany` (in-process, no round trips).

Sending the batch as one JSON document instead (json_array_elements) was
measured: about 4 us less of this process's CPU per heartbeat, about 20 us more
of PostgreSQL's. Replicas scale out and the database does not, so arrays stay.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from controlplane.db import packing
from controlplane.db.sql import is_postgres
from shared.enums import NodeStatus

# A sample row: its node, then the columns an hour's chunk packs (db/packing.py).
SAMPLE_COLUMNS = ("node_id", *packing.SAMPLES.columns)
_SAMPLE_PG_TYPES = ("uuid", "int8", "int8", "float8", "int8", "int8", "float8", "float8", "float8")

# The node columns each heartbeat writes, with their PostgreSQL array types. The
# times (last heartbeat, last health check, updated) are the batch's one `now`,
# sent once rather than as arrays: timestamps are the dearest values to encode.
LIVE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("last_seq", "int8"),
    ("cpu_percent", "float8"),
    ("memory_used", "int8"),
    ("disk_used", "int8"),
    ("load1", "float8"),
    ("load5", "float8"),
    ("load15", "float8"),
    ("conditions", "jsonb"),
    ("is_ready", "bool"),
)
BATCH_TIME_COLUMNS = ("last_heartbeat", "last_health_check", "updated_at")
# Written only for the few nodes whose state a batch changed.
STATUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "text"),
    ("status_reason", "text"),
    ("status_changed_at", "timestamptz"),
)

Sample = tuple[uuid.UUID, int, int, float, int, int, float, float, float]
# By stored value: a dict lookup, where calling the Enum costs a microsecond a row.
_STATUSES = {s.value: s for s in NodeStatus}


@dataclass(slots=True)
class NodeState:
    """The columns a heartbeat batch reads and writes, without a full model row."""

    id: uuid.UUID
    status: NodeStatus
    last_seq: int
    # Set by a transition (node_events.apply) for update_status to write.
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    cpu_percent: float | None = None
    memory_used: int | None = None
    disk_used: int | None = None
    load1: float | None = None
    load5: float | None = None
    load15: float | None = None
    conditions: str = "[]"  # JSON text, as the heartbeat's validated conditions dump it
    is_ready: bool = False
    updated_at: datetime | None = None


async def lock_nodes(
    conn: BaseDBAsyncClient, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, NodeState]:
    """The nodes' state, locked for this transaction in id order (no deadlock between batches).

    Only what a heartbeat decides by is read: its status and last seq. A transition
    overwrites the reason and the time of the status, so they are not decoded.
    SQLite has no row locks and needs none: it serialises writers.
    """
    if not ids:
        return {}
    # Rows as the driver returns them (both index by column name): no dict per row.
    if is_postgres(conn):
        _, rows = await conn.execute_query(
            "SELECT id, status, last_seq FROM worker_nodes "
            "WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
            [list(ids)],
        )
    else:
        _, rows = await conn.execute_query(
            "SELECT id, status, last_seq FROM worker_nodes "
            f"WHERE id IN ({', '.join('?' for _ in ids)})",
            [str(i) for i in ids],
        )
    states = {}
    for r in rows:
        node_id = r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(str(r["id"]))
        states[node_id] = NodeState(node_id, _STATUSES[r["status"]], int(r["last_seq"]))
    return states


def _pg_insert_samples(where: str = "TRUE") -> str:
    arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_SAMPLE_PG_TYPES))
    cols = ", ".join(SAMPLE_COLUMNS)
    # Answers with the samples it did not store, nearly always none: returning the
    # stored keys instead made the driver decode and Python hash a UUID per sample.
    return (
        f"WITH v AS (SELECT * FROM unnest({arrays}) AS v({cols})), "
        f"stored AS (INSERT INTO node_samples ({cols}) SELECT * FROM v WHERE {where} "
        "ON CONFLICT (node_id, seq) DO NOTHING RETURNING node_id, seq) "
        "SELECT node_id, seq FROM v EXCEPT SELECT node_id, seq FROM stored"
    )


@dataclass(frozen=True)
class _NodeUpdate:
    """Sets `columns` of many nodes, and every `times` column to one shared value, in
    one statement of fixed text per dialect."""

    columns: tuple[tuple[str, str], ...]
    times: tuple[str, ...]

    @property
    def values(self) -> Callable[[NodeState], tuple[Any, ...]]:
        """A node's values of `columns`, in order (one C call per node)."""
        names = [c for c, _ in self.columns]
        get = attrgetter(*names)
        return get if len(names) > 1 else lambda node: (get(node),)

    @property
    def postgres(self) -> str:
        names = ["id", *(c for c, _ in self.columns)]
        types = ["uuid", *(("text" if t == "jsonb" else t) for _, t in self.columns)]
        arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
        sets = [f"{c} = v.{c}::jsonb" if t == "jsonb" else f"{c} = v.{c}" for c, t in self.columns]
        sets += [f"{c} = ${len(types) + 1}::timestamptz" for c in self.times]
        return (
            f"UPDATE worker_nodes AS w SET {', '.join(sets)} "
            f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE w.id = v.id"
        )

    @property
    def sqlite(self) -> str:
        sets = [f"{c} = ?" for c, _ in self.columns] + [f"{c} = ?" for c in self.times]
        return f"UPDATE worker_nodes SET {', '.join(sets)} WHERE id = ?"


PG_INSERT_SAMPLES = _pg_insert_samples()
PG_INSERT_LATE_SAMPLES = _pg_insert_samples(packing.NOT_PACKED)
SQLITE_INSERT_SAMPLES = (
    f"INSERT OR IGNORE INTO node_samples ({', '.join(SAMPLE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in SAMPLE_COLUMNS)})"
)
_LIVE = _NodeUpdate(LIVE_COLUMNS, BATCH_TIME_COLUMNS)
_STATUS = _NodeUpdate(STATUS_COLUMNS, ())
# Built once: the text is the same for every batch.
_SQL = {u: (u.postgres, u.sqlite, u.values) for u in (_LIVE, _STATUS)}


async def insert_samples(
    conn: BaseDBAsyncClient, rows: Sequence[Sample], now_ms: int
) -> set[tuple[uuid.UUID, int]]:
    """Inserts the samples not stored yet; returns the (node, seq) of those that were
    (duplicates). `rows` must not repeat a (node, seq).

    On PostgreSQL a sample stamped more than LATE_MS before `now_ms` may replay one
    already packed into its hour's chunk (db/packing.py): such samples are checked
    there first, under the lock that keeps their hour from being packed meanwhile."""
    if not rows:
        return set()
    if is_postgres(conn):
        late_before = now_ms - packing.LATE_MS
        fresh = [r for r in rows if r[2] >= late_before]
        duplicates = await _pg_insert(conn, PG_INSERT_SAMPLES, fresh)
        if len(fresh) < len(rows):
            await packing.hold_samples_lock(conn)
            late = [r for r in rows if r[2] < late_before]
            duplicates |= await _pg_insert(conn, PG_INSERT_LATE_SAMPLES, late)
        return duplicates
    existing = await _sqlite_existing(conn, rows)
    new = [r for r in rows if (r[0], r[1]) not in existing]
    if new:
        await conn.execute_many(SQLITE_INSERT_SAMPLES, [[str(r[0]), *r[1:]] for r in new])
    return existing


# The live columns write_batch sends per node: the last seq it takes from the samples.
_BATCH_LIVE = _NodeUpdate(tuple(c for c in LIVE_COLUMNS if c[0] != "last_seq"), ())


def _pg_write_batch() -> str:
    """A batch's samples and node rows in one statement: the nodes locked in id order,
    their new samples inserted, their rows rewritten (a heartbeat's live columns, or
    for a node that only replayed, its last seq). It answers with each node found, its
    status as locked and its last seq after, then the samples it did not store. Alone on
    its connection it is its own transaction: one round trip where BEGIN, a lock, an
    insert, an update and COMMIT were five, each of them a wait for the database and
    then for our event loop, which on a busy machine is what a heartbeat's tail was."""
    cols = ", ".join(SAMPLE_COLUMNS)
    samples = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_SAMPLE_PG_TYPES))
    live = _BATCH_LIVE.columns
    first = len(_SAMPLE_PG_TYPES) + 1
    types = ["uuid", "bool", *("text" if t == "jsonb" else t for _, t in live)]
    names = ["id", "beating", *(c for c, _ in live)]
    nodes = ", ".join(f"${first + i}::{t}[]" for i, t in enumerate(types))
    now = f"${first + len(types)}::timestamptz"
    sets = ["last_seq = GREATEST(w.last_seq, top.seq)"]
    for c, t in live:
        value = f"n.{c}::jsonb" if t == "jsonb" else f"n.{c}"
        sets.append(f"{c} = CASE WHEN n.beating THEN {value} ELSE w.{c} END")
    for c in BATCH_TIME_COLUMNS:
        # A replay says nothing of the node's health now: only its row's change is dated.
        sets.append(
            f"{c} = {now}"
            if c == "updated_at"
            else f"{c} = CASE WHEN n.beating THEN {now} ELSE w.{c} END"
        )
    return (
        f"WITH v AS (SELECT * FROM unnest({samples}) AS v({cols})), "
        f"n AS (SELECT * FROM unnest({nodes}) AS n({', '.join(names)})), "
        # Materialised, so every row is locked (in id order, as lock_nodes and the sweep
        # lock: no deadlock) before the insert and the update below read it.
        "locked AS MATERIALIZED (SELECT id, status FROM worker_nodes "
        f"WHERE id = ANY(${first}::uuid[]) ORDER BY id FOR UPDATE), "
        f"stored AS (INSERT INTO node_samples ({cols}) SELECT * FROM v "
        "WHERE v.node_id IN (SELECT id FROM locked) "
        "ON CONFLICT (node_id, seq) DO NOTHING RETURNING node_id, seq), "
        "top AS (SELECT node_id, max(seq) AS seq FROM stored GROUP BY node_id), "
        f"upd AS (UPDATE worker_nodes AS w SET {', '.join(sets)} "
        "FROM n LEFT JOIN top ON top.node_id = n.id "
        "WHERE w.id = n.id AND w.id IN (SELECT id FROM locked) RETURNING w.id, w.last_seq) "
        "SELECT l.id, l.status, u.last_seq, NULL::int8 AS seq FROM locked AS l "
        "JOIN upd AS u ON u.id = l.id "
        "UNION ALL SELECT v.node_id, NULL, NULL, v.seq FROM v "
        "WHERE v.node_id IN (SELECT id FROM locked) AND NOT EXISTS "
        "(SELECT 1 FROM stored AS s WHERE s.node_id = v.node_id AND s.seq = v.seq)"
    )


PG_WRITE_BATCH = _pg_write_batch()


@dataclass(slots=True)
class Written:
    """What write_batch found and did: each node's status as it locked it and its last
    seq after; the samples already stored (duplicates)."""

    statuses: dict[uuid.UUID, NodeStatus]
    last_seqs: dict[uuid.UUID, int]
    duplicates: set[tuple[uuid.UUID, int]]


def writes_at_once(conn: BaseDBAsyncClient, rows: Sequence[Sample], now_ms: int) -> bool:
    """Whether write_batch can store these samples: on PostgreSQL, none of them so late
    that its hour may be packed already (insert_samples' second path, under a lock)."""
    late_before = now_ms - packing.LATE_MS
    return is_postgres(conn) and all(r[2] >= late_before for r in rows)


async def write_batch(
    conn: BaseDBAsyncClient,
    rows: Sequence[Sample],
    nodes: Sequence[NodeState],
    beating: set[uuid.UUID],
    now: datetime,
) -> Written:
    """One telemetry batch in one statement, on a connection outside any transaction
    (its own, then; see _pg_write_batch): `rows` (no (node, seq) twice) for `nodes`, whose
    live columns are written where they are `beating`. Where `writes_at_once` holds."""
    values = _pg_arrays(nodes, _BATCH_LIVE)
    beats = [n.id in beating for n in nodes]
    samples = [list(col) for col in zip(*rows, strict=True)] if rows else [[]] * len(SAMPLE_COLUMNS)
    _, found = await conn.execute_query(
        PG_WRITE_BATCH, [*samples, values[0], beats, *values[1:], now]
    )
    written = Written({}, {}, set())
    for r in found:
        if r["status"] is None:
            written.duplicates.add((r["id"], r["seq"]))
        else:
            written.statuses[r["id"]] = _STATUSES[r["status"]]
            written.last_seqs[r["id"]] = int(r["last_seq"])
    return written


async def lock_last_heard(
    conn: BaseDBAsyncClient, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[NodeStatus, datetime | None]]:
    """The nodes' status and last heartbeat's time, locked in id order for this
    transaction (PostgreSQL): what a batch that wrote at once judges a move by."""
    _, rows = await conn.execute_query(
        "SELECT id, status, last_heartbeat FROM worker_nodes "
        "WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
        [list(ids)],
    )
    return {r["id"]: (_STATUSES[r["status"]], r["last_heartbeat"]) for r in rows}


async def _pg_insert(
    conn: BaseDBAsyncClient, sql: str, rows: Sequence[Sample]
) -> set[tuple[uuid.UUID, int]]:
    if not rows:
        return set()
    _, skipped = await conn.execute_query(sql, [list(col) for col in zip(*rows, strict=True)])
    return {(r[0], r[1]) for r in skipped}


async def _sqlite_existing(
    conn: BaseDBAsyncClient, rows: Sequence[Sample]
) -> set[tuple[uuid.UUID, int]]:
    nodes = sorted({str(r[0]) for r in rows})
    seqs = sorted({r[1] for r in rows})
    sql = (
        "SELECT node_id, seq FROM node_samples WHERE node_id IN "
        f"({', '.join('?' for _ in nodes)}) AND seq IN ({', '.join('?' for _ in seqs)})"
    )
    found = await conn.execute_query_dict(sql, [*nodes, *seqs])
    return {(uuid.UUID(str(r["node_id"])), int(r["seq"])) for r in found}


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ")  # as tortoise's SQLite adapter stores them
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _pg_arrays(nodes: Sequence[NodeState], what: _NodeUpdate) -> list[list[Any]]:
    """One array per column, ids first; JSON columns are JSON text the statement casts."""
    return [[n.id for n in nodes], *map(list, zip(*map(what.values, nodes), strict=True))]


async def _update(
    conn: BaseDBAsyncClient, nodes: Sequence[NodeState], what: _NodeUpdate, at: datetime | None
) -> None:
    if not nodes:
        return
    postgres, sqlite, values = _SQL[what]
    if is_postgres(conn):
        arrays = _pg_arrays(nodes, what)
        await conn.execute_query(postgres, [*arrays, at] if what.times else arrays)
        return
    times = [_sqlite_value(at) for _ in what.times]
    await conn.execute_many(
        sqlite,
        [[*(_sqlite_value(v) for v in values(n)), *times, str(n.id)] for n in nodes],
    )


async def update_nodes(conn: BaseDBAsyncClient, nodes: Sequence[NodeState], now: datetime) -> None:
    """Writes the heartbeat's live columns of every node, all beating at `now`."""
    await _update(conn, nodes, _LIVE, now)


async def update_status(conn: BaseDBAsyncClient, nodes: Sequence[NodeState]) -> None:
    """Writes the status columns of the nodes whose state a batch changed."""
    await _update(conn, nodes, _STATUS, None)


async def advance_seq(conn: BaseDBAsyncClient, nodes: Sequence[NodeState]) -> None:
    """Records the highest stored seq of nodes that only replayed samples."""
    if not nodes:
        return
    if is_postgres(conn):
        await conn.execute_query(
            "UPDATE worker_nodes AS w SET last_seq = GREATEST(w.last_seq, v.last_seq), "
            "updated_at = v.updated_at FROM unnest($1::uuid[], $2::int8[], $3::timestamptz[]) "
            "AS v(id, last_seq, updated_at) WHERE w.id = v.id",
            [[n.id for n in nodes], [n.last_seq for n in nodes], [n.updated_at for n in nodes]],
        )
        return
    await conn.execute_many(
        "UPDATE worker_nodes SET last_seq = MAX(last_seq, ?), updated_at = ? WHERE id = ?",
        [[n.last_seq, _sqlite_value(n.updated_at), str(n.id)] for n in nodes],
    )


# The health sweep's reads and writes: a fixed number of statements per batch
# of silent nodes, however many there are.


@dataclass
class SilentNode:
    """A node the health sweep found silent, locked for its transaction."""

    id: uuid.UUID
    status: NodeStatus
    status_reason: str | None
    status_changed_at: datetime | None
    last_heartbeat: datetime | None
    created_at: datetime
    is_ready: bool


def _aware(value: Any) -> Any:
    """SQLite hands timestamps back as the text tortoise stored."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def lock_silent_nodes(
    conn: BaseDBAsyncClient,
    statuses: Sequence[NodeStatus],
    cutoff: datetime,
    limit: int,
    after: uuid.UUID | None = None,
) -> list[SilentNode]:
    """Nodes in `statuses` last seen (heartbeat, else registration) before `cutoff`,
    locked in id order (as `lock_nodes` locks: no deadlock with heartbeats), at most
    `limit` of them, with ids above `after`.

    On PostgreSQL a row a heartbeat holds is waited for and then checked again
    (READ COMMITTED re-evaluates the WHERE on the new row version), so a node
    whose heartbeat committed meanwhile is not returned. SQLite serialises writers.
    """
    if not statuses:
        return []
    columns = "id, status, status_reason, status_changed_at, last_heartbeat, created_at, is_ready"
    if is_postgres(conn):
        params: list[Any] = [[s.value for s in statuses], cutoff, limit]
        later = ""
        if after is not None:
            params.append(after)
            later = " AND id > $4"
        rows = await conn.execute_query_dict(
            f"SELECT {columns} FROM worker_nodes WHERE status = ANY($1::text[])"
            f" AND COALESCE(last_heartbeat, created_at) < $2{later}"
            " ORDER BY id LIMIT $3 FOR UPDATE",
            params,
        )
    else:
        params = [s.value for s in statuses]
        params.append(_sqlite_value(cutoff))
        later = ""
        if after is not None:
            params.append(str(after))
            later = " AND id > ?"
        params.append(limit)
        rows = await conn.execute_query_dict(
            f"SELECT {columns} FROM worker_nodes"
            f" WHERE status IN ({', '.join('?' for _ in statuses)})"
            f" AND COALESCE(last_heartbeat, created_at) < ?{later} ORDER BY id LIMIT ?",
            params,
        )
    return [
        SilentNode(
            id=r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(str(r["id"])),
            status=NodeStatus(r["status"]),
            status_reason=r["status_reason"],
            status_changed_at=_aware(r["status_changed_at"]),
            last_heartbeat=_aware(r["last_heartbeat"]),
            created_at=_aware(r["created_at"]),
            is_ready=bool(r["is_ready"]),
        )
        for r in rows
    ]


async def update_silent_nodes(
    conn: BaseDBAsyncClient, nodes: Sequence[SilentNode], now: datetime
) -> None:
    """Writes the status columns and readiness of the swept nodes in one statement."""
    if not nodes:
        return
    if is_postgres(conn):
        await conn.execute_query(
            "UPDATE worker_nodes AS w SET status = v.status, status_reason = v.status_reason,"
            " status_changed_at = v.status_changed_at, is_ready = v.is_ready, updated_at = $6"
            " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::bool[])"
            " AS v(id, status, status_reason, status_changed_at, is_ready) WHERE w.id = v.id",
            [
                [n.id for n in nodes],
                [n.status.value for n in nodes],
                [n.status_reason for n in nodes],
                [n.status_changed_at for n in nodes],
                [n.is_ready for n in nodes],
                now,
            ],
        )
        return
    await conn.execute_many(
        "UPDATE worker_nodes SET status = ?, status_reason = ?, status_changed_at = ?,"
        " is_ready = ?, updated_at = ? WHERE id = ?",
        [
            [
                n.status.value,
                n.status_reason,
                _sqlite_value(n.status_changed_at),
                n.is_ready,
                _sqlite_value(now),
                str(n.id),
            ]
            for n in nodes
        ],
    )
