"""Each filter plugin: which nodes it lets through and the reason it gives for the rest."""

from typing import Any

import pytest

from controlplane.scheduler.framework import FilterPlugin
from controlplane.scheduler.plugins.node_readiness import NodeReadinessFilter
from controlplane.scheduler.plugins.node_selector import NodeSelectorFilter
from controlplane.scheduler.plugins.node_status import NodeStatusFilter
from controlplane.scheduler.plugins.pod_count import PodCountFilter
from controlplane.scheduler.plugins.resources_fit import ResourcesFitFilter
from controlplane.scheduler.plugins.schedulable import SchedulableFilter
from controlplane.scheduler.plugins.taint_toleration import TaintTolerationFilter
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest
from shared.enums import NodeStatus
from tests.controlplane.scheduler.fleets import make_node, make_request


def verdict(plugin: FilterPlugin, req: PlacementRequest, node: NodeSnapshot) -> str | None:
    """The reason `plugin` rejects `node` (None when it accepts), after checking that
    the batch form used by `schedule` agrees with the per-node verdict."""
    result = plugin.filter(req, node)
    assert list(plugin.filter_nodes(req, [node])) == ([node] if result.ok else [])
    return result.reason


@pytest.mark.parametrize("status", [s for s in NodeStatus if s is not NodeStatus.ACTIVE])
def test_only_active_nodes_pass_the_status_filter(status: NodeStatus) -> None:
    req = make_request()
    assert verdict(NodeStatusFilter(), req, make_node(status=NodeStatus.ACTIVE)) is None
    assert verdict(NodeStatusFilter(), req, make_node(status=status)) == "node(s) were not ACTIVE"


def test_an_active_node_kubernetes_says_is_not_ready_is_rejected() -> None:
    req = make_request()
    assert verdict(NodeReadinessFilter(), req, make_node(ready=True)) is None
    assert (
        verdict(NodeReadinessFilter(), req, make_node(ready=False))
        == "node(s) were not ready in Kubernetes"
    )


@pytest.mark.parametrize("key", ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"])
@pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
def test_an_unreachable_or_not_ready_taint_rejects_even_what_tolerates_everything(
    key: str, effect: str
) -> None:
    tolerates_all = make_request(tolerations=[("", "Exists", None, None)])
    node = make_node(taints=[(key, None, effect)])
    assert verdict(TaintTolerationFilter(), tolerates_all, node) is None
    assert verdict(NodeReadinessFilter(), tolerates_all, node) == (
        "node(s) were not ready in Kubernetes"
    )
    other = make_node(taints=[("node.kubernetes.io/unschedulable", None, "NoSchedule")])
    assert verdict(NodeReadinessFilter(), tolerates_all, other) is None


def test_cordoned_nodes_are_unschedulable() -> None:
    req = make_request()
    assert verdict(SchedulableFilter(), req, make_node(is_schedulable=True)) is None
    assert (
        verdict(SchedulableFilter(), req, make_node(is_schedulable=False))
        == "node(s) were unschedulable"
    )


def test_a_node_with_exactly_the_requested_room_fits() -> None:
    node = make_node(
        cpu_cores=2.0,
        allocated_cpu=1.5,
        total_memory=1024,
        allocated_memory=512,
        total_storage=2048,
        allocated_storage=1024,
    )
    assert (
        verdict(ResourcesFitFilter(), make_request(cpu=0.5, memory=512, storage=1024), node) is None
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"allocated_cpu": 3.8}, "Insufficient cpu"),
        ({"allocated_memory": 8000}, "Insufficient memory"),
        ({"allocated_storage": 102000}, "Insufficient storage"),
        # Short of everything: the first missing resource (cpu) is the one reported.
        (
            {"allocated_cpu": 4.0, "allocated_memory": 8192, "allocated_storage": 102400},
            "Insufficient cpu",
        ),
        ({"allocated_memory": 8192, "allocated_storage": 102400}, "Insufficient memory"),
    ],
)
def test_a_node_short_of_a_resource_is_rejected_naming_the_first_one_missing(
    overrides: dict[str, Any], reason: str
) -> None:
    req = make_request(cpu=0.5, memory=512, storage=1024)
    assert verdict(ResourcesFitFilter(), req, make_node(**overrides)) == reason


def test_a_resource_not_requested_is_not_checked_even_on_an_overcommitted_node() -> None:
    overcommitted = make_node(
        cpu_cores=1.0, allocated_cpu=1.5, total_memory=512, allocated_memory=600
    )
    assert (
        verdict(ResourcesFitFilter(), make_request(cpu=0, memory=0, storage=0), overcommitted)
        is None
    )
    assert (
        verdict(ResourcesFitFilter(), make_request(cpu=0, memory=1, storage=0), overcommitted)
        == "Insufficient memory"
    )


def test_pod_count_stops_at_max_pods() -> None:
    assert verdict(PodCountFilter(), make_request(), make_node(max_pods=10, current_pods=9)) is None
    assert (
        verdict(PodCountFilter(), make_request(), make_node(max_pods=10, current_pods=10))
        == "Too many pods"
    )
    assert (
        verdict(PodCountFilter(), make_request(pods=2), make_node(max_pods=10, current_pods=9))
        == "Too many pods"
    )


@pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
def test_untolerated_hard_taints_reject_the_node(effect: str) -> None:
    node = make_node(taints=[("dedicated", "gpu", effect)])
    assert verdict(TaintTolerationFilter(), make_request(), node) == "node(s) had untolerated taint"
    tolerated = make_request(tolerations=[("dedicated", "Equal", "gpu", effect)])
    assert verdict(TaintTolerationFilter(), tolerated, node) is None


def test_prefer_no_schedule_taints_do_not_filter() -> None:
    node = make_node(taints=[("spot", None, "PreferNoSchedule")])
    assert verdict(TaintTolerationFilter(), make_request(), node) is None


def test_every_hard_taint_must_be_tolerated_not_just_one() -> None:
    node = make_node(
        taints=[("dedicated", "gpu", "NoSchedule"), ("maintenance", None, "NoExecute")]
    )
    one = make_request(tolerations=[("dedicated", "Equal", "gpu", "NoSchedule")])
    both = make_request(
        tolerations=[
            ("dedicated", "Equal", "gpu", "NoSchedule"),
            ("maintenance", "Exists", None, "NoExecute"),
        ]
    )
    assert verdict(TaintTolerationFilter(), one, node) == "node(s) had untolerated taint"
    assert verdict(TaintTolerationFilter(), both, node) is None


def test_a_toleration_for_prefer_no_schedule_does_not_lift_a_no_schedule_taint() -> None:
    node = make_node(taints=[("spot", None, "NoSchedule")])
    req = make_request(tolerations=[("spot", "Exists", None, "PreferNoSchedule")])
    assert verdict(TaintTolerationFilter(), req, node) == "node(s) had untolerated taint"


def test_node_selector_needs_every_label_with_the_same_value() -> None:
    node = make_node(labels={"disktype": "ssd", "tier": "gold"})
    reason = "node(s) didn't match Pod's node affinity/selector"
    assert verdict(NodeSelectorFilter(), make_request(), node) is None
    assert (
        verdict(NodeSelectorFilter(), make_request(node_selector={"disktype": "ssd"}), node) is None
    )
    assert (
        verdict(
            NodeSelectorFilter(),
            make_request(node_selector={"disktype": "ssd", "tier": "gold"}),
            node,
        )
        is None
    )
    assert (
        verdict(NodeSelectorFilter(), make_request(node_selector={"disktype": "hdd"}), node)
        == reason
    )
    assert (
        verdict(
            NodeSelectorFilter(), make_request(node_selector={"disktype": "ssd", "gpu": "1"}), node
        )
        == reason
    )
