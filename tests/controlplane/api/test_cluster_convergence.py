"""The cluster converges, for every object: what is deleted or edited behind the control
plane's back is put back by reconcile, on the real app over the in-memory cluster."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.cluster.memory import InMemoryCluster
from tests.conftest import ADMIN_PASSWORD, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import (
    active_node,
    customer,
    instance_of,
    reconcile,
    seed_services,
    subscribe,
)


@pytest.fixture
def cluster() -> InMemoryCluster:
    return InMemoryCluster()


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster) -> TestClient:
    """The real app on the in-memory cluster; jobs run by hand, so tests are deterministic."""
    app = create_app(config.replace(run_jobs=False), clock=clock, cluster=cluster)
    return await aiohttp_client(app)


@pytest.fixture
async def services(platform) -> dict[str, str]:
    return await seed_services(platform)


@pytest.fixture
async def admin(platform) -> dict[str, str]:
    await create_account(platform, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR")
    return bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


def _one(cluster: InMemoryCluster, kind: str) -> dict[str, Any]:
    (obj,) = cluster.objects(kind)
    return obj


async def _running_instance(platform, admin, services, who) -> dict[str, Any]:
    await active_node(platform, admin, "worker-a")
    data = (await (await subscribe(platform, who, services["n8n"])).json())["data"]
    await reconcile(platform)
    instance = await instance_of(platform, who, data["instance"]["id"])
    assert instance["status"] == "RUNNING", instance
    return instance


@pytest.mark.parametrize(
    "kind", ["Service", "Ingress", "Secret", "NetworkPolicy", "ResourceQuota", "LimitRange"]
)
async def test_an_object_deleted_behind_our_back_is_put_back(
    platform, admin, services, cluster, kind
):
    alice = await customer(platform, "alice@example.com")
    instance = await _running_instance(platform, admin, services, alice)
    before = _one(cluster, kind)
    meta = before["metadata"]
    cluster.delete_object(kind, meta["namespace"], meta["name"])

    result = await reconcile(platform)
    assert result.repaired == 1
    assert _one(cluster, kind) == before
    repairing = await instance_of(platform, alice, instance["id"])
    assert repairing["status"] == "RUNNING"
    assert (
        repairing["reason"]
        == "parts of the app were missing or changed in the cluster; restoring them"
    )

    # Healthy and whole again: nothing to repair, and the reason clears.
    assert (await reconcile(platform)).repaired == 0
    assert (await instance_of(platform, alice, instance["id"]))["reason"] is None


async def test_a_network_policy_opened_behind_our_back_is_closed_again(
    platform, admin, services, cluster
):
    alice = await customer(platform, "alice@example.com")
    await _running_instance(platform, admin, services, alice)
    before = _one(cluster, "NetworkPolicy")
    meta = before["metadata"]
    cluster.edit_object(
        "NetworkPolicy",
        meta["namespace"],
        meta["name"],
        lambda policy: policy["spec"]["ingress"].append({}),  # every pod may connect
    )
    assert (await reconcile(platform)).repaired == 1
    assert _one(cluster, "NetworkPolicy") == before
