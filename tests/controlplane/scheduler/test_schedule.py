"""The placement cycle: which node wins, why none does, and how profiles are configured."""

import random

import pytest

from controlplane.scheduler.framework import Profile, schedule
from controlplane.scheduler.plugins.least_allocated import LeastAllocatedScorer
from controlplane.scheduler.plugins.node_status import NodeStatusFilter
from controlplane.scheduler.profiles import default_filters, profile_from_config
from controlplane.scheduler.snapshot import ZONE_LABEL
from shared.enums import NodeStatus
from tests.controlplane.scheduler.fleets import make_node, make_request

SPREAD = profile_from_config("LeastAllocated")
PACK = profile_from_config("MostAllocated")


def test_the_summary_counts_nodes_per_reason_most_first() -> None:
    nodes = [make_node(f"cpu{i}", allocated_cpu=4.0) for i in range(3)] + [
        make_node(f"gpu{i}", taints=[("dedicated", "gpu", "NoSchedule")]) for i in range(2)
    ]
    decision = schedule(make_request(), nodes, SPREAD)
    assert decision.node_id is None
    assert decision.feasible_nodes == 0
    assert decision.reason == (
        "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint."
    )


def test_reasons_with_equal_counts_are_sorted_by_text() -> None:
    nodes = [
        make_node("p1", max_pods=1, current_pods=1),
        make_node("p2", max_pods=1, current_pods=1),
        make_node("m1", allocated_memory=8192),
        make_node("m2", allocated_memory=8192),
        make_node("off", status=NodeStatus.INACTIVE),
    ]
    assert schedule(make_request(), nodes, SPREAD).reason == (
        "0/5 nodes are available: 2 Insufficient memory, 2 Too many pods, "
        "1 node(s) were not ACTIVE."
    )


def test_a_node_failing_several_filters_counts_once_under_the_first() -> None:
    hopeless = make_node(
        "x",
        status=NodeStatus.MAINTENANCE,
        is_schedulable=False,
        allocated_cpu=4.0,
        taints=[("dedicated", "gpu", "NoSchedule")],
    )
    cordoned_and_full = make_node("y", is_schedulable=False, allocated_cpu=4.0)
    assert schedule(make_request(), [hopeless, cordoned_and_full], SPREAD).reason == (
        "0/2 nodes are available: 1 node(s) were not ACTIVE, 1 node(s) were unschedulable."
    )


def test_an_empty_fleet_has_nowhere_to_place() -> None:
    decision = schedule(make_request(), [], SPREAD)
    assert decision.node_id is None
    assert decision.reason == "0/0 nodes are available."
    assert dict(decision.scores) == {}


def test_spreading_and_bin_packing_choose_different_nodes_on_the_same_fleet() -> None:
    fleet = [
        make_node("empty"),
        make_node("half", allocated_cpu=2.0, allocated_memory=4096),
        make_node("nearly-full", allocated_cpu=3.0, allocated_memory=7000),
    ]
    req = make_request(cpu=0.5, memory=512)
    assert schedule(req, fleet, SPREAD).node_id == "id-empty"
    assert schedule(req, fleet, PACK).node_id == "id-nearly-full"


def test_the_winner_never_is_a_node_that_cannot_take_the_request() -> None:
    fleet = [
        make_node("emptiest-but-inactive", status=NodeStatus.NOT_READY),
        make_node("emptiest-but-cordoned", is_schedulable=False),
        make_node("ok", allocated_cpu=3.0),
    ]
    assert schedule(make_request(), fleet, SPREAD).node_id == "id-ok"


def test_the_decision_carries_the_winners_scores_and_weighted_total() -> None:
    node = make_node("a", allocated_memory=2048)
    decision = schedule(make_request(cpu=1.0, memory=2048), [node], SPREAD)
    assert decision.node_id == "id-a"
    assert decision.reason is None
    assert decision.feasible_nodes == 1
    assert dict(decision.scores) == {
        "least_allocated": 62.5,
        "owner_spread": 100.0,
        "prefer_no_schedule": 100.0,
    }
    assert decision.total == pytest.approx(62.5 * 1 + 100 * 2 + 100 * 3)


def test_owner_instances_spread_across_nodes() -> None:
    fleet = [make_node("a"), make_node("b"), make_node("c")]
    req = make_request(owner_node_ids={"id-a": 1, "id-b": 1})
    assert schedule(req, fleet, SPREAD).node_id == "id-c"


def test_owner_instances_spread_across_zones_before_nodes() -> None:
    # a2 is the emptier node, but it shares zone A with the owner's instance.
    fleet = [
        make_node("a1", labels={ZONE_LABEL: "A"}),
        make_node("a2", labels={ZONE_LABEL: "A"}),
        make_node("b1", labels={ZONE_LABEL: "B"}, allocated_cpu=1.0, allocated_memory=2048),
    ]
    req = make_request(owner_node_ids={"id-a1": 1})
    assert schedule(req, fleet, SPREAD).node_id == "id-b1"


def test_a_prefer_no_schedule_taint_steers_placement_but_does_not_forbid_it() -> None:
    spot = make_node("spot", taints=[("spot", None, "PreferNoSchedule")])
    busy = make_node("busy", allocated_cpu=3.0, allocated_memory=6000)
    assert schedule(make_request(), [spot, busy], SPREAD).node_id == "id-busy"
    assert schedule(make_request(), [spot], SPREAD).node_id == "id-spot"


def test_ties_go_to_the_smallest_name_whatever_the_input_order() -> None:
    # Ids run the other way round from names, so only a name-first tie-break passes.
    fleet = [
        make_node(name, id=node_id) for name, node_id in (("w-3", "a"), ("w-1", "c"), ("w-2", "b"))
    ]
    for seed in range(5):
        shuffled = fleet[:]
        random.Random(seed).shuffle(shuffled)
        assert schedule(make_request(), shuffled, SPREAD).node_id == "c"


def test_nodes_sharing_a_name_tie_break_on_id() -> None:
    fleet = [make_node("w", id="b"), make_node("w", id="a")]
    assert schedule(make_request(), fleet, SPREAD).node_id == "a"


def test_same_fleet_and_request_give_the_same_decision_in_any_order() -> None:
    rng = random.Random(3)
    fleet = [
        make_node(
            f"n{i}",
            allocated_cpu=rng.choice((0.0, 1.0, 2.0)),
            allocated_memory=rng.choice((0, 2048, 4096)),
            labels={ZONE_LABEL: rng.choice("ABC")},
        )
        for i in range(60)
    ]
    req = make_request(owner_node_ids={"id-n1": 1, "id-n7": 2})
    first = schedule(req, fleet, SPREAD)
    for _ in range(10):
        rng.shuffle(fleet)
        assert schedule(req, fleet, SPREAD) == first


def test_a_zero_weight_turns_a_scorer_off() -> None:
    profile = profile_from_config("LeastAllocated", {"prefer_no_schedule": 0})
    spot = make_node("a-spot", taints=[("spot", None, "PreferNoSchedule")])
    plain = make_node("b-plain")
    decision = schedule(make_request(), [spot, plain], profile)
    assert decision.node_id == "id-a-spot"  # equal otherwise; the name breaks the tie
    assert "prefer_no_schedule" not in decision.scores


def test_weights_from_config_change_the_outcome() -> None:
    fleet = [
        make_node("same-zone-empty", labels={ZONE_LABEL: "A"}),
        make_node("owner-node", labels={ZONE_LABEL: "A"}),
        make_node("other-zone-busy", labels={ZONE_LABEL: "B"}, allocated_cpu=3.5),
    ]
    req = make_request(owner_node_ids={"id-owner-node": 1})
    assert schedule(req, fleet, SPREAD).node_id == "id-other-zone-busy"
    resources_only = profile_from_config("LeastAllocated", {"owner_spread": 0})
    assert schedule(req, fleet, resources_only).node_id == "id-owner-node"


def test_a_profile_without_scorers_takes_the_first_feasible_name() -> None:
    profile = Profile(name="filters-only", filters=default_filters(), scorers=())
    fleet = [make_node("b"), make_node("a", status=NodeStatus.PENDING), make_node("c")]
    decision = schedule(make_request(), fleet, profile)
    assert decision.node_id == "id-b"
    assert decision.total == 0.0


def test_an_unknown_policy_is_refused_with_the_valid_ones_named() -> None:
    with pytest.raises(ValueError, match=r"unknown placement policy 'Random'.*LeastAllocated"):
        profile_from_config("Random")


def test_a_weight_for_a_scorer_not_in_the_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="no scorer 'least_allocated' in the MostAllocated"):
        profile_from_config("MostAllocated", {"least_allocated": 2})


def test_the_default_policy_spreads() -> None:
    fleet = [make_node("empty"), make_node("busy", allocated_cpu=3.0, allocated_memory=6000)]
    assert profile_from_config().name == "LeastAllocated"
    assert schedule(make_request(), fleet, profile_from_config()).node_id == "id-empty"


@pytest.mark.parametrize("weight", [-1, 1.5])
def test_weights_must_be_non_negative_integers(weight: object) -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        profile_from_config("LeastAllocated", {"owner_spread": weight})  # type: ignore[dict-item]


def test_a_plugin_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Profile(
            name="dup",
            filters=(NodeStatusFilter(), NodeStatusFilter()),
            scorers=((LeastAllocatedScorer(), 1),),
        )
