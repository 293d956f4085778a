"""Subscriptions end to end on the in-memory cluster: placement, provisioning, reconcile."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.appkeys import RECONCILER
from controlplane.db.models import Instance, Subscription, WorkerNode
from controlplane.services.apps.subscriptions import LIVE
from tests.conftest import ADMIN_PASSWORD, bearer, create_account, sign_in
from tests.controlplane.api.test_workers import beat, join_token, register
from tests.controlplane.conftest import fund, seed_services

# Enough for every subscription any of these tests makes: paying is tested in test_billing.
PLENTY = 10**9
# Cancel at once (the default waits for the paid period's end).
NOW = {"immediately": True}


async def customer(client: TestClient, email: str, funds: int = PLENTY) -> dict[str, str]:
    await create_account(client, email, "Customer1!x", "USER")
    if funds:
        await fund(client, email, funds)
    return bearer((await sign_in(client, email, "Customer1!x"))["accessToken"])


async def active_node(
    client: TestClient, admin: dict[str, str], name: str, **facts: Any
) -> dict[str, Any]:
    node = await register(client, await join_token(client, admin), name=name, **facts)
    assert (await beat(client, node, 1)).status == 200
    return node


async def subscribe(client: TestClient, who: dict[str, str], service_id: str, **body: Any) -> Any:
    return await client.post(
        "/api/v1/subscriptions", json={"serviceId": service_id, **body}, headers=who
    )


async def reconcile(client: TestClient) -> Any:
    return await client.app[RECONCILER].run()


async def instance_of(client: TestClient, who: dict[str, str], instance_id: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/instances/{instance_id}", headers=who)
    assert resp.status == 200, await resp.text()
    return dict((await resp.json())["data"])


async def test_subscription_is_placed_provisioned_and_running(platform, admin, services, cluster):
    node = await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    resp = await subscribe(platform, alice, services["n8n"], subdomain="alice-flows")
    body = await resp.json()
    assert resp.status == 201, body
    data = body["data"]
    assert data["status"] == "PENDING" and data["subdomain"] == "alice-flows"
    instance = data["instance"]
    assert instance["status"] == "PROVISIONING", instance["reason"]
    assert instance["nodeId"] == node["nodeId"]
    assert instance["url"] == "http://alice-flows.apps.localhost"
    assert instance["placement"]["node"] == "worker-a" and "secrets" not in instance
    (deployment,) = cluster.objects("Deployment")
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/hostname": "worker-a"
    }
    await reconcile(platform)
    got = await instance_of(platform, alice, instance["id"])
    assert got["status"] == "RUNNING" and got["reason"] is None
    sub = await (await platform.get(f"/api/v1/subscriptions/{data['id']}", headers=alice)).json()
    assert sub["data"]["status"] == "ACTIVE" and sub["data"]["instanceId"] == instance["id"]
    reserved = await WorkerNode.get(id=node["nodeId"])
    assert reserved.reserved_pods == 1 and reserved.reserved_cpu > 0


async def test_cancel_removes_objects_and_releases_the_node(platform, admin, services, cluster):
    node = await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["wordpress"])).json())["data"]
    await reconcile(platform)
    assert cluster.objects()
    resp = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice
    )
    body = await resp.json()
    assert resp.status == 200 and body["data"]["status"] == "CANCELLED"
    assert body["data"]["instance"]["status"] == "STOPPED"
    assert body["data"]["instance"]["nodeId"] is None
    assert cluster.objects() == []
    freed = await WorkerNode.get(id=node["nodeId"])
    assert (
        freed.reserved_cpu,
        freed.reserved_memory,
        freed.reserved_storage,
        freed.reserved_pods,
    ) == (0, 0, 0, 0)
    again = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice
    )
    assert again.status == 409


async def test_no_room_stays_pending_with_reasons_until_a_node_appears(platform, admin, services):
    await active_node(platform, admin, "tiny", cpuCores=1, totalMemory=256)
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["wordpress"])).json())["data"]
    instance = data["instance"]
    assert instance["status"] == "PENDING" and instance["nodeId"] is None
    assert instance["reason"].startswith("0/1 nodes are available: 1 Insufficient")
    big = await active_node(platform, admin, "big")
    result = await reconcile(platform)
    assert result.placed == 1
    got = await instance_of(platform, alice, instance["id"])
    assert got["nodeId"] == big["nodeId"]
    await reconcile(platform)
    assert (await instance_of(platform, alice, instance["id"]))["status"] == "RUNNING"


async def test_instances_on_a_dead_node_are_placed_again(platform, admin, services, clock):
    from datetime import timedelta

    from controlplane.jobs.health_sweep import sweep

    first = await active_node(platform, admin, "worker-a", labels={})
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["ghost"])).json())["data"]
    assert data["instance"]["nodeId"] == first["nodeId"]
    await reconcile(platform)
    second = await active_node(platform, admin, "worker-b")
    clock.advance(31)
    await beat(platform, second, 2)  # b stays alive, a falls silent
    assert await sweep(clock(), timedelta(seconds=30)) == 1
    await reconcile(platform)  # not yet past the eviction timeout
    assert (await instance_of(platform, alice, data["instance"]["id"]))["nodeId"] == first["nodeId"]
    clock.advance(61)
    await beat(platform, second, 3)
    await reconcile(platform)
    moved = await instance_of(platform, alice, data["instance"]["id"])
    assert moved["nodeId"] == second["nodeId"]
    await reconcile(platform)
    assert (await instance_of(platform, alice, data["instance"]["id"]))["status"] == "RUNNING"
    dead = await WorkerNode.get(id=first["nodeId"])
    assert dead.reserved_pods == 0


async def test_maintenance_drains_a_node(platform, admin, services):
    a = await active_node(platform, admin, "worker-a")
    b = await active_node(platform, admin, "worker-b")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    on = data["instance"]["nodeId"]
    other = b if on == a["nodeId"] else a
    await platform.patch(
        f"/api/v1/workers/{on}/status", json={"status": "MAINTENANCE"}, headers=admin
    )
    await reconcile(platform)
    assert (await instance_of(platform, alice, data["instance"]["id"]))["nodeId"] == other["nodeId"]


async def test_failed_pod_shows_failed_with_the_reason(platform, admin, services, cluster):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    cluster.fail(data["instance"]["id"], "CrashLoopBackOff")
    await reconcile(platform)
    got = await instance_of(platform, alice, data["instance"]["id"])
    assert got["status"] == "FAILED"
    assert got["reason"] == "the app keeps stopping; it is restarted automatically"
    assert got["detail"] is None  # the cluster's words are for administrators
    seen = await instance_of(platform, admin, data["instance"]["id"])
    assert seen["reason"] == got["reason"] and "CrashLoopBackOff" in seen["detail"]
    cluster.recover(data["instance"]["id"])
    await reconcile(platform)
    assert (await instance_of(platform, alice, data["instance"]["id"]))["status"] == "RUNNING"


async def test_vanished_objects_are_recreated(platform, admin, services, cluster):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    (deployment,) = cluster.objects("Deployment")
    await cluster.delete(data["instance"]["id"], deployment["metadata"]["namespace"])
    assert cluster.objects("Deployment") == []
    await reconcile(platform)
    assert len(cluster.objects("Deployment")) == 1


async def test_orphans_in_the_cluster_are_removed(platform, admin, services, cluster):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    await reconcile(platform)
    # The database forgets the instance (as after a restore); the cluster still runs it.
    from controlplane.db.models import Instance

    await Instance.filter(id=data["instance"]["id"]).delete()
    result = await reconcile(platform)
    assert result.removed_orphans == 1 and cluster.objects() == []


async def test_customers_see_only_their_own(platform, admin, services):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    bob = await customer(platform, "bob@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    for method, path in [
        ("GET", f"/api/v1/subscriptions/{data['id']}"),
        ("POST", f"/api/v1/subscriptions/{data['id']}/cancel"),
        ("GET", f"/api/v1/instances/{data['instance']['id']}"),
        ("POST", f"/api/v1/instances/{data['instance']['id']}/restart"),
        ("GET", f"/api/v1/instances/{data['instance']['id']}/logs"),
    ]:
        resp = await platform.request(method, path, headers=bob)
        assert resp.status == 404, (method, path)
    listed = await (await platform.get("/api/v1/subscriptions", headers=bob)).json()
    assert listed["data"]["subscriptions"] == [] and listed["data"]["pagination"]["total"] == 0
    for kind in ("subscriptions", "instances"):  # naming another customer widens nothing
        resp = await platform.get(f"/api/v1/{kind}?userId={data['userId']}", headers=bob)
        assert (await resp.json())["data"]["pagination"]["total"] == 0
    narrowed = await platform.get(f"/api/v1/instances?userId={data['userId']}", headers=admin)
    assert (await narrowed.json())["data"]["pagination"]["total"] == 1
    everyone = await (await platform.get("/api/v1/subscriptions", headers=admin)).json()
    assert everyone["data"]["pagination"]["total"] == 1
    assert (
        await platform.get(f"/api/v1/instances/{data['instance']['id']}", headers=admin)
    ).status == 200
    anonymous = await platform.get("/api/v1/subscriptions")
    assert anonymous.status == 401


async def test_administrators_lists_name_each_subscriber_and_customers_lists_do_not(
    platform, admin, services
):
    await create_account(platform, "alice@example.com", "Customer1!x", "USER", "Alice Liddell")
    await fund(platform, "alice@example.com", PLENTY)
    alice = bearer((await sign_in(platform, "alice@example.com", "Customer1!x"))["accessToken"])
    made = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    assert made["subscriber"] is None

    everyone = (await (await platform.get("/api/v1/subscriptions", headers=admin)).json())["data"]
    (listed,) = everyone["subscriptions"]
    assert listed["id"] == made["id"]
    assert listed["subscriber"] == {
        "id": made["userId"],
        "name": "Alice Liddell",
        "email": "alice@example.com",
    }
    # Customers read their own (and their teams') lists without anyone's address in them.
    own = (await (await platform.get("/api/v1/subscriptions", headers=alice)).json())["data"]
    assert [s["subscriber"] for s in own["subscriptions"]] == [None]


async def test_bad_subscriptions_are_refused_and_create_nothing(platform, admin, services):
    from controlplane.db.models import Subscription

    alice = await customer(platform, "alice@example.com")
    cases = [
        ({"serviceId": "00000000-0000-0000-0000-000000000000"}, 404),
        ({"serviceId": services["n8n"], "subdomain": "Bad_Name"}, 400),
        ({"serviceId": services["n8n"], "subdomain": "admin"}, 400),
        ({"serviceId": services["n8n"], "env": {"N8N_ENCRYPTION_KEY": "mine"}}, 400),
        ({"serviceId": services["n8n"], "extra": 1}, 400),
    ]
    for body, status in cases:
        resp = await platform.post("/api/v1/subscriptions", json=body, headers=alice)
        assert resp.status == status, (body, await resp.text())
    assert await Subscription.all().count() == 0
    ok = await subscribe(platform, alice, services["n8n"], subdomain="taken-one")
    assert ok.status == 201
    taken = await subscribe(platform, alice, services["ghost"], subdomain="taken-one")
    assert taken.status == 409
    assert await Subscription.all().count() == 1


async def test_subscription_limit_per_user(aiohttp_client, config, clock, cluster):
    app = create_app(
        config.replace(run_jobs=False, max_subscriptions_per_team=1), clock=clock, cluster=cluster
    )
    client = await aiohttp_client(app)
    ids = await seed_services(client)
    alice = await customer(client, "alice@example.com")
    assert (await subscribe(client, alice, ids["n8n"])).status == 201
    second = await subscribe(client, alice, ids["ghost"])
    assert second.status == 409 and "limit" in (await second.json())["message"]


async def test_parallel_subscribes_never_pass_the_per_account_limit(
    aiohttp_client, config, clock, cluster
):
    app = create_app(
        config.replace(run_jobs=False, max_subscriptions_per_team=10), clock=clock, cluster=cluster
    )
    client = await aiohttp_client(app)
    ids = await seed_services(client)
    alice = await customer(client, "alice@example.com")
    answers = await asyncio.gather(*(subscribe(client, alice, ids["n8n"]) for _ in range(30)))
    statuses = sorted(r.status for r in answers)
    assert statuses == [201] * 10 + [409] * 20
    assert await Subscription.filter(status__in=LIVE).count() == 10
    assert await Instance.all().count() == 10


async def test_restart_logs_and_cluster_monitoring(platform, admin, services, cluster):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    instance_id = data["instance"]["id"]
    early = await platform.post(f"/api/v1/instances/{instance_id}/restart", headers=alice)
    assert early.status == 409  # not running yet
    await reconcile(platform)
    cluster.write_log(instance_id, "hello from n8n")
    logs = await (
        await platform.get(f"/api/v1/instances/{instance_id}/logs?tail=10", headers=alice)
    ).json()
    assert "hello from n8n" in logs["data"]["lines"]
    assert (
        await platform.post(f"/api/v1/instances/{instance_id}/restart", headers=alice)
    ).status == 200
    pods = await (await platform.get("/api/v1/admin/k8s/pods", headers=admin)).json()
    assert any(p["instanceId"] == instance_id for p in pods["data"]["pods"])
    namespace = pods["data"]["pods"][0]["namespace"]
    scoped = await (
        await platform.get(f"/api/v1/admin/k8s/deployments?namespace={namespace}", headers=admin)
    ).json()
    assert scoped["data"]["total"] == 1
    other = await (
        await platform.get("/api/v1/admin/k8s/ingresses?namespace=nowhere", headers=admin)
    ).json()
    assert other["data"]["total"] == 0
    for kind in ("pods", "deployments", "nodes", "namespaces", "services", "ingresses"):
        assert (await platform.get(f"/api/v1/admin/k8s/{kind}", headers=alice)).status == 403


async def test_an_administrators_renewal_extends_the_period_without_a_charge(
    platform, admin, services, clock, cluster
):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    kept = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    before = (await (await platform.get("/api/v1/billing/wallet", headers=alice)).json())["data"]
    renewed = await platform.post(
        f"/api/v1/subscriptions/{kept['id']}/renew", json={"months": 1}, headers=admin
    )
    assert renewed.status == 200
    assert (
        await platform.post(f"/api/v1/subscriptions/{kept['id']}/renew", json={}, headers=alice)
    ).status == 403
    clock.advance(32 * 24 * 3600)  # past the first period, inside the extended one
    admin = bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    alice = bearer((await sign_in(platform, "alice@example.com", "Customer1!x"))["accessToken"])
    result = await reconcile(platform)
    assert result.renewed == 0 and result.expired == 0
    after = (await (await platform.get("/api/v1/billing/wallet", headers=alice)).json())["data"]
    assert after["balance"] == before["balance"]
    alive = await (await platform.get(f"/api/v1/subscriptions/{kept['id']}", headers=alice)).json()
    assert alive["data"]["status"] in ("ACTIVE", "PENDING")


async def test_parallel_subscriptions_never_overcommit_a_node(platform, admin, services, dialect):
    if dialect != "postgres":
        pytest.skip("concurrency is proven on PostgreSQL, where transactions really overlap")
    for name in ("a", "b", "c"):
        await active_node(platform, admin, f"worker-{name}", cpuCores=2, totalMemory=4096)
    users = [await customer(platform, f"user{i}@example.com") for i in range(4)]
    responses = await asyncio.gather(
        *(subscribe(platform, users[i % 4], services["n8n"]) for i in range(120))
    )
    assert all(r.status == 201 for r in responses)
    nodes = await WorkerNode.all()
    from controlplane.db.models import Instance

    placed = await Instance.filter(node_id__isnull=False)
    for node in nodes:
        mine = [i for i in placed if i.node_id == node.id]
        assert node.reserved_cpu <= node.cpu_cores + 1e-6
        assert node.reserved_memory <= node.total_memory
        assert node.reserved_pods == len(mine)
        assert abs(node.reserved_cpu - sum(i.cpu for i in mine)) < 1e-6
    pending = await Instance.filter(node_id__isnull=True).count()
    assert len(placed) + pending == 120 and pending > 0 and len(placed) > 0


async def test_suspension_stops_the_pod_but_keeps_data_and_room(platform, admin, services, cluster):
    node = await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["wordpress"])).json())["data"]
    await reconcile(platform)
    url = f"/api/v1/subscriptions/{data['id']}"
    assert (await platform.post(f"{url}/suspend", headers=alice)).status == 403
    resp = await platform.post(f"{url}/suspend", headers=admin)
    body = (await resp.json())["data"]
    assert resp.status == 200 and body["status"] == "SUSPENDED"
    assert body["instance"]["status"] == "STOPPED" and body["instance"]["nodeId"] == node["nodeId"]
    (deployment,) = cluster.objects("Deployment")
    assert deployment["spec"]["replicas"] == 0
    assert cluster.objects("PersistentVolumeClaim")  # the data stays
    await reconcile(platform)  # neither an orphan nor something to restart
    assert cluster.objects("Deployment")[0]["spec"]["replicas"] == 0
    assert (await WorkerNode.get(id=node["nodeId"])).reserved_pods == 1
    resumed = await platform.post(f"{url}/resume", headers=admin)
    assert (await resumed.json())["data"]["instance"]["status"] == "PROVISIONING"
    await reconcile(platform)
    final = (await (await platform.get(url, headers=alice)).json())["data"]
    assert final["status"] == "ACTIVE" and final["instance"]["status"] == "RUNNING"
    assert cluster.objects("Deployment")[0]["spec"]["replicas"] == 1


async def test_metrics_count_ingest_and_reconcile_work(platform, admin, services):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    await subscribe(platform, alice, services["wordpress"], subdomain="counted")
    await reconcile(platform)
    text = await (await platform.get("/metrics")).text()
    assert 'minispod_ingest_samples_total{result="stored"} 1.0' in text
    assert 'minispod_ingest_batches_total{outcome="committed"}' in text
    assert 'minispod_reconcile_actions_total{action="errors"} 0.0' in text


async def test_a_customer_with_live_subscriptions_is_not_deleted(platform, admin, services):
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    user_url = f"/api/v1/users/{data['userId']}"
    refused = await platform.delete(user_url, headers=admin)
    assert refused.status == 409
    bulk = await platform.post(
        "/api/v1/users/bulk", json={"action": "delete", "userIds": [data["userId"]]}, headers=admin
    )
    assert bulk.status == 409
    await platform.post(f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice)
    # What is left in the wallet is settled first (an account with money is kept too).
    left = (await (await platform.get("/api/v1/billing/wallet", headers=alice)).json())["data"]
    settle = {"userId": data["userId"], "amount": -left["balance"], "reason": "paid out"}
    assert (
        await platform.post("/api/v1/admin/billing/credits", json=settle, headers=admin)
    ).status in (200, 201)
    assert (await platform.delete(user_url, headers=admin)).status == 200
