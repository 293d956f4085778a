"""Recording node state transitions, so every change of health is visible with its reason."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from controlplane.db.models import NodeEvent
from controlplane.services.fleet.health import Transition
from shared.enums import NodeStatus


class HasStatus(Protocol):
    """A node as far as a transition is concerned (a model row or a hot-path state)."""

    id: uuid.UUID
    status: NodeStatus
    status_reason: str | None
    status_changed_at: datetime | None


def apply(node: HasStatus, transition: Transition, now: datetime, first: bool = False) -> NodeEvent:
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
