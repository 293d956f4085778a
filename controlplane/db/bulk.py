"""Set-based writes for the telemetry hot path: one statement per batch on either database.

The ORM builds a per-row SQL text for bulk updates, which costs more CPU than
the database spends running it. Here the statement text is fixed: PostgreSQL
gets column arrays through `unnest` (one round trip, one plan), SQLite an
`executemany` (in-process, no round trips).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from controlplane.db.sql import is_postgres
from shared.enums import NodeStatus

SAMPLE_COLUMNS = (
    "node_id",
    "seq",
    "ts",
    "cpu_percent",
    "memory_used",
    "disk_used",
    "load1",
    "load5",
    "load15",
)
_SAMPLE_PG_TYPES = ("uuid", "int8", "int8", "float8", "int8", "int8", "float8", "float8", "float8")

# The node columns a heartbeat batch writes, with their PostgreSQL array types.
NODE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("last_seq", "int8"),
    ("last_heartbeat", "timestamptz"),
    ("last_health_check", "timestamptz"),
    ("cpu_percent", "float8"),
    ("memory_used", "int8"),
    ("disk_used", "int8"),
    ("load1", "float8"),
    ("load5", "float8"),
    ("load15", "float8"),
    ("conditions", "jsonb"),
    ("is_ready", "bool"),
    ("status", "text"),
    ("status_reason", "text"),
    ("status_changed_at", "timestamptz"),
    ("updated_at", "timestamptz"),
)

Sample = tuple[uuid.UUID, int, int, float, int, int, float, float, float]


@dataclass
class NodeState:
    """The columns a heartbeat batch reads and writes, without a full model row."""

    id: uuid.UUID
    status: NodeStatus
    status_reason: str | None
    status_changed_at: datetime | None
    last_seq: int
    last_heartbeat: datetime | None = None
    last_health_check: datetime | None = None
    cpu_percent: float | None = None
    memory_used: int | None = None
    disk_used: int | None = None
    load1: float | None = None
    load5: float | None = None
    load15: float | None = None
    conditions: list[dict[str, Any]] = field(default_factory=list)
    is_ready: bool = False
    updated_at: datetime | None = None


async def lock_nodes(
    conn: BaseDBAsyncClient, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, NodeState]:
    """The nodes' state, locked for this transaction in id order (no deadlock between batches).

    SQLite has no row locks and needs none: it serialises writers.
    """
    if not ids:
        return {}
    if is_postgres(conn):
        rows = await conn.execute_query_dict(
            "SELECT id, status, status_reason, status_changed_at, last_seq FROM worker_nodes "
            "WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
            [list(ids)],
        )
    else:
        rows = await conn.execute_query_dict(
            "SELECT id, status, status_reason, status_changed_at, last_seq FROM worker_nodes "
            f"WHERE id IN ({', '.join('?' for _ in ids)})",
            [str(i) for i in ids],
        )
    states = {}
    for r in rows:
        node_id = r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(str(r["id"]))
        changed = r["status_changed_at"]
        if isinstance(changed, str):  # SQLite hands back text
            changed = datetime.fromisoformat(changed)
        states[node_id] = NodeState(
            id=node_id,
            status=NodeStatus(r["status"]),
            status_reason=r["status_reason"],
            status_changed_at=changed,
            last_seq=int(r["last_seq"]),
        )
    return states


def _pg_insert_samples() -> str:
    arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(_SAMPLE_PG_TYPES))
    cols = ", ".join(SAMPLE_COLUMNS)
    return (
        f"INSERT INTO node_samples ({cols}) SELECT * FROM unnest({arrays}) "
        "ON CONFLICT (node_id, seq) DO NOTHING RETURNING node_id, seq"
    )


def _pg_update_nodes() -> str:
    names = ["id", *(c for c, _ in NODE_COLUMNS)]
    types = ["uuid", *(("text" if t == "jsonb" else t) for _, t in NODE_COLUMNS)]
    arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
    sets = ", ".join(
        f"{c} = v.{c}::jsonb" if t == "jsonb" else f"{c} = v.{c}" for c, t in NODE_COLUMNS
    )
    return (
        f"UPDATE worker_nodes AS w SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}) "
        "WHERE w.id = v.id"
    )


PG_INSERT_SAMPLES = _pg_insert_samples()
PG_UPDATE_NODES = _pg_update_nodes()
SQLITE_INSERT_SAMPLES = (
    f"INSERT OR IGNORE INTO node_samples ({', '.join(SAMPLE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in SAMPLE_COLUMNS)})"
)
SQLITE_UPDATE_NODES = (
    f"UPDATE worker_nodes SET {', '.join(f'{c} = ?' for c, _ in NODE_COLUMNS)} WHERE id = ?"
)


async def insert_samples(
    conn: BaseDBAsyncClient, rows: Sequence[Sample]
) -> set[tuple[uuid.UUID, int]]:
    """Inserts the samples not stored yet; returns the (node, seq) actually inserted."""
    if not rows:
        return set()
    if is_postgres(conn):
        columns = [list(col) for col in zip(*rows, strict=True)]
        inserted = await conn.execute_query_dict(PG_INSERT_SAMPLES, columns)
        return {(r["node_id"], int(r["seq"])) for r in inserted}
    existing = await _sqlite_existing(conn, rows)
    new = [r for r in rows if (r[0], r[1]) not in existing]
    if new:
        await conn.execute_many(SQLITE_INSERT_SAMPLES, [[str(r[0]), *r[1:]] for r in new])
    return {(r[0], r[1]) for r in new}


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
        return json.dumps(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


async def update_nodes(conn: BaseDBAsyncClient, nodes: Sequence[NodeState]) -> None:
    """Writes the heartbeat columns of every node in one statement."""
    if not nodes:
        return
    if is_postgres(conn):
        columns: list[list[Any]] = [[n.id for n in nodes]]
        for name, pg_type in NODE_COLUMNS:
            values = [getattr(n, name) for n in nodes]
            if pg_type == "jsonb":
                values = [json.dumps(v) for v in values]
            elif name == "status":
                values = [v.value for v in values]
            columns.append(values)
        await conn.execute_query(PG_UPDATE_NODES, columns)
        return
    await conn.execute_many(
        SQLITE_UPDATE_NODES,
        [[*(_sqlite_value(getattr(n, c)) for c, _ in NODE_COLUMNS), str(n.id)] for n in nodes],
    )


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
