"""Placing an instance: a scheduling decision on a snapshot, then an atomic reservation.

As in kube-scheduler, the decision is taken on a snapshot of the fleet and
the binding is separate. Here the binding is one conditional UPDATE that
succeeds only while the node is ACTIVE, schedulable and has room, so two
placements racing for the last slot cannot both win: the loser decides again
on a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from controlplane.cluster.gateway import ClusterError, JsonDict
from controlplane.db.models import Instance, WorkerNode
from controlplane.db.reservations import Requests, reserve
from controlplane.scheduler import NodeSnapshot, PlacementRequest, Profile, schedule
from controlplane.scheduler.framework import Decision
from shared.enums import InstanceStatus
from shared.wire.catalog import ServiceTemplate

log = logging.getLogger("minispod.placement")

ATTEMPTS = 5
# How long a snapshot waits for the cluster's list of nodes before deciding without it.
CLUSTER_READ_SECONDS = 3.0
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


@dataclass(frozen=True)
class ClusterNode:
    """What Kubernetes says of one node: its Ready condition and its taints."""

    ready: bool
    taints: tuple[tuple[str, str | None, str], ...] = ()


# A worker the cluster does not list cannot run a pod pinned to it.
NOT_IN_CLUSTER = ClusterNode(ready=False)
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def cluster_nodes_of(views: list[JsonDict]) -> dict[str, ClusterNode]:
    """Node views of the gateway (`list_nodes`) by name."""
    return {
        str(v["name"]): ClusterNode(
            ready=bool(v.get("ready")),
            taints=tuple(
                (str(t["key"]), t.get("value"), str(t["effect"]))
                for t in v.get("taints") or []
                if t.get("key") and t.get("effect") in _EFFECTS
            ),
        )
        for v in views
        if v.get("name")
    }


def snapshot_of(node: WorkerNode, cluster: ClusterNode | None = None) -> NodeSnapshot:
    # What is taken is the larger of what the agent sees (every pod, ours and
    # the system's) and what we reserved (ours, including not-yet-running ones).
    taints = [(t["key"], t.get("value"), t["effect"]) for t in (node.taints or []) if "key" in t]
    if cluster is not None:
        # The agent reported taints at registration; Kubernetes' are the ones now.
        taints += [t for t in cluster.taints if t not in taints]
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
        taints=tuple(taints),
        ready=cluster.ready if cluster is not None else True,
    )


class Fleet:
    """The nodes as the scheduler sees them, shared by concurrent placements.

    Loading and converting every node for every placement would cost more
    than deciding; so the snapshot is reloaded when older than `max_age`, and
    a node a placement touched is re-read at once. A stale snapshot is safe:
    the reservation re-checks state and room in the database.

    With `cluster_nodes` (the gateway's `list_nodes`), each reload also asks the
    cluster what it says of the nodes: a worker MinisPod thinks ACTIVE but whose
    Kubernetes Node is NotReady, tainted unreachable/not-ready, or not there at all
    is not chosen. When the cluster does not answer, or lists no node (the
    in-memory stand-in), placement decides on MinisPod's view alone.
    """

    def __init__(
        self,
        max_age: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
        cluster_nodes: Callable[[], Awaitable[list[JsonDict]]] | None = None,
        cluster_wait: float = CLUSTER_READ_SECONDS,
    ):
        self._max_age = max_age
        self._cluster_wait = cluster_wait
        self._now = monotonic
        self._cluster_nodes = cluster_nodes
        self._nodes: dict[str, NodeSnapshot] = {}
        self._cluster: Mapping[str, ClusterNode] | None = None
        self._loaded = -math.inf
        self._lock = asyncio.Lock()

    async def snapshot(self) -> list[NodeSnapshot]:
        if self._now() - self._loaded > self._max_age:
            async with self._lock:  # one reload, however many placements wait
                if self._now() - self._loaded > self._max_age:
                    self._cluster = await self._read_cluster()
                    self._nodes = {
                        str(n.id): snapshot_of(n, self._said_of(n)) for n in await WorkerNode.all()
                    }
                    self._loaded = self._now()
        return list(self._nodes.values())

    async def refresh(self, node_id: uuid.UUID) -> WorkerNode | None:
        node = await WorkerNode.get_or_none(id=node_id)
        if node is None:
            self._nodes.pop(str(node_id), None)
        else:
            self._nodes[str(node.id)] = snapshot_of(node, self._said_of(node))
        return node

    def _said_of(self, node: WorkerNode) -> ClusterNode | None:
        if self._cluster is None:
            return None
        return self._cluster.get(node.name, NOT_IN_CLUSTER)

    async def _read_cluster(self) -> Mapping[str, ClusterNode] | None:
        if self._cluster_nodes is None:
            return None
        try:
            views = await asyncio.wait_for(self._cluster_nodes(), self._cluster_wait)
        except (ClusterError, TimeoutError) as exc:
            log.warning("placing without the cluster's view of its nodes: %r", exc)
            return None
        return cluster_nodes_of(views) or None

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


async def owner_nodes(team_id: uuid.UUID, excluding: uuid.UUID | None = None) -> Counter[str]:
    rows = await Instance.filter(team_id=team_id, node_id__isnull=False).values_list(
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
