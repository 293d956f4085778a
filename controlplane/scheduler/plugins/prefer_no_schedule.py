"""Scorer: avoid nodes whose PreferNoSchedule taints the request does not tolerate."""

from collections.abc import Sequence

from controlplane.scheduler.framework import MAX_SCORE, ScoreContext
from controlplane.scheduler.snapshot import (
    NodeSnapshot,
    PlacementRequest,
    UntoleratedCounts,
    count_untolerated,
)


class PreferNoScheduleScorer:
    """100 with no untolerated PreferNoSchedule taint, 100/(1+k) with k of them: each
    one makes the node less attractive, none makes it ineligible."""

    name = "prefer_no_schedule"

    def score(self, req: PlacementRequest, node: NodeSnapshot, context: ScoreContext) -> float:
        if not node.soft_taints:
            return MAX_SCORE
        return MAX_SCORE / (1 + count_untolerated(node.soft_taints, req.soft_tolerations))

    def score_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot], context: ScoreContext
    ) -> list[float]:
        untolerated = UntoleratedCounts(req.soft_tolerations)
        return [
            MAX_SCORE / (1 + untolerated[n.soft_taints]) if n.soft_taints else MAX_SCORE
            for n in nodes
        ]
