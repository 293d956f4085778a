"""Scorer: prefer the node left with the most free CPU and memory (spreading)."""

from collections.abc import Sequence

from controlplane.scheduler.framework import MAX_SCORE, ScoreContext
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest

# Mean of two fractions, times 100.
HALF_MAX = MAX_SCORE / 2


class LeastAllocatedScorer:
    """Mean over CPU and memory of the fraction still free after placement, times 100.
    A resource the node cannot cover scores 0 (as in kube-scheduler, where
    capacity 0 or a request above it gives 0)."""

    name = "least_allocated"

    def score(self, req: PlacementRequest, node: NodeSnapshot, context: ScoreContext) -> float:
        cpu_left = node.free_millicpu - req.millicpu
        memory_left = node.free_memory - req.memory
        # Something left implies a positive capacity, so no division by zero.
        cpu = cpu_left / node.cpu_millis if cpu_left > 0 else 0.0
        memory = memory_left / node.total_memory if memory_left > 0 else 0.0
        return (cpu + memory) * HALF_MAX

    def score_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot], context: ScoreContext
    ) -> list[float]:
        # `score` inlined: a call per node would cost more than the arithmetic.
        rc = req.millicpu
        rm = req.memory
        return [
            (
                ((n.free_millicpu - rc) / n.cpu_millis if n.free_millicpu > rc else 0.0)
                + ((n.free_memory - rm) / n.total_memory if n.free_memory > rm else 0.0)
            )
            * HALF_MAX
            for n in nodes
        ]
