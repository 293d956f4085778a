"""Node reservations: the one conditional UPDATE that makes placement safe under concurrency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from controlplane.db.models import WorkerNode
from controlplane.db.sql import marks, uuid_value
from shared.enums import NodeStatus

# Reservations and capacity are floats for CPU; a tolerance keeps 0.1 + 0.2
# from refusing a node with exactly 0.3 cores left.
EPSILON = 1e-6


@dataclass(frozen=True)
class Requests:
    """What one instance reserves: the pod's requests and its volumes."""

    cpu: float
    memory: int
    storage: int


async def reserve(node_id: uuid.UUID, need: Requests) -> bool:
    """Takes `need` on the node if it is still ACTIVE, schedulable and has room."""
    conn = WorkerNode._meta.db
    p = marks(conn, 8)
    sql = (
        f"UPDATE worker_nodes SET reserved_cpu = reserved_cpu + {p[0]}, "
        f"reserved_memory = reserved_memory + {p[1]}, "
        f"reserved_storage = reserved_storage + {p[2]}, reserved_pods = reserved_pods + 1 "
        f"WHERE id = {p[3]} AND status = {p[4]} AND is_schedulable "
        f"AND reserved_cpu + {p[5]} <= cpu_cores + {EPSILON} "
        f"AND reserved_memory + {p[6]} <= total_memory "
        f"AND reserved_storage + {p[7]} <= total_storage "
        "AND reserved_pods + 1 <= max_pods RETURNING id"
    )
    params = [
        need.cpu,
        need.memory,
        need.storage,
        uuid_value(conn, node_id),
        NodeStatus.ACTIVE.value,
        need.cpu,
        need.memory,
        need.storage,
    ]
    # execute_query_dict fetches RETURNING rows on both backends (execute_query
    # does not on asyncpg for an UPDATE).
    rows = await conn.execute_query_dict(sql, params)
    return len(rows) == 1


async def release(node_id: uuid.UUID, need: Requests) -> None:
    """Gives a reservation back; never below zero, whatever happened in between."""
    conn = WorkerNode._meta.db
    p = marks(conn, 7)
    sql = (
        f"UPDATE worker_nodes SET "
        f"reserved_cpu = CASE WHEN reserved_cpu > {p[0]} THEN reserved_cpu - {p[1]} ELSE 0 END, "
        f"reserved_memory = CASE WHEN reserved_memory > {p[2]} "
        f"THEN reserved_memory - {p[3]} ELSE 0 END, "
        f"reserved_storage = CASE WHEN reserved_storage > {p[4]} "
        f"THEN reserved_storage - {p[5]} ELSE 0 END, "
        "reserved_pods = CASE WHEN reserved_pods > 1 THEN reserved_pods - 1 ELSE 0 END "
        f"WHERE id = {p[6]}"
    )
    params = [
        need.cpu,
        need.cpu,
        need.memory,
        need.memory,
        need.storage,
        need.storage,
        uuid_value(conn, node_id),
    ]
    await conn.execute_query(sql, params)
