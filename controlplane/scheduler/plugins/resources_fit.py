"""Filter: the node's free CPU, memory and storage cover the request."""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest

# As in kube-scheduler's NodeResourcesFit, a resource the request does not ask for is
# not checked, so an overcommitted node still fits a request for none of it.
UNCHECKED = float("-inf")


class ResourcesFitFilter:
    name = "resources_fit"
    no_cpu = FilterResult("Insufficient cpu")
    no_memory = FilterResult("Insufficient memory")
    no_storage = FilterResult("Insufficient storage")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        if req.millicpu > 0 and node.free_millicpu < req.millicpu:
            return self.no_cpu
        if req.memory > 0 and node.free_memory < req.memory:
            return self.no_memory
        if req.storage > 0 and node.free_storage < req.storage:
            return self.no_storage
        return ACCEPTED

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        cpu = req.millicpu or UNCHECKED
        memory = req.memory or UNCHECKED
        storage = req.storage or UNCHECKED
        return [
            n
            for n in nodes
            if n.free_millicpu >= cpu and n.free_memory >= memory and n.free_storage >= storage
        ]
