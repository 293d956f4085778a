"""Recording node state transitions, so every change of health is visible with its reason."""

from __future__ import annotations

from datetime import datetime

from controlplane.db.models import NodeEvent, WorkerNode
from controlplane.services.health import Transition


def apply(
    node: WorkerNode, transition: Transition, now: datetime, first: bool = False
) -> NodeEvent:
    """Moves the node (unsaved) and returns the event to store beside it.
    `first` marks a node's entry into existence: it came from no state."""
    event = NodeEvent(
        node_id=node.id,
        from_status=None if first else node.status,
        to_status=transition.to,
        reason=transition.reason,
        created_at=now,
    )
    node.status = transition.to
    node.status_reason = transition.reason
    node.status_changed_at = now
    return event
