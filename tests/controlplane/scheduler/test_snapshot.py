"""Node snapshots and placement requests: derived facts, immutability, validation."""

import dataclasses
from collections.abc import Callable

import pytest

from controlplane.scheduler.snapshot import ZONE_LABEL, PlacementRequest, Taint, Toleration
from shared.enums import NodeStatus
from tests.controlplane.scheduler.fleets import make_node, make_request


def test_zone_comes_from_the_topology_label() -> None:
    assert make_node(labels={ZONE_LABEL: "eu-1a"}).zone == "eu-1a"
    assert make_node(labels={"other": "x"}).zone is None


def test_free_resources_are_capacity_minus_allocation() -> None:
    node = make_node(
        cpu_cores=4.0,
        allocated_cpu=1.5,
        total_memory=8192,
        allocated_memory=1000,
        total_storage=500,
        allocated_storage=100,
        max_pods=10,
        current_pods=3,
    )
    assert (node.free_millicpu, node.free_memory, node.free_storage, node.free_pods) == (
        2500,
        7192,
        400,
        7,
    )


def test_cpu_is_counted_in_whole_millicores_so_float_noise_cannot_hide_room() -> None:
    # In floats 4.0 - 3.7 is 0.2999…, which would wrongly refuse a 0.3-core request.
    node = make_node(cpu_cores=4.0, allocated_cpu=3.7)
    assert node.free_millicpu == make_request(cpu=0.3).millicpu == 300


def test_snapshots_are_frozen_hashable_and_isolated_from_the_callers_dicts() -> None:
    labels = {"disktype": "ssd"}
    node = make_node(labels=labels, taints=[("dedicated", "gpu", "NoSchedule")])
    labels["disktype"] = "hdd"
    assert node.labels["disktype"] == "ssd"
    assert node.taints == (Taint("dedicated", "gpu", "NoSchedule"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.allocated_cpu = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        node.labels["disktype"] = "x"  # type: ignore[index]
    assert hash(node) == hash(make_node(labels={"disktype": "ssd"}, taints=node.taints))
    assert node == make_node(labels={"disktype": "ssd"}, taints=node.taints)


def test_requests_are_frozen_and_hashable_with_their_tolerations_normalised() -> None:
    req = make_request(tolerations=[("k", "", "v", "")], owner_node_ids={"a": 2, "b": 0})
    assert req.tolerations == (Toleration("k", "Equal", "v", None),)
    assert dict(req.owner_node_ids) == {"a": 2}
    assert hash(req) == hash(make_request(tolerations=[("k", "Equal", "v", None)]))


def test_taints_split_into_filtering_and_preferring() -> None:
    node = make_node(
        taints=[("a", None, "NoSchedule"), ("b", None, "PreferNoSchedule"), ("c", "1", "NoExecute")]
    )
    assert [t.key for t in node.hard_taints] == ["a", "c"]
    assert [t.key for t in node.soft_taints] == ["b"]


def test_status_given_as_text_becomes_the_enum() -> None:
    assert make_node(status="ACTIVE").status is NodeStatus.ACTIVE


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: make_node(taints=[("k", None, "Sometimes")]), "unknown effect"),
        (lambda: make_node(allocated_memory=-1), "cannot be negative"),
        (lambda: make_request(cpu=-0.5), "negative"),
        (lambda: make_request(tolerations=[("k", "In", "v", None)]), "unknown operator"),
        (lambda: make_request(tolerations=[("k", "Exists", "v", None)]), "must have no value"),
        (lambda: make_request(tolerations=[("k", "Exists", None, "Never")]), "unknown effect"),
        (lambda: make_node(status="GONE"), "GONE"),
    ],
)
def test_invalid_snapshots_and_requests_are_refused(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_request_without_owner_history_has_no_owner_nodes() -> None:
    assert dict(PlacementRequest(cpu=1, memory=1, storage=1).owner_node_ids) == {}
