"""The cluster converges, for every object: what is deleted or edited behind the control
plane's back is put back by reconcile, changes to one tenant's shared objects never race, and
customers read our words while it happens; on the real app over the in-memory cluster."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.cluster.memory import InMemoryCluster
from tests.conftest import ADMIN_PASSWORD, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import (
    NOW,
    active_node,
    customer,
    instance_of,
    reconcile,
    seed_services,
    subscribe,
)


@pytest.fixture
def cluster_latency() -> float:
    """Seconds per API request; tests of concurrency give requests time to interleave."""
    return 0.0


@pytest.fixture
def terminating_for() -> float:
    """Seconds a deleted namespace stays Terminating."""
    return 0.0


@pytest.fixture
def cluster(cluster_latency: float, terminating_for: float, clock) -> InMemoryCluster:
    # The cluster keeps the test's time, so a namespace's termination ends when the test says.
    return InMemoryCluster(
        latency=cluster_latency,
        terminating_for=terminating_for,
        clock=lambda: clock().timestamp(),
    )


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
    "kind",
    [
        "Service",
        "Ingress",
        "Secret",
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "RoleBinding",
    ],
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


def _hard(cluster: InMemoryCluster, resource: str) -> str:
    value: str = _one(cluster, "ResourceQuota")["spec"]["hard"][resource]
    return value


@pytest.mark.parametrize("cluster_latency", [0.01])
async def test_two_subscriptions_of_one_customer_at_once_both_fit_the_quota(
    platform, admin, services, cluster
):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    responses = await asyncio.gather(
        subscribe(platform, alice, services["n8n"]), subscribe(platform, alice, services["ghost"])
    )
    for response in responses:
        instance = (await response.json())["data"]["instance"]
        assert instance["status"] == "PROVISIONING"
        assert instance["reason"] == "placed on worker-a; provisioning"
    assert len(cluster.objects("Deployment")) == len(cluster.objects("Service")) == 2
    assert _hard(cluster, "services") == "2"
    assert _hard(cluster, "persistentvolumeclaims") == "2"


@pytest.mark.parametrize("cluster_latency", [0.01])
async def test_a_cancel_beside_a_subscribe_leaves_the_quota_of_what_remains(
    platform, admin, services, cluster
):
    alice = await customer(platform, "alice@example.com")
    first = await _running_instance(platform, admin, services, alice)
    cancel = platform.post(
        f"/api/v1/subscriptions/{first['subscriptionId']}/cancel", json=NOW, headers=alice
    )
    cancelled, subscribed = await asyncio.gather(
        cancel, subscribe(platform, alice, services["ghost"])
    )
    assert cancelled.status == 200
    instance = (await subscribed.json())["data"]["instance"]
    assert instance["reason"] == "placed on worker-a; provisioning"
    (deployment,) = cluster.objects("Deployment")
    assert deployment["metadata"]["labels"]["minispod.io/instance"] == instance["id"]
    assert len(cluster.objects("Service")) == 1
    assert _hard(cluster, "services") == "1"
    assert len(cluster.objects("Namespace")) == 1


@pytest.mark.parametrize("cluster_latency", [0.01])
async def test_two_replicas_changing_one_tenant_at_once_take_turns(
    platform, admin, services, cluster, aiohttp_client, config, clock, dialect
):
    if dialect != "postgres":
        pytest.skip("replicas share PostgreSQL; SQLite serves one process")
    other = await aiohttp_client(
        create_app(config.replace(run_jobs=False), clock=clock, cluster=cluster)
    )
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    responses = await asyncio.gather(
        subscribe(platform, alice, services["n8n"]), subscribe(other, alice, services["ghost"])
    )
    for response in responses:
        instance = (await response.json())["data"]["instance"]
        assert instance["reason"] == "placed on worker-a; provisioning"
    assert _hard(cluster, "services") == "2"


TERMINATING = (
    "your previous installation is still being removed; setting up continues once it is "
    "gone, we retry automatically"
)


@pytest.mark.parametrize("terminating_for", [20.0])
async def test_resubscribing_while_the_old_namespace_terminates_reads_our_words(
    platform, admin, services, cluster, clock
):
    alice = await customer(platform, "alice@example.com")
    first = await _running_instance(platform, admin, services, alice)
    cancelled = await platform.post(
        f"/api/v1/subscriptions/{first['subscriptionId']}/cancel", json=NOW, headers=alice
    )
    assert cancelled.status == 200
    body = (await (await subscribe(platform, alice, services["ghost"])).json())["data"]
    instance_id = body["instance"]["id"]
    assert body["instance"]["reason"] == TERMINATING

    await reconcile(platform)  # still terminating: retried, and still said our way
    seen = await instance_of(platform, alice, instance_id)
    assert (seen["status"], seen["reason"], seen["detail"]) == ("PROVISIONING", TERMINATING, None)
    said = json.dumps(seen)
    for word in ("tenant-", "/api", "namespace", "forbidden"):
        assert word not in said, word
    # A status code is looked for in the words only: ids, scores and subdomains are random
    # digits (an id once held "403").
    assert "403" not in f"{seen['reason']} {seen['detail']}"
    behind = await instance_of(platform, admin, instance_id)
    assert behind["reason"] == TERMINATING
    assert "because it is being terminated" in behind["detail"]

    clock.advance(21)  # the old namespace is gone
    await reconcile(platform)
    await reconcile(platform)
    for who in (alice, admin):
        healthy = await instance_of(platform, who, instance_id)
        assert (healthy["status"], healthy["reason"], healthy["detail"]) == ("RUNNING", None, None)


async def test_a_worker_active_to_us_but_not_ready_in_kubernetes_is_not_chosen(
    platform, admin, services, cluster
):
    a = await active_node(platform, admin, "worker-a")
    b = await active_node(platform, admin, "worker-b")
    c = await active_node(platform, admin, "worker-c")
    # The agents beat on; Kubernetes has lost two kubelets and never knew the third node.
    cluster.register_node("worker-a", ready=False)
    cluster.register_node(
        "worker-b", taints=[{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]
    )
    alice = await customer(platform, "alice@example.com")
    instance = (await (await subscribe(platform, alice, services["n8n"])).json())["data"][
        "instance"
    ]
    assert (instance["status"], instance["nodeId"]) == ("PENDING", None)
    assert instance["reason"] == "0/3 nodes are available: 3 node(s) were not ready in Kubernetes."
    for node in (a, b, c):
        seen = await platform.get(f"/api/v1/workers/{node['nodeId']}", headers=admin)
        assert (await seen.json())["data"]["status"] == "ACTIVE"

    cluster.register_node("worker-a")  # its kubelet is back
    assert (await reconcile(platform)).placed == 1
    placed = await instance_of(platform, alice, instance["id"])
    assert placed["nodeId"] == a["nodeId"]
