"""Filter: every NoSchedule and NoExecute taint of the node is tolerated by the request."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import (
    NodeSnapshot,
    PlacementRequest,
    UntoleratedCounts,
    count_untolerated,
)


class TaintTolerationFilter:
    name = "taint_toleration"
    rejected = FilterResult("node(s) had untolerated taint")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        if node.hard_taints and count_untolerated(node.hard_taints, req.hard_tolerations):
            return self.rejected
        return ACCEPTED

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        if not req.hard_tolerations:
            return [n for n in nodes if not n.hard_taints]
        untolerated = UntoleratedCounts(req.hard_tolerations)
        return [n for n in nodes if not n.hard_taints or not untolerated[n.hard_taints]]
