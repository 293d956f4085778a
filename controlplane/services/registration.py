"""Agent registration: a join token and node facts in, a node and its own token out."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from controlplane.db.models import JoinToken, WorkerNode
from controlplane.services import join_tokens, node_events
from controlplane.services.errors import Conflict, Unauthorized
from controlplane.services.health import Transition
from controlplane.services.node_auth import NodeAuth
from shared.enums import NodeStatus
from shared.wire.nodes import NodeFacts, RegisterResult

FACT_FIELDS = (
    "hostname",
    "ip_address",
    "cpu_cores",
    "cpu_architecture",
    "total_memory",
    "total_storage",
    "architecture",
    "operating_system",
    "max_pods",
    "labels",
    "taints",
    "kubelet_version",
    "container_runtime",
    "kernel_version",
    "os_image",
    "agent_version",
)


def facts_as_fields(facts: NodeFacts) -> dict[str, object]:
    data = facts.model_dump(include=set(FACT_FIELDS))
    data["taints"] = [t.wire() for t in facts.taints]
    return data


async def register(
    raw_join_token: str,
    facts: NodeFacts,
    auth: NodeAuth,
    now: datetime,
    heartbeat_interval: float,
    resource_interval: float,
) -> RegisterResult:
    """Idempotent by node name: an agent that restarts or lost its state gets its node back."""
    join = await join_tokens.usable(raw_join_token, now)
    try:
        async with in_transaction():
            node = await WorkerNode.filter(name=facts.name).select_for_update().first()
            if node is None:
                node = await _new_node(join, facts, now)
            else:
                await WorkerNode.filter(id=node.id).update(**facts_as_fields(facts))
            token = await auth.issue(node.id, now)
    except IntegrityError:
        raise Conflict("Another agent registered this node at the same moment; retry") from None
    return RegisterResult(
        node_id=str(node.id),
        node_token=token,
        heartbeat_interval=heartbeat_interval,
        resource_interval=resource_interval,
        last_seq=node.last_seq,
    )


async def _new_node(join: JoinToken, facts: NodeFacts, now: datetime) -> WorkerNode:
    # Spend one use atomically: concurrent registrations cannot exceed max_uses.
    spent = await JoinToken.filter(
        Q(id=join.id) & (Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
    ).update(uses=F("uses") + 1)
    if not spent:
        raise Unauthorized("Join token has no uses left")
    node = WorkerNode(id=uuid.uuid4(), name=facts.name, **facts_as_fields(facts))
    event = node_events.apply(
        node, Transition(NodeStatus.PENDING, "registered by agent"), now, first=True
    )
    await node.save()
    await event.save()
    return node
