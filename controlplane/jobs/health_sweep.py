"""The health sweep: nodes whose heartbeats stopped for the grace period become INACTIVE."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from controlplane.db.models import WorkerNode
from controlplane.services import health, node_events


async def sweep(now: datetime, grace: timedelta) -> int:
    """Returns how many nodes went INACTIVE."""
    cutoff = now - grace
    silent = Q(last_heartbeat__lt=cutoff) | Q(last_heartbeat__isnull=True, created_at__lt=cutoff)
    candidates = await WorkerNode.filter(silent, status__in=health.LIVE_STATES).values_list(
        "id", flat=True
    )
    moved = 0
    for node_id in candidates:
        async with in_transaction():
            # Re-read under lock: a heartbeat may have landed since the scan.
            node = await WorkerNode.filter(id=node_id).select_for_update().first()
            if node is None:
                continue
            transition = health.on_sweep(
                node.status, node.last_heartbeat, node.created_at, now, grace
            )
            if transition is None:
                continue
            event = node_events.apply(node, transition, now)
            node.is_ready = False
            await node.save(
                update_fields=[
                    "status",
                    "status_reason",
                    "status_changed_at",
                    "is_ready",
                    "updated_at",
                ]
            )
            await event.save()
            moved += 1
    return moved
