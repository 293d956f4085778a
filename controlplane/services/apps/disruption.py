"""Whether evicting is safe: a fleet that lost most of its nodes at once, and a rate limit.

Kubernetes' node lifecycle controller taught this: when many nodes go silent
together, the likelier cause is on our side (a network partition, the
control plane's own network) rather than that many machines died, and moving
every instance at once would turn a blip into a fleet-wide re-placement. So
when the share of INACTIVE nodes passes the threshold (55 %, as
--unhealthy-zone-threshold) the fleet is disrupted: nothing is evicted for
silence until it recovers. Otherwise nodes are evicted one after another at a
bounded rate (0.1 nodes/s, as --node-eviction-rate). A node an administrator
put in MAINTENANCE is drained whatever the fleet says, at the same rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from controlplane.db.models import WorkerNode
from shared.enums import NodeStatus

# Nodes that were serving: the fleet's health is judged over these.
COUNTED = (NodeStatus.ACTIVE, NodeStatus.NOT_READY, NodeStatus.INACTIVE)


@dataclass(frozen=True)
class FleetHealth:
    nodes: int
    inactive: int
    disrupted: bool


def judge(statuses: Iterable[NodeStatus], threshold: float) -> FleetHealth:
    """Whether more than `threshold` of the serving nodes are INACTIVE."""
    counted = [s for s in statuses if s in COUNTED]
    inactive = sum(s is NodeStatus.INACTIVE for s in counted)
    return FleetHealth(len(counted), inactive, inactive > threshold * len(counted))


async def fleet_health(threshold: float) -> FleetHealth:
    rows = await WorkerNode.filter(status__in=COUNTED).values_list("status", flat=True)
    return judge((NodeStatus(str(s)) for s in rows), threshold)


class EvictionBudget:
    """A token bucket of node evictions: `rate` a second, at most one banked."""

    def __init__(self, rate: float, now: datetime) -> None:
        self._rate = rate
        self._tokens = 1.0
        self._stamp = now

    def take(self, now: datetime) -> bool:
        elapsed = max(0.0, (now - self._stamp).total_seconds())
        self._tokens = min(1.0, self._tokens + elapsed * self._rate)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
