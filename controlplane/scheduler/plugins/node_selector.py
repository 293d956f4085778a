"""Filter: the node carries every label of the request's node selector."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest


class NodeSelectorFilter:
    name = "node_selector"
    rejected = FilterResult("node(s) didn't match Pod's node affinity/selector")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        return ACCEPTED if req.node_selector.items() <= node.labels.items() else self.rejected

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        if not req.node_selector:
            return nodes
        wanted = req.node_selector.items()
        return [n for n in nodes if wanted <= n.labels.items()]
