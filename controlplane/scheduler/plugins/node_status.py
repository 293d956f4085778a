"""Filter: only ACTIVE nodes take new instances (health is computed by the control plane)."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest
from shared.enums import NodeStatus


class NodeStatusFilter:
    name = "node_status"
    rejected = FilterResult("node(s) were not ACTIVE")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        return ACCEPTED if node.status is NodeStatus.ACTIVE else self.rejected

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        active = NodeStatus.ACTIVE
        return [n for n in nodes if n.status is active]
