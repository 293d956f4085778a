"""Worker-node administration: CRUD, listing, fleet statistics, cordon and maintenance."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from tortoise import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from controlplane.db import packing
from controlplane.db.models import NodeEvent, WorkerNode
from controlplane.db.sql import Where, get_by, is_postgres
from controlplane.services import tallies
from controlplane.services.errors import Conflict, FieldError, Invalid, NotFound
from controlplane.services.fleet import health, node_events
from controlplane.services.fleet.coalesce import Recent
from controlplane.services.fleet.health import Transition
from controlplane.services.fleet.node_auth import NodeAuth
from controlplane.services.fleet.registration import facts_as_fields
from controlplane.services.ids import parse_id
from controlplane.services.paging import FoundFirst, Total, count, page_values
from shared.enums import NodeStatus
from shared.wire.common import PageQuery
from shared.wire.nodes import ResourceReport
from shared.wire.workers import (
    Capacity,
    NodeEventOut,
    StatusChange,
    WorkerCreate,
    WorkerList,
    WorkerListQuery,
    WorkerOut,
    WorkerStats,
    WorkerSummary,
    WorkerUpdate,
)

log = logging.getLogger("minispod.workers")

NULLABLE_SORTS = frozenset({"last_heartbeat"})

SORT_COLUMNS = {
    "createdAt": "created_at",
    "name": "name",
    "status": "status",
    "lastHeartbeat": "last_heartbeat",
}


async def get_node(
    raw_id: str, *, lock: bool = False, db: BaseDBAsyncClient | None = None
) -> WorkerNode:
    """The node; with `lock`, its row locked until the caller's transaction ends."""
    qs = WorkerNode.filter(id=parse_id(raw_id, "Worker node"))
    if db is not None:
        qs = qs.using_db(db)
    node = await (qs.select_for_update() if lock else qs).first()
    if node is None:
        raise NotFound("Worker node not found")
    return node


async def existing_id(raw_id: str, db: BaseDBAsyncClient) -> uuid.UUID:
    """The node's id once its row is found (NotFound else), by its id column alone: a
    node's usage history needs no more of it than that it exists."""
    node = await get_by(WorkerNode, "id", parse_id(raw_id, "Worker node"), "id", db=db)
    if node is None:
        raise NotFound("Worker node not found")
    return node.id


def out(node: WorkerNode) -> WorkerOut:
    return WorkerOut.model_validate(node)


# The columns each view of a listing shows (fields are named as the model's are); a
# page is validated from plain row values in one pass.
_VIEWS: dict[str, tuple[tuple[str, ...], TypeAdapter[Any]]] = {
    "full": (tuple(WorkerOut.model_fields), TypeAdapter(list[WorkerOut])),
    "summary": (tuple(WorkerSummary.model_fields), TypeAdapter(list[WorkerSummary])),
}


async def create(body: WorkerCreate, now: datetime) -> WorkerNode:
    node = WorkerNode(
        id=uuid.uuid4(),
        name=body.name,
        is_schedulable=body.is_schedulable,
        **facts_as_fields(body),
    )
    event = node_events.apply(
        node, Transition(NodeStatus.PENDING, "registered by an administrator"), now, first=True
    )
    try:
        async with in_transaction():
            await node.save()
            await event.save()
    except IntegrityError:
        raise Conflict(f"A worker node named {body.name!r} already exists") from None
    return node


# On PostgreSQL, what a listing sorts, filters and searches by, kept apart from
# worker_nodes by triggers (migrations 28 and 29, worker_listing_keys): id,
# created_at, name, status, cordon, hostname and IP address. Heartbeats rewrite every
# node row every few seconds, so walking worker_nodes to an offset visits the heap for
# each node skipped, and a search reads that hot heap for each match; these rows change
# only when a node is added, removed or changes one of them, stay all-visible, and an
# offset is walked in an index alone (a page at a random offset of 10,000 nodes under
# dashboards: 7.8 ms of PostgreSQL, 1.3 so).
LISTING_KEYS = "worker_listing_keys"
# The sorts the keys have an index for; the others read worker_nodes.
KEYED_SORTS = frozenset({"created_at", "name"})

# A search matching at most this many nodes reads them all, then sorts (paging's
# _found_first): about 0.6 µs a match, so 0.6 ms at most; beyond it, walking the sort's
# index fills a page sooner.
FOUND_FIRST_UPTO = 1000


@dataclass(frozen=True)
class Counting:
    """How a listing's total is had: `recent` keeps counts for a while (its ttl); a
    count kept below `exact_below` is made again, since a small listing costs little to
    count and a reader then sees the node just added."""

    recent: Recent[int]
    exact_below: int


async def list_nodes(
    query: WorkerListQuery, counting: Counting, db: BaseDBAsyncClient
) -> WorkerList:
    """A page of the fleet, read through `db` (the read pool: a dashboard's reads wait
    for their own connections, never for the ones heartbeats commit on)."""
    where = Where(db)
    if query.status is not None:
        where.add("status = {}", query.status)
    if query.is_schedulable is not None:
        where.add("is_schedulable = {}", query.is_schedulable)
    if query.search:
        where.contains(("name", "hostname", "ip_address"), query.search)

    key = (query.status, query.is_schedulable, query.search)
    column = SORT_COLUMNS[query.sort_by]
    # The keys hold every column a listing filters or searches by.
    keys = LISTING_KEYS if where.postgres and column in KEYED_SORTS else None

    async def recent() -> Total:
        # Counting 10,000 rows on every page view was most of the database's share of
        # a page; the same filter's count from a few seconds ago serves as well.
        return await counting.recent.get(key, lambda: count(db, WorkerNode, where, keys))

    async def total() -> Total:
        n, kept = await recent()
        if kept and n < counting.exact_below:
            return await count(db, WorkerNode, where, keys), False
        return n, kept

    async def estimate() -> int:
        return (await recent())[0]

    # NULL sorts first on one database and last on the other: no keyset over it.
    return await _page(
        where,
        query,
        column,
        total,
        query.cursor,
        column not in NULLABLE_SORTS,
        query.view,
        FoundFirst(FOUND_FIRST_UPTO, estimate) if query.search else None,
        keys,
    )


async def online_or_offline(
    online: bool, query: PageQuery, now: datetime, grace: timedelta, db: BaseDBAsyncClient
) -> WorkerList:
    """Online: a heartbeat within the grace period. Offline: the rest, never-seen included."""
    since = now - grace
    where = Where(db).add(
        "last_heartbeat >= {}" if online else "last_heartbeat < {} OR last_heartbeat IS NULL",
        since,
    )

    async def total() -> Total:
        return await count(db, WorkerNode, where), False

    # These take no cursor (their query is the plain PageQuery), so none is handed out.
    return await _page(where, query, "name" if online else "last_heartbeat", total)


async def _page(
    where: Where,
    query: PageQuery,
    column: str,
    total: Callable[[], Awaitable[Total]],
    cursor: str | None = None,
    keyset: bool = False,
    view: str = "full",
    found_first: FoundFirst | None = None,
    keys: str | None = None,
) -> WorkerList:
    fields, shape = _VIEWS[view]
    rows, pagination = await page_values(
        WorkerNode,
        where,
        query,
        column,
        fields,
        total=total,
        cursor=cursor,
        keyset=keyset,
        found_first=found_first,
        keys=keys,
    )
    # Built, not validated again: the rows were validated as the view's nodes, and
    # validating them against the list's union tried each summary as a full node
    # first (1.9 ms of a 20-node summary page's CPU went to those failures).
    return WorkerList.model_construct(workers=shape.validate_python(rows), pagination=pagination)


async def update(raw_id: str, body: WorkerUpdate) -> WorkerNode:
    node = await get_node(raw_id)
    changes = body.model_dump(exclude_unset=True)
    if "taints" in changes and body.taints is not None:
        changes["taints"] = [t.wire() for t in body.taints]
    await WorkerNode.filter(id=node.id).update(**changes)
    await node.refresh_from_db()
    return node


async def delete(raw_id: str, auth: NodeAuth, now: datetime) -> None:
    node = await get_node(raw_id)
    from controlplane.db.models import NodeSample, NodeSampleRollup

    async with in_transaction() as tx:
        if is_postgres(tx):
            for packed in (packing.SAMPLES, packing.ROLLUPS):
                await packed.delete_node(tx, node.id)
        await NodeSample.filter(node_id=node.id).delete()
        await NodeSampleRollup.filter(node_id=node.id).delete()
        await NodeEvent.filter(node_id=node.id).delete()
        await auth.revoke(node.id, now)
        await node.delete()
    # Again once committed: a heartbeat read between revoke() and the commit
    # may have cached the token anew (other replicas hear it by NOTIFY).
    auth.forget_node(node.id)


async def release(raw_id: str, auth: NodeAuth, now: datetime, by: uuid.UUID) -> WorkerNode:
    """Frees the node's name for the next agent that registers under it, keeping the node,
    its history and its instances: for a node reinstalled without its agent's state (the
    node secret is gone with it). The current node token is revoked, so an agent still
    running there must register again, and claims the node anew with its own secret."""
    async with in_transaction():
        node = await get_node(raw_id, lock=True)
        node.node_secret_hash = None
        await node.save(update_fields=["node_secret_hash", "updated_at"])
        await auth.revoke(node.id, now)
    auth.forget_node(node.id)  # as in delete: a read racing the commit may have re-cached it
    log.info(
        "node %s released by administrator %s: the next agent to register owns it", node.name, by
    )
    return node


async def toggle_schedulable(raw_id: str) -> WorkerNode:
    async with in_transaction():
        node = await get_node(raw_id, lock=True)
        node.is_schedulable = not node.is_schedulable
        await node.save(update_fields=["is_schedulable", "updated_at"])
    return node


async def change_status(
    raw_id: str, body: StatusChange, now: datetime, grace: timedelta
) -> WorkerNode:
    """Enters or leaves MAINTENANCE; Conflict for what only heartbeats decide."""
    async with in_transaction():
        node = await get_node(raw_id, lock=True)
        transition = health.on_admin(node, NodeStatus(body.status), now, grace)
        if transition is not None:
            if body.reason:
                transition = Transition(transition.to, f"{transition.reason}: {body.reason}")
            event = node_events.apply(node, transition, now)
            await node.save(
                update_fields=["status", "status_reason", "status_changed_at", "updated_at"]
            )
            await event.save()
    return node


async def events(raw_id: str, limit: int = 100) -> list[NodeEventOut]:
    node = await get_node(raw_id)
    rows = await NodeEvent.filter(node_id=node.id).order_by("-id").limit(limit)
    return [NodeEventOut.model_validate(e) for e in rows]


def _capacity(total: float | None, allocated: float | None) -> Capacity:
    t, a = float(total or 0), float(allocated or 0)
    return Capacity(total=t, allocated=a, ratio=round(a / t, 4) if t else 0.0)


FLEET_SUMS = {
    "cpu": Sum("cpu_cores"),
    "cpu_a": Sum("allocated_cpu"),
    "mem": Sum("total_memory"),
    "mem_a": Sum("allocated_memory"),
    "disk": Sum("total_storage"),
    "disk_a": Sum("allocated_storage"),
    "pods": Sum("max_pods"),
    "pods_a": Sum("current_pods"),
}


async def stats(now: datetime, grace: timedelta, db: BaseDBAsyncClient) -> WorkerStats:
    """Fleet figures, aggregated by the database (no row is loaded).

    One pass over the table, grouped by status, gives every figure: four
    separate aggregate queries cost four scans and four round trips."""
    groups = (
        await WorkerNode.all()
        .using_db(db)
        .annotate(
            n=Count("id"),
            schedulable=Count("id", _filter=Q(is_schedulable=True)),
            online=Count("id", _filter=Q(last_heartbeat__gte=now - grace)),
            **FLEET_SUMS,
        )
        .group_by("status")
        .values("status", "n", "schedulable", "online", *FLEET_SUMS)
    )
    by_status = {s.value: 0 for s in NodeStatus}
    sums = dict.fromkeys(("schedulable", "online", *FLEET_SUMS), 0.0)
    for row in groups:
        by_status[str(row["status"])] = int(row["n"])
        for key in sums:
            sums[key] += float(row[key] or 0)
    return WorkerStats(
        as_of=now,
        total=sum(by_status.values()),
        by_status=by_status,
        schedulable=int(sums["schedulable"]),
        online=int(sums["online"]),
        cpu=_capacity(sums["cpu"], sums["cpu_a"]),
        memory=_capacity(sums["mem"], sums["mem_a"]),
        storage=_capacity(sums["disk"], sums["disk_a"]),
        pods=_capacity(sums["pods"], sums["pods_a"]),
    )


@dataclass(frozen=True)
class NodeCapacity:
    """What one node offers, since it registered."""

    since: datetime
    cpu: float
    memory: int
    storage: int
    pods: int


async def capacity_timeline() -> list[NodeCapacity]:
    """Every node's capacity and registration, oldest first: capacity planning's history of
    what the fleet offered (a deleted node is gone from it, as from the fleet)."""
    rows = (
        await WorkerNode.all()
        .order_by("created_at")
        .values_list("created_at", "cpu_cores", "total_memory", "total_storage", "max_pods")
    )
    return [NodeCapacity(r[0], float(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def record_allocation(node_id: uuid.UUID, report: ResourceReport, now: datetime) -> None:
    """What the pods on a node requested, as its agent reports it; refused beyond capacity."""
    node = await WorkerNode.get_or_none(id=node_id)
    if node is None:
        raise NotFound("Worker node not found; register again")
    beyond = [
        (field, f"exceeds the node's {what}")
        for field, value, limit, what in (
            ("allocatedCPU", report.allocated_cpu, node.cpu_cores, f"{node.cpu_cores} cores"),
            (
                "allocatedMemory",
                report.allocated_memory,
                node.total_memory,
                f"{node.total_memory} MB",
            ),
            (
                "allocatedStorage",
                report.allocated_storage,
                node.total_storage,
                f"{node.total_storage} MB",
            ),
            ("currentPods", report.current_pods, node.max_pods, f"maxPods {node.max_pods}"),
        )
        if value > limit
    ]
    if beyond:
        raise Invalid("Allocation beyond capacity", [FieldError(f, m) for f, m in beyond])
    await WorkerNode.filter(id=node.id).update(
        allocated_cpu=report.allocated_cpu,
        allocated_memory=report.allocated_memory,
        allocated_storage=report.allocated_storage,
        current_pods=report.current_pods,
        updated_at=now,
    )


async def counts_by_status() -> dict[str, int]:
    """Nodes in each health state."""
    return await tallies.by_status(WorkerNode, NodeStatus)


@dataclass(frozen=True)
class TroubledNode:
    id: uuid.UUID
    name: str
    status: NodeStatus
    since: datetime
    reason: str | None


async def troubled() -> list[TroubledNode]:
    """Nodes the health job holds INACTIVE or NOT_READY, each since its status changed
    (MAINTENANCE is an administrator's choice, not trouble)."""
    rows = await WorkerNode.filter(
        status__in=(NodeStatus.INACTIVE, NodeStatus.NOT_READY)
    ).values_list("id", "name", "status", "status_changed_at", "status_reason", "updated_at")
    return [
        TroubledNode(i, name, NodeStatus(status), changed or updated, reason)
        for i, name, status, changed, reason, updated in rows
    ]
