"""Agent registration: a join token, node facts and the agent's node secret in, a node and its
own token out.

A node name belongs to the agent that first registered it (K3s's "node password"): the agent
generates a random node secret once and keeps it; the node row keeps its SHA-256. Registering
an existing name again is idempotent for that agent (same node, new token, facts refreshed)
and refused with 409 for anybody else, whatever join token they hold, so a join token is not
enough to take over a node's identity. Deleting the node (an administrator) frees the name.
A node without a stored hash (created by an administrator, or registered before node secrets)
is claimed by the first registration that presents one.

Registering over an existing node merges rather than replaces: the agent's facts win (it
measured them), except where it cannot tell (None: no Kubernetes credentials, say), and the
labels an administrator set stay beside the ones Kubernetes reports.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from controlplane.db.models import JoinToken, WorkerNode
from controlplane.services.bearer import hash_token
from controlplane.services.errors import Conflict, Unauthorized
from controlplane.services.fleet import join_tokens, node_events
from controlplane.services.fleet.health import Transition
from controlplane.services.fleet.node_auth import NodeAuth
from shared.enums import NodeStatus
from shared.wire.nodes import NodeFacts, NodeRegistration, RegisterResult

log = logging.getLogger("minispod.registration")

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


# Facts an agent sends as None when it cannot tell (no in-cluster credentials, an unreadable
# /etc/os-release): the node's value, an administrator's perhaps, is better than none.
UNKNOWABLE = ("kubelet_version", "container_runtime", "kernel_version", "os_image")


def facts_as_fields(facts: NodeFacts) -> dict[str, object]:
    data = facts.model_dump(include=set(FACT_FIELDS))
    data["taints"] = [t.wire() for t in facts.taints]
    return data


def agent_facts_over(node: WorkerNode, facts: NodeFacts) -> dict[str, object]:
    """The columns an agent's registration writes over an existing node.

    Its labels are Kubernetes' and win on a key an administrator also set, since pods'
    nodeSelector is matched against Kubernetes' value; the administrator's other labels
    stay. A label the agent reported before and no longer does is gone from the node.
    """
    changes = facts_as_fields(facts)
    for name in UNKNOWABLE:
        if changes[name] is None:
            del changes[name]
    set_by_admin = {k: v for k, v in node.labels.items() if k not in node.agent_labels}
    changes["labels"] = {**set_by_admin, **facts.labels}
    changes["agent_labels"] = dict(facts.labels)
    return changes


async def register(
    raw_join_token: str,
    registration: NodeRegistration,
    auth: NodeAuth,
    now: datetime,
    heartbeat_interval: float,
    resource_interval: float,
    peer: str = "unknown",
) -> RegisterResult:
    """Register a new node, or the same agent's node again (it restarted or lost its token).

    Raises Conflict (409) when the name belongs to an agent with another node secret; then
    nothing changes: no token is revoked or issued, no fact updated, no join-token use spent.
    `peer` is the client's address, for the log line of a refused takeover.
    """
    join = await join_tokens.usable(raw_join_token, now)
    # The secret is 32+ random characters, so a fast unsalted hash is right (as for tokens).
    secret_hash = hash_token(registration.node_secret.get_secret_value())
    try:
        node, token = await _register(join, registration, secret_hash, auth, now, peer)
    except IntegrityError:
        # Another agent inserted this name between our lookup and our insert (the row lock
        # cannot cover a row that does not exist yet). Its row is committed now: judge our
        # secret against it, once.
        try:
            node, token = await _register(join, registration, secret_hash, auth, now, peer)
        except IntegrityError:
            raise Conflict("Another agent registered this node at the same moment; retry") from None
    return RegisterResult(
        node_id=str(node.id),
        node_token=token,
        heartbeat_interval=heartbeat_interval,
        resource_interval=resource_interval,
        last_seq=node.last_seq,
    )


async def _register(
    join: JoinToken,
    registration: NodeRegistration,
    secret_hash: str,
    auth: NodeAuth,
    now: datetime,
    peer: str,
) -> tuple[WorkerNode, str]:
    name = registration.name
    async with in_transaction():
        node = await WorkerNode.filter(name=name).select_for_update().first()
        new = node is None
        if node is None:
            node = await _new_node(registration, secret_hash, now)
        else:
            changes = agent_facts_over(node, registration)
            if node.node_secret_hash is None:
                changes["node_secret_hash"] = secret_hash
                log.info("node %s had no owner yet: claimed by the agent at %s", name, peer)
            elif not hmac.compare_digest(node.node_secret_hash, secret_hash):
                log.warning(
                    "refused to register node %s for the agent at %s: the name is registered "
                    "to another agent (different node secret)",
                    name,
                    peer,
                )
                raise Conflict(
                    f"Node name {name!r} is already registered to another agent; an "
                    "administrator must release the node (or delete it) before it can be "
                    "registered again"
                )
            await WorkerNode.filter(id=node.id).update(**changes)
        token = await auth.issue(node.id, now)
        if new:
            # Last before the commit: spending locks the join token's row until then, and
            # a fleet rolling out with one token queues on that row.
            await _spend_use(join)
    # Again once committed: a heartbeat read between the revocation and the commit may
    # have cached the old token anew (other replicas hear it by NOTIFY at commit).
    auth.forget_node(node.id)
    return node, token


async def _spend_use(join: JoinToken) -> None:
    """One use, atomically: concurrent registrations cannot exceed max_uses. Raising
    rolls the registration back."""
    spent = await JoinToken.filter(
        Q(id=join.id) & (Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
    ).update(uses=F("uses") + 1)
    if not spent:
        raise Unauthorized("Join token has no uses left")


async def _new_node(registration: NodeRegistration, secret_hash: str, now: datetime) -> WorkerNode:
    node = WorkerNode(
        id=uuid.uuid4(),
        name=registration.name,
        node_secret_hash=secret_hash,
        agent_labels=dict(registration.labels),
        **facts_as_fields(registration),
    )
    event = node_events.apply(
        node, Transition(NodeStatus.PENDING, "registered by agent"), now, first=True
    )
    await node.save()
    await event.save()
    return node
