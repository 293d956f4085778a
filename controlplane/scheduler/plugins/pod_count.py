"""Filter: the node has room for the request's pods under its max_pods."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest


class PodCountFilter:
    name = "pod_count"
    rejected = FilterResult("Too many pods")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        return ACCEPTED if node.free_pods >= req.pods else self.rejected

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        pods = req.pods
        return [n for n in nodes if n.free_pods >= pods]
