"""Scorer: prefer the node left with the least free CPU and memory (bin-packing)."""

from collections.abc import Sequence

from controlplane.scheduler.framework import MAX_SCORE, ScoreContext
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest

HALF_MAX = MAX_SCORE / 2


def _used_fraction(left: int, capacity: int) -> float:
    if left > 0:
        return 1.0 - left / capacity
    return 1.0 if capacity else 0.0


class MostAllocatedScorer:
    """Mean over CPU and memory of the fraction in use after placement, times 100. A request
    above what is free counts as fully used; a resource of capacity 0 scores 0 (as in
    kube-scheduler's MostAllocated)."""

    name = "most_allocated"

    def score(self, req: PlacementRequest, node: NodeSnapshot, context: ScoreContext) -> float:
        cpu = _used_fraction(node.free_millicpu - req.millicpu, node.cpu_millis)
        memory = _used_fraction(node.free_memory - req.memory, node.total_memory)
        return (cpu + memory) * HALF_MAX

    def score_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot], context: ScoreContext
    ) -> list[float]:
        # `score` inlined: a call per node would cost more than the arithmetic.
        rc = req.millicpu
        rm = req.memory
        return [
            (
                (
                    1.0 - (n.free_millicpu - rc) / n.cpu_millis
                    if n.free_millicpu > rc
                    else (1.0 if n.cpu_millis else 0.0)
                )
                + (
                    1.0 - (n.free_memory - rm) / n.total_memory
                    if n.free_memory > rm
                    else (1.0 if n.total_memory else 0.0)
                )
            )
            * HALF_MAX
            for n in nodes
        ]
