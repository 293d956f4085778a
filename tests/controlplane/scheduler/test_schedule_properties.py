"""Properties of placement over seeded random fleets: the fast batch path `schedule` runs
agrees with the plugins' per-node definitions, and never picks a node a filter rejects."""

import random
import re
from collections.abc import Iterator, Sequence

import pytest

from controlplane.scheduler.framework import Profile, schedule, score_context
from controlplane.scheduler.profiles import POLICIES, profile_from_config
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest
from tests.controlplane.scheduler.fleets import random_fleet, random_request

FLEETS = 40
REQUESTS_PER_FLEET = 25


def cases(seed: int) -> Iterator[tuple[list[NodeSnapshot], PlacementRequest, Profile]]:
    rng = random.Random(seed)
    for _ in range(FLEETS):
        nodes = random_fleet(rng, rng.choice((0, 1, 3, 10, 40, 80)))
        weights = {
            "owner_spread": rng.choice((0, 1, 2)),
            "prefer_no_schedule": rng.choice((0, 3)),
        }
        profile = profile_from_config(rng.choice(POLICIES), weights)
        for _ in range(REQUESTS_PER_FLEET):
            yield nodes, random_request(rng, nodes), profile


def first_rejection(req: PlacementRequest, node: NodeSnapshot, profile: Profile) -> str | None:
    for plugin in profile.filters:
        reason = plugin.filter(req, node).reason
        if reason is not None:
            return reason
    return None


def reference_totals(
    req: PlacementRequest,
    nodes: Sequence[NodeSnapshot],
    feasible: Sequence[NodeSnapshot],
    profile: Profile,
) -> dict[str, float]:
    """Weighted totals computed one node and one scorer at a time, keyed by node id."""
    context = score_context(req, nodes)
    return {
        n.id: sum(w * s.score(req, n, context) for s, w in profile.scorers if w) for n in feasible
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_chosen_node_passes_every_filter_and_is_a_best_scoring_one(seed: int) -> None:
    chosen_somewhere = 0
    for nodes, req, profile in cases(seed):
        decision = schedule(req, nodes, profile)
        feasible = [n for n in nodes if first_rejection(req, n, profile) is None]
        assert decision.feasible_nodes == len(feasible)
        if not feasible:
            assert decision.node_id is None
            continue
        chosen_somewhere += 1
        winner = next(n for n in feasible if n.id == decision.node_id)
        rejected_ids = {n.id for n in nodes} - {n.id for n in feasible}
        assert winner.id not in rejected_ids
        for plugin in profile.filters:
            assert plugin.filter(req, winner).ok, plugin.name

        totals = reference_totals(req, nodes, feasible, profile)
        best = max(totals.values())
        assert totals[winner.id] == pytest.approx(best, abs=1e-9)
        assert decision.total == pytest.approx(totals[winner.id], abs=1e-9)
        tied = [n for n in feasible if abs(totals[n.id] - best) <= 1e-9]
        assert (winner.name, winner.id) == min((n.name, n.id) for n in tied)

        context = score_context(req, nodes)
        for scorer, weight in profile.scorers:
            if weight:
                expected = scorer.score(req, winner, context)
                assert decision.scores[scorer.name] == pytest.approx(expected)
                assert 0.0 <= expected <= 100.0
    assert chosen_somewhere > 100  # the random fleets exercised real choices


@pytest.mark.parametrize("seed", [4, 5])
def test_when_nothing_fits_every_node_is_counted_once_under_its_first_rejection(seed: int) -> None:
    failures = 0
    for nodes, req, profile in cases(seed):
        decision = schedule(req, nodes, profile)
        if decision.node_id is not None:
            continue
        failures += 1
        assert decision.reason is not None
        header, _, rest = decision.reason.partition(": ")
        assert header.rstrip(".") == f"0/{len(nodes)} nodes are available"
        counted: dict[str, int] = {}
        for part in filter(None, rest.rstrip(".").split(", ")):
            count, reason = re.fullmatch(r"(\d+) (.+)", part).groups()  # type: ignore[union-attr]
            counted[reason] = int(count)
        expected: dict[str, int] = {}
        for node in nodes:
            reason = first_rejection(req, node, profile)
            assert reason is not None
            expected[reason] = expected.get(reason, 0) + 1
        assert counted == expected
        assert list(counted.values()) == sorted(counted.values(), reverse=True)
    assert failures > 20


@pytest.mark.parametrize("seed", [6, 7])
def test_batch_forms_agree_with_the_per_node_definitions(seed: int) -> None:
    for nodes, req, profile in cases(seed):
        for plugin in profile.filters:
            assert list(plugin.filter_nodes(req, nodes)) == [
                n for n in nodes if plugin.filter(req, n).ok
            ], plugin.name
        context = score_context(req, nodes)
        for scorer, _ in profile.scorers:
            one_by_one = [scorer.score(req, n, context) for n in nodes]
            assert scorer.score_nodes(req, nodes, context) == one_by_one, scorer.name


@pytest.mark.parametrize("seed", [8])
def test_decisions_do_not_depend_on_the_order_of_the_fleet(seed: int) -> None:
    rng = random.Random(seed)
    for nodes, req, profile in cases(seed):
        shuffled = nodes[:]
        rng.shuffle(shuffled)
        assert schedule(req, shuffled, profile) == schedule(req, nodes, profile)
