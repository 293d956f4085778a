"""Evictions with real agents: killing most of the fleet's agents moves nothing (disruption
mode), killing one node's agent moves its instances elsewhere."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import (
    GRACE_PERIOD,
    Agent,
    StartAgent,
)
from tests.processes import AdminApi, wait_for

pytestmark = pytest.mark.slow

EVICTION_TIMEOUT = 1.0
RECONCILE_INTERVAL = 0.3
FLEET = 3


@pytest.fixture
def seed_catalog() -> bool:
    return True


@pytest.fixture
def control_plane_settings() -> dict[str, str]:
    return {
        "MINISPOD_EVICTION_TIMEOUT": str(EVICTION_TIMEOUT),
        "MINISPOD_RECONCILE_INTERVAL": str(RECONCILE_INTERVAL),
        "MINISPOD_EVICTION_RATE": "10",
    }


def fleet_running_one_instance_each(
    admin: AdminApi, start_agent: StartAgent
) -> tuple[list[Agent], dict[str, str]]:
    """Agents, and where each instance runs: {instance id: node id}."""
    agents = [start_agent() for _ in range(FLEET)]
    for agent in agents:
        node_id = agent.wait_registered()
        wait_for(lambda n=node_id: admin.node(n)["status"] == "ACTIVE", 10, f"{node_id} ACTIVE")
    ghost = next(
        s for s in admin.data("GET", "/services?limit=100")["services"] if s["slug"] == "ghost"
    )
    # Subscribing pays its first period: the administrator credits their own wallet first.
    me = admin.data("GET", "/auth/profile")
    admin.data(
        "POST",
        "/admin/billing/credits",
        {"userId": me["id"], "amount": FLEET * ghost["pricing"]["monthly"], "reason": "e2e"},
    )
    for _ in range(FLEET):
        admin.data("POST", "/subscriptions", {"serviceId": ghost["id"]})

    def placed() -> dict[str, str] | None:
        instances = admin.data("GET", "/instances?limit=100")["instances"]
        running = {i["id"]: i["nodeId"] for i in instances if i["status"] == "RUNNING"}
        return running if len(running) == FLEET else None

    where = wait_for(placed, 15, "every instance RUNNING")
    assert len(set(where.values())) == FLEET, "least-allocated spreads one instance per node"
    return agents, where


def node_of(agent: Agent, admin: AdminApi) -> str:
    return str(admin.nodes_named(agent.node_name)[0]["id"])


def test_killing_most_of_the_fleets_agents_moves_no_instance(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agents, where = fleet_running_one_instance_each(admin, start_agent)
    dead = [node_of(a, admin) for a in agents[:2]]
    for agent in agents[:2]:
        agent.kill()  # kill -9: two of three nodes go silent at once
    for node_id in dead:
        wait_for(lambda n=node_id: admin.node(n)["status"] == "INACTIVE", 10, f"{node_id} dead")
    # Well past the eviction timeout, many reconcile passes later.
    time.sleep(EVICTION_TIMEOUT + 10 * RECONCILE_INTERVAL)
    instances = admin.data("GET", "/instances?limit=100")["instances"]
    assert {i["id"]: i["nodeId"] for i in instances} == where, "nothing moved"


def test_killing_one_nodes_agent_moves_its_instance_elsewhere(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agents, where = fleet_running_one_instance_each(admin, start_agent)
    dead = node_of(agents[0], admin)
    (victim,) = [i for i, n in where.items() if n == dead]
    agents[0].kill()

    def moved() -> str | None:
        instance = admin.data("GET", f"/instances/{victim}")
        node = instance["nodeId"]
        return node if node not in (None, dead) and instance["status"] == "RUNNING" else None

    new_home = wait_for(moved, GRACE_PERIOD + EVICTION_TIMEOUT + 10, "the instance moved")
    assert new_home in set(where.values()) - {dead}
    untouched = {i: n for i, n in where.items() if i != victim}
    instances = admin.data("GET", "/instances?limit=100")["instances"]
    assert {i["id"]: i["nodeId"] for i in instances if i["id"] != victim} == untouched
