"""Placement's metrics: how long a customer waited for a node, and what each attempt cost."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from controlplane.appkeys import METRICS
from controlplane.jobs.health_sweep import sweep
from tests.conftest import FakeClock
from tests.controlplane.api.test_subscriptions import (
    active_node,
    customer,
    instance_of,
    reconcile,
    subscribe,
)
from tests.controlplane.api.test_workers import beat


def sample(client: TestClient, name: str, **labels: str) -> float:
    value = client.app[METRICS].registry.get_sample_value(name, labels)
    assert value is not None, name
    return value


async def test_the_wait_for_a_node_is_observed_once_from_subscribing_to_placement(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], clock: FakeClock
) -> None:
    wait = "minispod_placement_wait_seconds"
    attempts = "minispod_placement_attempt_duration_seconds_count"
    assert sample(platform, f"{wait}_count") == 0
    assert sample(platform, attempts, result="unschedulable") == 0

    tiny = await active_node(platform, admin, "tiny", cpuCores=1, totalMemory=256)
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["wordpress"])).json())["data"]
    assert data["instance"]["status"] == "PENDING"
    assert sample(platform, attempts, result="unschedulable") == 1
    assert sample(platform, f"{wait}_count") == 0  # no decision that placed it yet

    clock.advance(90)
    await beat(platform, tiny, 2)
    big = await active_node(platform, admin, "big")
    await reconcile(platform)
    placed = await instance_of(platform, alice, data["instance"]["id"])
    assert placed["nodeId"] == big["nodeId"]
    assert sample(platform, attempts, result="placed") == 1
    assert sample(platform, f"{wait}_count") == 1
    # From the instance's creation (real time, a moment after the test clock was read) to
    # the placement on the test clock: 90 s, less the moment in between.
    assert 80 < sample(platform, f"{wait}_sum") <= 90
    assert sample(platform, f"{wait}_bucket", le="60.0") == 0
    assert sample(platform, f"{wait}_bucket", le="120.0") == 1

    # Evicted from a silent node and placed again: an attempt, but not a second first wait.
    clock.advance(31)
    await beat(platform, tiny, 3)
    assert await sweep(clock(), timedelta(seconds=30)) == 1
    clock.advance(61)
    await beat(platform, tiny, 4)
    await reconcile(platform)
    evicted = await instance_of(platform, alice, data["instance"]["id"])
    assert evicted["status"] == "PENDING"  # the tiny node cannot take it either
    assert sample(platform, attempts, result="unschedulable") == 2
    spare = await active_node(platform, admin, "spare")
    await reconcile(platform)
    moved = await instance_of(platform, alice, data["instance"]["id"])
    assert moved["nodeId"] == spare["nodeId"]
    assert sample(platform, attempts, result="placed") == 2
    assert sample(platform, f"{wait}_count") == 1
