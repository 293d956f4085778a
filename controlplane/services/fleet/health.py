"""Node health: the state machine of ARCHITECTURE.md as pure functions of inputs and a clock.

The control plane owns liveness; nothing an agent says sets a state directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from controlplane.services.errors import Conflict
from shared.enums import NodeStatus
from shared.wire.nodes import PRESSURE_CONDITIONS, NodeCondition

# States whose nodes are expected to heartbeat; the sweep may mark them INACTIVE.
LIVE_STATES = (NodeStatus.PENDING, NodeStatus.ACTIVE, NodeStatus.NOT_READY)


@dataclass(frozen=True)
class Transition:
    to: NodeStatus
    reason: str


def failed_conditions(conditions: Sequence[NodeCondition]) -> list[str]:
    """Names of the conditions that make a node unhealthy, as Kubernetes reads them."""
    failed = []
    for c in conditions:
        if c.type == "Ready" and not c.status:
            failed.append("Ready=False" + (f" ({c.reason})" if c.reason else ""))
        elif c.type in PRESSURE_CONDITIONS and c.status:
            failed.append(c.type)
    return failed


def on_heartbeat(
    current: NodeStatus, conditions: Sequence[NodeCondition], shutting_down: bool
) -> Transition | None:
    """The state a heartbeat leads to, or None when the node stays where it is."""
    if current is NodeStatus.MAINTENANCE:
        return None  # sticky: only an administrator clears it
    if shutting_down:
        target = Transition(NodeStatus.INACTIVE, "agent is shutting down")
    else:
        failed = failed_conditions(conditions)
        if failed:
            target = Transition(NodeStatus.NOT_READY, "unhealthy: " + ", ".join(failed))
        else:
            target = Transition(NodeStatus.ACTIVE, "healthy heartbeat")
    return target if target.to is not current else None


def is_ready(conditions: Sequence[NodeCondition]) -> bool:
    return not failed_conditions(conditions)


def on_sweep(
    current: NodeStatus,
    last_heartbeat: datetime | None,
    registered_at: datetime,
    now: datetime,
    grace: timedelta,
) -> Transition | None:
    """INACTIVE once a live node has been silent for the grace period."""
    if current not in LIVE_STATES:
        return None
    seen = last_heartbeat or registered_at
    silent = now - seen
    if silent <= grace:
        return None
    return Transition(NodeStatus.INACTIVE, f"no heartbeat for {int(silent.total_seconds())} s")


class Heard(Protocol):
    """A node as its heartbeats left it: what an administrator's request is judged on."""

    status: NodeStatus
    last_heartbeat: datetime | None
    is_ready: bool
    conditions: list[dict[str, Any]]


def on_admin(
    node: Heard, requested: NodeStatus, now: datetime, grace: timedelta
) -> Transition | None:
    """What an administrator's request does, None when the node is already there.

    MAINTENANCE is theirs to enter; from it, ACTIVE is granted when the node's
    heartbeats are fresh and healthy, and PENDING ends it unconditionally (the next
    heartbeat decides). Anything else is the heartbeats' to decide: Conflict, with why.
    """
    current = node.status
    if requested is NodeStatus.MAINTENANCE:
        if current is NodeStatus.MAINTENANCE:
            return None
        return Transition(NodeStatus.MAINTENANCE, "set by an administrator")
    if current is not NodeStatus.MAINTENANCE:
        raise Conflict(
            f"The node is {current.value} and not in MAINTENANCE: its health is computed "
            "from heartbeats, so an administrator may only enter MAINTENANCE or leave it"
        )
    if requested is NodeStatus.PENDING:
        return Transition(NodeStatus.PENDING, "maintenance ended; awaiting heartbeat")
    unhealthy = _why_not_active(node, now, grace)
    if unhealthy is not None:
        raise Conflict(
            f"The node stays in MAINTENANCE: {unhealthy}. Its health is computed from "
            "heartbeats, so it can be ACTIVE only while they are fresh and healthy; ask "
            "for PENDING to end maintenance and let the next heartbeat decide"
        )
    return Transition(NodeStatus.ACTIVE, "maintenance ended; heartbeats fresh and healthy")


def _why_not_active(node: Heard, now: datetime, grace: timedelta) -> str | None:
    if node.last_heartbeat is None:
        return "it has never sent a heartbeat"
    silent = now - node.last_heartbeat
    if silent > grace:
        return f"no heartbeat for {int(silent.total_seconds())} s"
    failed = failed_conditions([NodeCondition.model_validate(c) for c in node.conditions])
    if failed:
        return "its last heartbeat reports it unhealthy: " + ", ".join(failed)
    if not node.is_ready:
        return "its agent said it is shutting down"
    return None
