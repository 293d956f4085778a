"""Evictions: none while most of the fleet is silent at once (disruption mode), and otherwise
one node after another at a bounded rate, never the whole fleet in one pass."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import Instance
from controlplane.jobs.health_sweep import sweep
from controlplane.services.apps.disruption import EvictionBudget, judge
from shared.enums import NodeStatus
from tests.conftest import FakeClock
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.controlplane.api.test_workers import beat

GRACE = timedelta(seconds=30)


async def fleet_with_one_instance_each(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], size: int
) -> list[dict[str, Any]]:
    nodes = [await active_node(platform, admin, f"worker-{i}") for i in range(size)]
    alice = await customer(platform, "alice@example.com")
    for _ in range(size):
        assert (await subscribe(platform, alice, services["ghost"])).status == 201
    placed = {i.node_id for i in await Instance.all()}
    assert len(placed) == size, "least-allocated spreads one instance per node"
    return nodes


async def silence(
    platform: TestClient, clock: FakeClock, alive: list[dict[str, Any]], seq: int
) -> int:
    """Time passes; only `alive` beat; the sweep marks the others INACTIVE."""
    clock.advance(GRACE.total_seconds() + 1)
    for node in alive:
        assert (await beat(platform, node, seq)).status == 200
    return await sweep(clock(), GRACE)


async def on_nodes(nodes: list[dict[str, Any]]) -> int:
    ids = [n["nodeId"] for n in nodes]
    return await Instance.filter(node_id__in=ids).count()


async def test_most_of_the_fleet_going_silent_at_once_moves_nothing_and_says_so(
    platform, admin, services, clock, caplog
) -> None:
    nodes = await fleet_with_one_instance_each(platform, admin, services, 5)
    assert await silence(platform, clock, nodes[:2], seq=2) == 3  # 60 % INACTIVE
    clock.advance(121)  # past the eviction timeout
    for node in nodes[:2]:
        await beat(platform, node, 3)
    with caplog.at_level(logging.WARNING, logger="minispod.reconcile"):
        result = await reconcile(platform)
    assert result.evicted == 0
    assert await on_nodes(nodes[2:]) == 3, "the silent nodes keep their instances"
    assert any("3 of 5 nodes are INACTIVE" in r.getMessage() for r in caplog.records)
    metrics = await (await platform.get("/metrics")).text()
    assert "minispod_evictions_paused 1.0" in metrics


async def test_silent_nodes_are_evicted_one_after_another_at_the_eviction_rate(
    platform, admin, services, clock
) -> None:
    nodes = await fleet_with_one_instance_each(platform, admin, services, 5)
    assert await silence(platform, clock, nodes[2:], seq=2) == 2  # 40 %: not a disruption
    clock.advance(121)
    for node in nodes[2:]:
        await beat(platform, node, 3)

    first = await reconcile(platform)
    assert first.evicted == 1
    again = await reconcile(platform)  # at once: the budget holds one node per 10 s
    assert again.evicted == 0
    clock.advance(10)
    for node in nodes[2:]:
        await beat(platform, node, 4)
    later = await reconcile(platform)
    assert later.evicted == 1
    assert await on_nodes(nodes[:2]) == 0
    metrics = await (await platform.get("/metrics")).text()
    assert "minispod_evictions_paused 0.0" in metrics


def test_the_fleet_is_disrupted_only_past_the_threshold_of_serving_nodes() -> None:
    a, i, m, p = NodeStatus.ACTIVE, NodeStatus.INACTIVE, NodeStatus.MAINTENANCE, NodeStatus.PENDING
    assert judge([a, i], 0.55).disrupted is False  # one of two: that node is gone, move it
    assert judge([a, i, i], 0.55).disrupted is True
    assert judge([i], 0.55).disrupted is True  # nowhere to move it anyway
    # Nodes that were not serving do not dilute the share.
    assert judge([a, i, i, m, m, p], 0.55) == judge([a, i, i], 0.55)


def test_the_budget_allows_one_node_per_ten_seconds_and_banks_no_more(clock: FakeClock) -> None:
    budget = EvictionBudget(0.1, clock())
    assert budget.take(clock()) and not budget.take(clock())
    clock.advance(9)
    assert not budget.take(clock())
    clock.advance(1)
    assert budget.take(clock())
    clock.advance(3600)  # a quiet hour banks one eviction, not 360
    assert budget.take(clock()) and not budget.take(clock())
