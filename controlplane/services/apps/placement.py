"""Placing an instance: a scheduling decision on a snapshot, then an atomic reservation.

As in kube-scheduler, the decision is taken on a snapshot of the fleet and
the binding is separate. Here the binding is one conditional UPDATE that
succeeds only while the node is ACTIVE, schedulable and has room, so two
placements racing for the last slot cannot both win: the loser decides again
on a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from controlplane.db.models import Instance, WorkerNode
from controlplane.db.reservations import Requests, reserve
from controlplane.scheduler import NodeSnapshot, PlacementRequest, Profile, schedule
from controlplane.scheduler.framework import Decision
from shared.enums import InstanceStatus
from shared.wire.catalog import ServiceTemplate

ATTEMPTS = 5
# Instances the cluster should be running (and the reconcile job follows).
# Whether an instance holds a reservation is simpler: it does iff it has a node.
HOLDING = (InstanceStatus.PROVISIONING, InstanceStatus.RUNNING, InstanceStatus.FAILED)


def requests_of(template: ServiceTemplate) -> Requests:
    cpu = template.resources.requests.cpu + sum(
        c.resources.requests.cpu for c in template.companions
    )
    memory = template.resources.requests.memory + sum(
        c.resources.requests.memory for c in template.companions
    )
    storage = (template.volume.size_mb if template.volume else 0) + sum(
        c.volume.size_mb for c in template.companions if c.volume
    )
    return Requests(round(cpu, 6), memory, storage)


def snapshot_of(node: WorkerNode) -> NodeSnapshot:
    # What is taken is the larger of what the agent sees (every pod, ours and
    # the system's) and what we reserved (ours, including not-yet-running ones).
    return NodeSnapshot(
        id=str(node.id),
        name=node.name,
        status=node.status,
        is_schedulable=node.is_schedulable,
        cpu_cores=float(node.cpu_cores),
        total_memory=node.total_memory,
        total_storage=node.total_storage,
        allocated_cpu=max(node.allocated_cpu, node.reserved_cpu),
        allocated_memory=max(node.allocated_memory, node.reserved_memory),
        allocated_storage=max(node.allocated_storage, node.reserved_storage),
        current_pods=max(node.current_pods, node.reserved_pods),
        max_pods=node.max_pods,
        labels=dict(node.labels or {}),
        taints=tuple(
            (t["key"], t.get("value"), t["effect"]) for t in (node.taints or []) if "key" in t
        ),
    )


class Fleet:
    """The nodes as the scheduler sees them, shared by concurrent placements.

    Loading and converting every node for every placement would cost more
    than deciding; so the snapshot is reloaded when older than `max_age`, and
    a node a placement touched is re-read at once. A stale snapshot is safe:
    the reservation re-checks state and room in the database.
    """

    def __init__(self, max_age: float = 2.0, monotonic: Callable[[], float] = time.monotonic):
        self._max_age = max_age
        self._now = monotonic
        self._nodes: dict[str, NodeSnapshot] = {}
        self._loaded = -math.inf
        self._lock = asyncio.Lock()

    async def snapshot(self) -> list[NodeSnapshot]:
        if self._now() - self._loaded > self._max_age:
            async with self._lock:  # one reload, however many placements wait
                if self._now() - self._loaded > self._max_age:
                    self._nodes = {str(n.id): snapshot_of(n) for n in await WorkerNode.all()}
                    self._loaded = self._now()
        return list(self._nodes.values())

    async def refresh(self, node_id: uuid.UUID) -> WorkerNode | None:
        node = await WorkerNode.get_or_none(id=node_id)
        if node is None:
            self._nodes.pop(str(node_id), None)
        else:
            self._nodes[str(node.id)] = snapshot_of(node)
        return node

    def invalidate(self) -> None:
        """The next snapshot is read fresh (a reconcile pass starts from the truth)."""
        self._loaded = -math.inf


def placement_request(
    template: ServiceTemplate, owner_id: uuid.UUID, owner_nodes: Counter[str]
) -> PlacementRequest:
    need = requests_of(template)
    return PlacementRequest(
        cpu=need.cpu,
        memory=need.memory,
        storage=need.storage,
        tolerations=tuple(
            (t.key or "", t.operator, t.value, t.effect) for t in template.tolerations
        ),
        node_selector=dict(template.node_selector),
        owner_id=str(owner_id),
        owner_node_ids=dict(owner_nodes),
    )


async def owner_nodes(user_id: uuid.UUID, excluding: uuid.UUID | None = None) -> Counter[str]:
    rows = await Instance.filter(user_id=user_id, node_id__isnull=False).values_list(
        "id", "node_id"
    )
    return Counter(str(node) for inst, node in rows if inst != excluding)


@dataclass(frozen=True)
class Placement:
    node: WorkerNode | None
    decision: Decision


async def place(
    template: ServiceTemplate,
    owner_id: uuid.UUID,
    profile: Profile,
    nodes: Fleet,
    instance_id: uuid.UUID | None = None,
) -> Placement:
    """Decides and reserves. Without a node, `decision.reason` says why per filter."""
    need = requests_of(template)
    request = placement_request(template, owner_id, await owner_nodes(owner_id, instance_id))
    decision = schedule(request, await nodes.snapshot(), profile)
    for _ in range(ATTEMPTS):
        if decision.node_id is None:
            return Placement(None, decision)
        chosen = uuid.UUID(decision.node_id)
        won = await reserve(chosen, need)
        # Either way the node changed (our reservation, or someone else's).
        node = await nodes.refresh(chosen)
        if won and node is not None:
            return Placement(node, decision)
        decision = schedule(request, await nodes.snapshot(), profile)
    contended = Decision(
        node_id=None,
        scores={},
        total=0.0,
        reason=f"nodes kept filling up under concurrent placements ({ATTEMPTS} tries); retrying",
        feasible_nodes=decision.feasible_nodes,
    )
    return Placement(None, contended)
