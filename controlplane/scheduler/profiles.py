"""The placement profiles config can choose, and the plugin weights each starts with."""

from collections.abc import Mapping

from controlplane.scheduler.framework import FilterPlugin, Profile, ScorePlugin
from controlplane.scheduler.plugins.least_allocated import LeastAllocatedScorer
from controlplane.scheduler.plugins.most_allocated import MostAllocatedScorer
from controlplane.scheduler.plugins.node_readiness import NodeReadinessFilter
from controlplane.scheduler.plugins.node_selector import NodeSelectorFilter
from controlplane.scheduler.plugins.node_status import NodeStatusFilter
from controlplane.scheduler.plugins.owner_spread import OwnerSpreadScorer
from controlplane.scheduler.plugins.pod_count import PodCountFilter
from controlplane.scheduler.plugins.prefer_no_schedule import PreferNoScheduleScorer
from controlplane.scheduler.plugins.resources_fit import ResourcesFitFilter
from controlplane.scheduler.plugins.schedulable import SchedulableFilter
from controlplane.scheduler.plugins.taint_toleration import TaintTolerationFilter

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
POLICIES = (LEAST_ALLOCATED, MOST_ALLOCATED)

# Weights as kube-scheduler's default profile gives the matching plugins
# (NodeResourcesFit 1, PodTopologySpread 2, TaintToleration 3).
RESOURCE_WEIGHT = 1
SPREAD_WEIGHT = 2
PREFER_NO_SCHEDULE_WEIGHT = 3


def default_filters() -> tuple[FilterPlugin, ...]:
    """In kube-scheduler's order: what the node is (state, readiness in the cluster, cordon,
    taints, labels) before what it has room for, so that a summary names the lasting
    cause first."""
    return (
        NodeStatusFilter(),
        NodeReadinessFilter(),
        SchedulableFilter(),
        TaintTolerationFilter(),
        NodeSelectorFilter(),
        PodCountFilter(),
        ResourcesFitFilter(),
    )


def profile_from_config(
    policy: str = LEAST_ALLOCATED, weights: Mapping[str, int] | None = None
) -> Profile:
    """The profile for `policy` ("LeastAllocated" spreads, "MostAllocated" packs), with
    scorer weights overridden by `weights` (scorer name → weight, 0 turns it off)."""
    resources: ScorePlugin
    if policy == LEAST_ALLOCATED:
        resources = LeastAllocatedScorer()
    elif policy == MOST_ALLOCATED:
        resources = MostAllocatedScorer()
    else:
        raise ValueError(
            f"unknown placement policy {policy!r}; expected one of: {', '.join(POLICIES)}"
        )
    scorers: dict[str, tuple[ScorePlugin, int]] = {
        resources.name: (resources, RESOURCE_WEIGHT),
        OwnerSpreadScorer.name: (OwnerSpreadScorer(), SPREAD_WEIGHT),
        PreferNoScheduleScorer.name: (PreferNoScheduleScorer(), PREFER_NO_SCHEDULE_WEIGHT),
    }
    for name, weight in (weights or {}).items():
        if name not in scorers:
            raise ValueError(
                f"no scorer {name!r} in the {policy} profile; "
                f"weights apply to: {', '.join(scorers)}"
            )
        scorers[name] = (scorers[name][0], weight)
    return Profile(name=policy, filters=default_filters(), scorers=tuple(scorers.values()))
