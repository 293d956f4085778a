"""Filter: cordoned nodes (is_schedulable false) take no new instances."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest


class SchedulableFilter:
    name = "schedulable"
    rejected = FilterResult("node(s) were unschedulable")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        return ACCEPTED if node.is_schedulable else self.rejected

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        return [n for n in nodes if n.is_schedulable]
