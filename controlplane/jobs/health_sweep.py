"""The health sweep: nodes whose heartbeats stopped for the grace period become INACTIVE."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from controlplane.db import bulk
from controlplane.db.models import NodeEvent
from controlplane.services.fleet import health, node_events

# Nodes moved per transaction: three statements each, whatever the fleet's size,
# and row locks held no longer than one batch takes.
BATCH = 5000


async def sweep(now: datetime, grace: timedelta, batch: int = BATCH) -> int:
    """Returns how many nodes went INACTIVE."""
    cutoff = now - grace
    moved = 0
    after = None
    while True:
        async with in_transaction() as conn:
            # The query narrows the fleet to health.on_sweep's candidates (same
            # states, same "last seen" instant); on_sweep still decides and words
            # the reason, so the rule lives in one place.
            silent = await bulk.lock_silent_nodes(conn, health.LIVE_STATES, cutoff, batch, after)
            moving: list[bulk.SilentNode] = []
            events: list[NodeEvent] = []
            for node in silent:
                transition = health.on_sweep(
                    node.status, node.last_heartbeat, node.created_at, now, grace
                )
                if transition is None:
                    continue
                events.append(node_events.apply(node, transition, now))
                node.is_ready = False
                moving.append(node)
            await bulk.update_silent_nodes(conn, moving, now)
            if events:
                await NodeEvent.bulk_create(events, using_db=conn)
        moved += len(moving)
        if len(silent) < batch:
            return moved
        after = silent[-1].id
