"""Filter: a node Kubernetes says is not ready takes nothing new, whatever MinisPod thinks.

MinisPod's ACTIVE comes from the agent's heartbeats; the agent can go on beating while
Kubernetes has lost the kubelet (its Node NotReady, tainted unreachable or not-ready).
A pod pinned there would never start, so the cluster's word wins, and no toleration
lifts it: tolerating everything is a template's convenience, not a wish to land on a
dead node.
"""

from collections.abc import Sequence

from controlplane.scheduler.framework import ACCEPTED, FilterResult
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest


class NodeReadinessFilter:
    name = "node_readiness"
    rejected = FilterResult("node(s) were not ready in Kubernetes")

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        return self.rejected if node.unready else ACCEPTED

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        return [n for n in nodes if not n.unready]
