"""Scorer: keep one owner's instances apart, across nodes and across zones."""

from collections.abc import Sequence

from controlplane.scheduler.framework import MAX_SCORE, ScoreContext
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest


def _blend(node_part: float, zone_part: float) -> float:
    # As kube-scheduler's SelectorSpread, zone spread weighs twice node spread, because
    # losing a zone takes all its nodes with it. Written as one division so that full
    # marks on both stay exactly 100.
    return (node_part + 2 * zone_part) / 3


class OwnerSpreadScorer:
    """100 where the owner has no instance yet. Otherwise the node part falls linearly
    from 100 (none on this node) to 0 (as many as the owner's busiest node), the zone
    part likewise over zones, and a node in a zone blends them 1/3 node, 2/3 zone."""

    name = "owner_spread"

    def score(self, req: PlacementRequest, node: NodeSnapshot, context: ScoreContext) -> float:
        busiest_node = context.owner_max_node_count
        if not busiest_node:
            return MAX_SCORE
        here = context.owner_node_counts.get(node.id, 0)
        node_part = MAX_SCORE * (busiest_node - here) / busiest_node
        busiest_zone = context.owner_max_zone_count
        if node.zone is None or not busiest_zone:
            return node_part
        in_zone = context.owner_zone_counts.get(node.zone, 0)
        zone_part = MAX_SCORE * (busiest_zone - in_zone) / busiest_zone
        return _blend(node_part, zone_part)

    def score_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot], context: ScoreContext
    ) -> list[float]:
        if not context.owner_max_node_count:
            return [MAX_SCORE] * len(nodes)
        owned = context.owner_node_counts
        # Most nodes hold none of the owner's instances; their score depends on the
        # zone alone, so it is worked out once per zone rather than once per node.
        empty_node_score: dict[str | None, float] = {}
        busiest_zone = context.owner_max_zone_count
        if busiest_zone:
            for zone, count in context.owner_zone_counts.items():
                zone_part = MAX_SCORE * (busiest_zone - count) / busiest_zone
                empty_node_score[zone] = _blend(MAX_SCORE, zone_part)
        by_zone = empty_node_score.get
        return [
            by_zone(n.zone, MAX_SCORE) if n.id not in owned else self.score(req, n, context)
            for n in nodes
        ]
