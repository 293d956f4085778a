"""Each score plugin: the 0..100 score it gives and what it prefers."""

import pytest

from controlplane.scheduler.framework import ScoreContext, ScorePlugin, score_context
from controlplane.scheduler.plugins.least_allocated import LeastAllocatedScorer
from controlplane.scheduler.plugins.most_allocated import MostAllocatedScorer
from controlplane.scheduler.plugins.owner_spread import OwnerSpreadScorer
from controlplane.scheduler.plugins.prefer_no_schedule import PreferNoScheduleScorer
from controlplane.scheduler.snapshot import ZONE_LABEL, NodeSnapshot, PlacementRequest
from tests.controlplane.scheduler.fleets import make_node, make_request


def scores(
    plugin: ScorePlugin,
    req: PlacementRequest,
    nodes: list[NodeSnapshot],
    fleet: list[NodeSnapshot] | None = None,
) -> list[float]:
    """Per-node scores, after checking that the batch form `schedule` runs agrees."""
    context = score_context(req, fleet or nodes)
    one_by_one = [plugin.score(req, n, context) for n in nodes]
    assert plugin.score_nodes(req, nodes, context) == pytest.approx(one_by_one)
    return one_by_one


def test_least_allocated_is_the_mean_free_fraction_after_placement() -> None:
    node = make_node(cpu_cores=4.0, allocated_cpu=0.0, total_memory=8192, allocated_memory=2048)
    # cpu: 3 of 4 cores left; memory: 4096 of 8192 MB left.
    assert scores(LeastAllocatedScorer(), make_request(cpu=1.0, memory=2048), [node]) == [62.5]


def test_most_allocated_is_the_mean_used_fraction_after_placement() -> None:
    node = make_node(cpu_cores=4.0, allocated_cpu=0.0, total_memory=8192, allocated_memory=2048)
    assert scores(MostAllocatedScorer(), make_request(cpu=1.0, memory=2048), [node]) == [37.5]


def test_a_resource_the_node_cannot_cover_counts_as_full() -> None:
    node = make_node(cpu_cores=1.0, allocated_cpu=0.5, total_memory=1000, allocated_memory=0)
    req = make_request(cpu=2.0, memory=500)
    assert scores(LeastAllocatedScorer(), req, [node]) == [25.0]
    assert scores(MostAllocatedScorer(), req, [node]) == [75.0]


def test_a_resource_of_zero_capacity_scores_nothing_either_way() -> None:
    node = make_node(cpu_cores=0.0, total_memory=1000)
    req = make_request(cpu=0.0, memory=0)
    assert scores(LeastAllocatedScorer(), req, [node]) == [50.0]
    assert scores(MostAllocatedScorer(), req, [node]) == [0.0]


def test_resource_scorers_rank_empty_and_busy_nodes_in_opposite_orders() -> None:
    empty = make_node("empty")
    busy = make_node("busy", allocated_cpu=3.0, allocated_memory=6000)
    req = make_request()
    least = scores(LeastAllocatedScorer(), req, [empty, busy])
    most = scores(MostAllocatedScorer(), req, [empty, busy])
    assert least[0] > least[1]
    assert most[0] < most[1]


def test_prefer_no_schedule_lowers_the_score_per_untolerated_soft_taint() -> None:
    clean = make_node("clean")
    one = make_node("one", taints=[("spot", None, "PreferNoSchedule")])
    two = make_node(
        "two", taints=[("spot", None, "PreferNoSchedule"), ("old", "1", "PreferNoSchedule")]
    )
    hard = make_node("hard", taints=[("dedicated", "gpu", "NoSchedule")])
    got = scores(PreferNoScheduleScorer(), make_request(), [clean, one, two, hard])
    assert got == pytest.approx([100.0, 50.0, 100 / 3, 100.0])
    tolerant = make_request(tolerations=[("spot", "Exists", None, "PreferNoSchedule")])
    assert scores(PreferNoScheduleScorer(), tolerant, [one, two]) == [100.0, 50.0]


def test_owner_spread_gives_full_marks_everywhere_to_an_owner_with_no_instances() -> None:
    nodes = [make_node("a"), make_node("b", labels={ZONE_LABEL: "z1"})]
    assert scores(OwnerSpreadScorer(), make_request(owner_node_ids={}), nodes) == [100.0, 100.0]


def test_owner_spread_prefers_nodes_with_fewer_of_the_owners_instances() -> None:
    a, b, c = make_node("a"), make_node("b"), make_node("c")
    req = make_request(owner_node_ids={a.id: 2, b.id: 1})
    assert scores(OwnerSpreadScorer(), req, [a, b, c]) == [0.0, 50.0, 100.0]


def test_owner_spread_weighs_zones_above_nodes() -> None:
    busy = make_node("a1", labels={ZONE_LABEL: "A"})
    same_zone = make_node("a2", labels={ZONE_LABEL: "A"})
    other_zone = make_node("b1", labels={ZONE_LABEL: "B"})
    no_zone = make_node("x1")
    req = make_request(owner_node_ids={busy.id: 2})
    got = scores(OwnerSpreadScorer(), req, [busy, same_zone, other_zone, no_zone])
    assert got == pytest.approx([0.0, 100 / 3, 100.0, 100.0])


def test_owner_instances_on_filtered_out_nodes_still_count_for_their_zone() -> None:
    full = make_node("a1", labels={ZONE_LABEL: "A"}, allocated_cpu=4.0)
    same_zone = make_node("a2", labels={ZONE_LABEL: "A"})
    other_zone = make_node("b1", labels={ZONE_LABEL: "B"})
    req = make_request(owner_node_ids={full.id: 1})
    got = scores(
        OwnerSpreadScorer(), req, [same_zone, other_zone], fleet=[full, same_zone, other_zone]
    )
    assert got[0] < got[1]


def test_score_context_counts_the_owners_instances_per_zone() -> None:
    a1 = make_node("a1", labels={ZONE_LABEL: "A"})
    a2 = make_node("a2", labels={ZONE_LABEL: "A"})
    b1 = make_node("b1", labels={ZONE_LABEL: "B"})
    plain = make_node("p")
    req = make_request(owner_node_ids={a1.id: 1, a2.id: 2, plain.id: 4, "gone": 1})
    context = score_context(req, [a1, a2, b1, plain])
    assert dict(context.owner_zone_counts) == {"A": 3}
    assert context.owner_max_zone_count == 3
    assert context.owner_max_node_count == 4
    assert score_context(make_request(), [a1]) == ScoreContext()
