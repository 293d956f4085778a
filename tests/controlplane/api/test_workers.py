"""Worker nodes: join tokens, agent registration, heartbeats, telemetry, health, admin views."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import INGEST, METRICS
from controlplane.db.models import WorkerNode
from controlplane.services.fleet.ingest import _Item
from shared.wire.nodes import Heartbeat
from tests.conftest import AppFactory, bearer

FACTS = {
    "name": "worker-01",
    "hostname": "worker01.cluster.local",
    "ipAddress": "192.168.1.100",
    "cpuCores": 8,
    "cpuArchitecture": "x86_64",
    "totalMemory": 32768,
    "totalStorage": 500000,
    "architecture": "amd64",
    "operatingSystem": "Ubuntu 22.04 LTS",
    "labels": {"topology.kubernetes.io/zone": "a"},
    # One agent's secret for every name: tests that register a name again are that agent.
    "nodeSecret": "test-node-secret-0123456789abcdefghijklmnop",
}


async def join_token(client: TestClient, admin: dict[str, str], **extra: Any) -> str:
    resp = await client.post(
        "/api/v1/workers/join-tokens", json={"name": "fleet", **extra}, headers=admin
    )
    body = await resp.json()
    assert resp.status == 201, body
    return str(body["data"]["token"])


async def register(client: TestClient, token: str, **facts: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/agent/register", json={**FACTS, **facts}, headers=bearer(token)
    )
    body = await resp.json()
    assert resp.status == 200, body
    return dict(body["data"])


def sample(seq: int, when: datetime | None = None, cpu: float = 12.5) -> dict[str, Any]:
    return {
        "seq": seq,
        "timestamp": (when or datetime.now(UTC)).isoformat(),
        "cpuPercent": cpu,
        "memoryUsed": 4096,
        "diskUsed": 100000,
        "load1": 0.5,
        "load5": 0.4,
        "load15": 0.3,
    }


HEALTHY = [{"type": "Ready", "status": True}, {"type": "DiskPressure", "status": False}]


async def beat(
    client: TestClient,
    node: dict[str, Any],
    seq: int,
    conditions: list[dict[str, Any]] = HEALTHY,
    cpu: float = 12.5,
    **extra: Any,
) -> Any:
    return await client.post(
        f"/api/v1/workers/{node['nodeId']}/heartbeat",
        json={"sample": sample(seq, cpu=cpu), "conditions": conditions, **extra},
        headers=bearer(node["nodeToken"]),
    )


async def get_node(client: TestClient, admin: dict[str, str], node_id: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/workers/{node_id}", headers=admin)
    assert resp.status == 200
    return dict((await resp.json())["data"])


async def test_registered_node_goes_active_on_a_healthy_heartbeat(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    assert (await get_node(client, admin_headers, node["nodeId"]))["status"] == "PENDING"
    resp = await beat(client, node, 1)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["data"] == {"accepted": 1, "duplicates": 0, "lastSeq": 1}
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["status"] == "ACTIVE" and got["isReady"] is True
    assert got["cpuPercent"] == 12.5 and got["lastSeq"] == 1 and got["cpuCores"] == 8
    events = (
        await (
            await client.get(f"/api/v1/workers/{node['nodeId']}/events", headers=admin_headers)
        ).json()
    )["data"]["events"]
    assert [(e["fromStatus"], e["toStatus"]) for e in events] == [
        ("PENDING", "ACTIVE"),
        (None, "PENDING"),
    ]


async def test_replayed_samples_are_stored_once(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    url = f"/api/v1/workers/{node['nodeId']}/telemetry"
    batch = {"samples": [sample(i) for i in range(1, 6)]}
    first = await client.post(url, json=batch, headers=bearer(node["nodeToken"]))
    assert (await first.json())["data"] == {"accepted": 5, "duplicates": 0, "lastSeq": 5}
    again = await client.post(
        url, json={"samples": [sample(i) for i in range(3, 8)]}, headers=bearer(node["nodeToken"])
    )
    assert (await again.json())["data"] == {"accepted": 2, "duplicates": 3, "lastSeq": 7}
    history = await client.get(f"/api/v1/workers/{node['nodeId']}/metrics", headers=admin_headers)
    seqs = [s["seq"] for s in (await history.json())["data"]["samples"]]
    assert seqs == [1, 2, 3, 4, 5, 6, 7]


async def test_overlapping_samples_sent_at_once_are_accepted_once_in_all(client, admin_headers):
    """Requests arriving together share a batch: one of them owns each new seq."""
    node = await register(client, await join_token(client, admin_headers))
    url = f"/api/v1/workers/{node['nodeId']}/telemetry"
    batches = [{"samples": [sample(i) for i in range(k, k + 5)]} for k in range(1, 13)]
    sent = await asyncio.gather(
        *(client.post(url, json=b, headers=bearer(node["nodeToken"])) for b in batches)
    )
    answers = [(await r.json())["data"] for r in sent]
    assert sum(a["accepted"] for a in answers) == 16  # seqs 1..16
    assert sum(a["duplicates"] for a in answers) == 12 * 5 - 16
    assert max(a["lastSeq"] for a in answers) == 16
    history = await client.get(f"/api/v1/workers/{node['nodeId']}/metrics", headers=admin_headers)
    assert [s["seq"] for s in (await history.json())["data"]["samples"]] == list(range(1, 17))


def _batches(client: TestClient) -> tuple[float, float]:
    """(telemetry batches committed, the items they held) so far."""
    registry = client.app[METRICS].registry
    count = registry.get_sample_value("minispod_ingest_batch_size_count")
    total = registry.get_sample_value("minispod_ingest_batch_size_sum")
    return count or 0.0, total or 0.0


async def _two_heartbeats_apart(client: TestClient, admin: dict[str, str], gap: float) -> None:
    token = await join_token(client, admin)
    a = await register(client, token, name="linger-a")
    b = await register(client, token, name="linger-b")

    async def later() -> Any:
        await asyncio.sleep(gap)
        return await beat(client, b, 1)

    sent = await asyncio.gather(beat(client, a, 1), later())
    assert [r.status for r in sent] == [200, 200]
    for node in (a, b):
        assert (await get_node(client, admin, node["nodeId"]))["lastSeq"] == 1


async def test_heartbeats_a_moment_apart_share_one_transaction_while_a_batch_lingers(
    client, admin_headers, make_client: AppFactory
):
    lingering = await make_client(ingest_linger=0.05)  # the same database as `client`
    before = _batches(lingering)
    await _two_heartbeats_apart(lingering, admin_headers, gap=0.01)
    count, total = (x - y for x, y in zip(_batches(lingering), before, strict=True))
    assert (count, total) == (1, 2)


async def test_without_a_linger_each_heartbeat_commits_as_it_comes(
    client, admin_headers, make_client: AppFactory
):
    eager = await make_client(ingest_linger=0)
    before = _batches(eager)
    await _two_heartbeats_apart(eager, admin_headers, gap=0.03)
    count, total = (x - y for x, y in zip(_batches(eager), before, strict=True))
    assert (count, total) == (2, 2)


async def test_concurrent_batches_over_the_same_nodes_store_every_sample_once(
    client, admin_headers, make_client: AppFactory
):
    """Heartbeats and replays of eight nodes, sent at once in a shuffled order, commit as
    batches that overlap in flight (two at a time, locking the same rows): none fails,
    and every seq is stored once, owned by one request."""
    eager = await make_client(ingest_linger=0)  # the same database as `client`
    token = await join_token(eager, admin_headers)
    nodes = [await register(eager, token, name=f"node-{i}") for i in range(8)]
    sends = []
    for node in nodes:
        url = f"/api/v1/workers/{node['nodeId']}/telemetry"
        auth = bearer(node["nodeToken"])
        sends += [beat(eager, node, seq) for seq in (3, 6, 9)]
        sends += [
            eager.post(url, json={"samples": [sample(i) for i in range(k, k + 4)]}, headers=auth)
            for k in (1, 4, 7)
        ]
    random.Random(7).shuffle(sends)
    answers = []
    for resp in await asyncio.gather(*sends):
        assert resp.status == 200, await resp.text()
        answers.append((await resp.json())["data"])
    # Seqs 1..10 of each node: 3 heartbeats and 3 replays of 4 cover 10 distinct seqs.
    assert sum(a["accepted"] for a in answers) == 8 * 10
    assert sum(a["duplicates"] for a in answers) == 8 * (3 + 12 - 10)
    for node in nodes:
        got = await get_node(eager, admin_headers, node["nodeId"])
        assert (got["status"], got["lastSeq"]) == ("ACTIVE", 10)
        history = await eager.get(
            f"/api/v1/workers/{node['nodeId']}/metrics", headers=admin_headers
        )
        # Listed by timestamp, and the shuffled sends stamped theirs out of seq order.
        seqs = sorted(s["seq"] for s in (await history.json())["data"]["samples"])
        assert seqs == list(range(1, 11))


PRESSED = [{"type": "Ready", "status": True}, {"type": "DiskPressure", "status": True}]


async def test_heartbeats_of_one_node_in_one_batch_move_it_in_their_order(
    client, admin_headers, make_client: AppFactory
):
    """Two heartbeats batched together, the first unhealthy, the second healthy: the
    node goes NOT_READY then back to ACTIVE, both told, and keeps the last one's figures."""
    lingering = await make_client(ingest_linger=0.05)  # the same database as `client`
    node = await register(lingering, await join_token(lingering, admin_headers))
    assert (await beat(lingering, node, 1)).status == 200
    before = _batches(lingering)

    async def later() -> Any:
        await asyncio.sleep(0.01)  # after the first, within its batch's linger
        return await beat(lingering, node, 3, HEALTHY, cpu=0)

    sent = await asyncio.gather(beat(lingering, node, 2, PRESSED), later())
    assert [r.status for r in sent] == [200, 200]
    assert _batches(lingering)[0] - before[0] == 1  # one batch held both
    got = await get_node(lingering, admin_headers, node["nodeId"])
    assert (got["status"], got["isReady"], got["lastSeq"]) == ("ACTIVE", True, 3)
    assert got["cpuPercent"] == 0
    assert await transitions(lingering, admin_headers, node["nodeId"]) == [
        ("NOT_READY", "ACTIVE"),
        ("ACTIVE", "NOT_READY"),
        ("PENDING", "ACTIVE"),
        (None, "PENDING"),
    ]


@pytest.mark.parametrize("dialect", ["postgres"])
async def test_a_heartbeats_move_is_given_up_when_a_later_heartbeat_reached_the_node_first(
    client, admin_headers
):
    """On PostgreSQL a batch writes at once and moves its nodes in a second transaction;
    a node a later heartbeat reached in between is left to that heartbeat's batch, while
    a replay in between (no word on health) does not stop the move."""
    node = await register(client, await join_token(client, admin_headers))
    assert (await beat(client, node, 1)).status == 200
    ingest = client.app[INGEST]
    node_id = uuid.UUID(node["nodeId"])
    pressed = Heartbeat.model_validate({"sample": sample(2), "conditions": PRESSED})
    item = _Item(node_id, [], pressed, asyncio.get_running_loop().create_future())
    written = (await WorkerNode.get(id=node_id)).last_heartbeat
    assert written is not None

    await ingest._settle_moves([item], written - timedelta(microseconds=1))
    assert (await get_node(client, admin_headers, node["nodeId"]))["status"] == "ACTIVE"

    replay = await client.post(
        f"/api/v1/workers/{node['nodeId']}/telemetry",
        json={"samples": [sample(5)]},
        headers=bearer(node["nodeToken"]),
    )
    assert replay.status == 200
    await ingest._settle_moves([item], written)
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["status"] == "NOT_READY" and "DiskPressure" in got["statusReason"]
    assert (await transitions(client, admin_headers, node["nodeId"]))[0] == (
        "ACTIVE",
        "NOT_READY",
    )


async def test_node_token_is_refused_on_another_nodes_paths(client, admin_headers):
    token = await join_token(client, admin_headers)
    a = await register(client, token, name="node-a")
    b = await register(client, token, name="node-b")
    resp = await client.post(
        f"/api/v1/workers/{b['nodeId']}/heartbeat",
        json={"sample": sample(1), "conditions": HEALTHY},
        headers=bearer(a["nodeToken"]),
    )
    assert resp.status == 403 and (await resp.json())["code"] == "FORBIDDEN"
    assert (await get_node(client, admin_headers, b["nodeId"]))["lastSeq"] == 0
    anonymous = await client.post(
        f"/api/v1/workers/{b['nodeId']}/heartbeat", json={"sample": sample(1)}
    )
    assert anonymous.status == 401
    user_jwt = await client.post(
        f"/api/v1/workers/{b['nodeId']}/heartbeat",
        json={"sample": sample(1)},
        headers=admin_headers,
    )
    assert user_jwt.status == 401


async def set_status(
    client: TestClient, admin: dict[str, str], node_id: str, status: str, **extra: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.patch(
        f"/api/v1/workers/{node_id}/status", json={"status": status, **extra}, headers=admin
    )
    return resp.status, dict(await resp.json())


async def transitions(client: TestClient, admin: dict[str, str], node_id: str) -> list[Any]:
    resp = await client.get(f"/api/v1/workers/{node_id}/events", headers=admin)
    return [(e["fromStatus"], e["toStatus"]) for e in (await resp.json())["data"]["events"]]


async def test_maintenance_is_sticky_until_an_admin_clears_it(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    await beat(client, node, 1)
    status, body = await set_status(
        client, admin_headers, node["nodeId"], "MAINTENANCE", reason="kernel upgrade"
    )
    assert (status, body["data"]["status"]) == (200, "MAINTENANCE")
    await beat(client, node, 2)
    assert (await get_node(client, admin_headers, node["nodeId"]))["status"] == "MAINTENANCE"
    # Its heartbeats stayed fresh and healthy meanwhile: it is ACTIVE at once.
    status, body = await set_status(client, admin_headers, node["nodeId"], "ACTIVE")
    assert (status, body["data"]["status"]) == (200, "ACTIVE"), body
    assert (await get_node(client, admin_headers, node["nodeId"]))["status"] == "ACTIVE"


async def test_asking_an_unheard_node_to_be_active_is_a_conflict_and_changes_nothing(
    client, admin_headers
):
    by_hand = await add_node(client, admin_headers, "by-hand")
    registered = (await register(client, await join_token(client, admin_headers)))["nodeId"]
    for node_id in (by_hand, registered):
        status, body = await set_status(client, admin_headers, node_id, "ACTIVE")
        assert (status, body["code"]) == (409, "CONFLICT"), body
        assert "computed from heartbeats" in body["message"], body
        assert (await get_node(client, admin_headers, node_id))["status"] == "PENDING"
        assert await transitions(client, admin_headers, node_id) == [(None, "PENDING")]
        status, body = await set_status(client, admin_headers, node_id, "PENDING")
        assert (status, body["code"]) == (409, "CONFLICT"), body


@pytest.mark.parametrize("asked", ["NOT_READY", "INACTIVE", "BROKEN", "maintenance"])
async def test_states_an_administrator_can_never_set_are_refused(client, admin_headers, asked):
    node_id = await add_node(client, admin_headers, "by-hand")
    status, body = await set_status(client, admin_headers, node_id, asked)
    assert (status, body["code"]) == (400, "VALIDATION_ERROR"), body
    assert [e["field"] for e in body["errors"]] == ["status"]
    if asked in ("NOT_READY", "INACTIVE"):
        assert "computed from heartbeats" in body["errors"][0]["message"]
    assert (await get_node(client, admin_headers, node_id))["status"] == "PENDING"


async def test_leaving_maintenance_for_active_needs_a_fresh_healthy_heartbeat(
    client, admin_headers, clock
):
    node = await register(client, await join_token(client, admin_headers))
    node_id = node["nodeId"]
    await beat(client, node, 1)
    assert (await set_status(client, admin_headers, node_id, "MAINTENANCE"))[0] == 200
    # Asking again is no change and no second event.
    assert (await set_status(client, admin_headers, node_id, "MAINTENANCE"))[0] == 200
    await beat(
        client, node, 2, conditions=[{"type": "Ready", "status": False, "reason": "Kubelet"}]
    )
    status, body = await set_status(client, admin_headers, node_id, "ACTIVE")
    assert (status, body["code"]) == (409, "CONFLICT"), body
    assert "Ready=False" in body["message"] and "MAINTENANCE" in body["message"]

    await beat(client, node, 3)
    clock.advance(120)
    status, body = await set_status(client, admin_headers, node_id, "ACTIVE")
    assert (status, body["code"]) == (409, "CONFLICT"), body
    assert "no heartbeat for 120 s" in body["message"]
    assert (await get_node(client, admin_headers, node_id))["status"] == "MAINTENANCE"

    # PENDING ends maintenance whatever the heartbeats say; the next one decides.
    status, body = await set_status(client, admin_headers, node_id, "PENDING")
    assert (status, body["data"]["status"]) == (200, "PENDING"), body
    await beat(client, node, 4)
    assert (await get_node(client, admin_headers, node_id))["status"] == "ACTIVE"
    assert await transitions(client, admin_headers, node_id) == [
        ("PENDING", "ACTIVE"),
        ("MAINTENANCE", "PENDING"),
        ("ACTIVE", "MAINTENANCE"),
        ("PENDING", "ACTIVE"),
        (None, "PENDING"),
    ]


async def test_failed_condition_makes_a_node_not_ready(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    await beat(
        client,
        node,
        1,
        conditions=[{"type": "Ready", "status": True}, {"type": "DiskPressure", "status": True}],
    )
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["status"] == "NOT_READY" and "DiskPressure" in got["statusReason"]


async def test_silent_node_goes_inactive_after_the_grace_period(client, admin_headers, clock):
    from controlplane.jobs.health_sweep import sweep

    node = await register(client, await join_token(client, admin_headers))
    await beat(client, node, 1)
    grace = timedelta(seconds=30)
    assert await sweep(clock() + timedelta(seconds=29), grace) == 0
    assert await sweep(clock() + timedelta(seconds=31), grace) == 1
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["status"] == "INACTIVE" and got["isReady"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("cpuPercent", 101), ("cpuPercent", -1), ("memoryUsed", -5), ("seq", 0), ("load1", "x")],
)
async def test_bad_telemetry_is_refused_and_changes_nothing(client, admin_headers, field, value):
    node = await register(client, await join_token(client, admin_headers))
    bad = sample(1)
    bad[field] = value
    resp = await client.post(
        f"/api/v1/workers/{node['nodeId']}/heartbeat",
        json={"sample": bad, "conditions": HEALTHY},
        headers=bearer(node["nodeToken"]),
    )
    body = await resp.json()
    assert resp.status == 400 and body["code"] == "VALIDATION_ERROR"
    assert any(e["field"].endswith(field) for e in body["errors"])
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["lastSeq"] == 0 and got["status"] == "PENDING"


async def test_future_timestamps_are_refused(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    resp = await client.post(
        f"/api/v1/workers/{node['nodeId']}/telemetry",
        json={"samples": [sample(1, datetime.now(UTC) + timedelta(hours=1))]},
        headers=bearer(node["nodeToken"]),
    )
    assert resp.status == 400


async def test_expired_revoked_and_used_up_join_tokens_are_refused(client, admin_headers, clock):
    once = await join_token(client, admin_headers, maxUses=1)
    await register(client, once, name="first")
    resp = await client.post(
        "/api/v1/agent/register", json={**FACTS, "name": "second"}, headers=bearer(once)
    )
    assert resp.status == 401
    # Registration is idempotent by name: the first node may come back on the same token.
    again = await register(client, once, name="first")
    assert again["nodeId"]

    revoked = await join_token(client, admin_headers)
    listing = await (await client.get("/api/v1/workers/join-tokens", headers=admin_headers)).json()
    token_id = next(
        t["id"] for t in listing["data"]["joinTokens"] if revoked.startswith(t["prefix"])
    )
    assert all("token" not in t for t in listing["data"]["joinTokens"])
    assert (
        await client.delete(f"/api/v1/workers/join-tokens/{token_id}", headers=admin_headers)
    ).status == 200
    resp = await client.post("/api/v1/agent/register", json=FACTS, headers=bearer(revoked))
    assert resp.status == 401

    expiring = await join_token(client, admin_headers, expiresInHours=1)
    clock.advance(3601)
    resp = await client.post("/api/v1/agent/register", json=FACTS, headers=bearer(expiring))
    assert resp.status == 401 and "expired" in (await resp.json())["message"]


async def test_reregistration_keeps_the_node_and_replaces_its_token(client, admin_headers):
    token = await join_token(client, admin_headers)
    first = await register(client, token)
    await beat(client, first, 1)
    second = await register(client, token, cpuCores=16)
    assert second["nodeId"] == first["nodeId"] and second["lastSeq"] == 1
    old = await beat(client, first, 2)
    assert old.status == 401
    assert (await beat(client, second, 2)).status == 200
    assert (await get_node(client, admin_headers, first["nodeId"]))["cpuCores"] == 16


async def test_stats_aggregate_the_fleet(client, admin_headers):
    token = await join_token(client, admin_headers)
    nodes = [
        await register(client, token, name=f"n{i}", cpuCores=4, totalMemory=8192) for i in range(3)
    ]
    await beat(client, nodes[0], 1)
    await client.post(
        f"/api/v1/workers/{nodes[0]['nodeId']}/resources",
        json={"allocatedCPU": 2, "allocatedMemory": 4096, "allocatedStorage": 0, "currentPods": 5},
        headers=bearer(nodes[0]["nodeToken"]),
    )
    resp = await client.get("/api/v1/workers/stats", headers=admin_headers)
    data = (await resp.json())["data"]
    assert (
        data["total"] == 3 and data["byStatus"]["ACTIVE"] == 1 and data["byStatus"]["PENDING"] == 2
    )
    assert data["cpu"] == {"total": 12.0, "allocated": 2.0, "ratio": round(2 / 12, 4)}
    assert data["memory"]["total"] == 3 * 8192 and data["online"] == 1
    online = await (await client.get("/api/v1/workers/online", headers=admin_headers)).json()
    offline = await (await client.get("/api/v1/workers/offline", headers=admin_headers)).json()
    assert [w["name"] for w in online["data"]["workers"]] == ["n0"]
    assert sorted(w["name"] for w in offline["data"]["workers"]) == ["n1", "n2"]


async def test_allocation_beyond_capacity_is_refused(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    resp = await client.post(
        f"/api/v1/workers/{node['nodeId']}/resources",
        json={"allocatedCPU": 9, "allocatedMemory": 1, "allocatedStorage": 1, "currentPods": 1},
        headers=bearer(node["nodeToken"]),
    )
    assert resp.status == 400
    assert (await get_node(client, admin_headers, node["nodeId"]))["allocatedCPU"] == 0


async def test_a_replay_does_not_erase_the_live_usage(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    await beat(client, node, 5)
    resp = await client.post(
        f"/api/v1/workers/{node['nodeId']}/telemetry",
        json={"samples": [sample(i) for i in range(1, 5)]},
        headers=bearer(node["nodeToken"]),
    )
    assert (await resp.json())["data"] == {"accepted": 4, "duplicates": 0, "lastSeq": 5}
    got = await get_node(client, admin_headers, node["nodeId"])
    assert got["cpuPercent"] == 12.5 and got["lastHeartbeat"] is not None
    assert got["status"] == "ACTIVE" and got["conditions"]


# --- listing -------------------------------------------------------------------


async def add_node(client: TestClient, admin: dict[str, str], name: str, **facts: Any) -> str:
    body = {k: v for k, v in FACTS.items() if k != "nodeSecret"}
    resp = await client.post(
        "/api/v1/workers",
        json={**body, "name": name, "hostname": f"{name}.cluster.local", **facts},
        headers=admin,
    )
    assert resp.status == 201, await resp.json()
    return str((await resp.json())["data"]["id"])


async def listing(client: TestClient, admin: dict[str, str], query: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/workers?{query}", headers=admin)
    body = await resp.json()
    assert resp.status == 200, body
    return dict(body["data"])


async def test_list_pages_through_the_fleet_in_a_stable_order(client, admin_headers):
    for i in range(7):
        await add_node(client, admin_headers, f"node-{i}")
    first = await listing(client, admin_headers, "page=1&limit=3&sortBy=name&sortOrder=asc")
    assert [w["name"] for w in first["workers"]] == ["node-0", "node-1", "node-2"]
    assert isinstance(first["pagination"]["nextCursor"], str)
    assert first["pagination"] == {
        "page": 1,
        "limit": 3,
        "total": 7,
        "totalPages": 3,
        "hasNext": True,
        "hasPrev": False,
        "nextCursor": first["pagination"]["nextCursor"],
        "totalEstimated": False,
    }
    last = await listing(client, admin_headers, "page=3&limit=3&sortBy=name&sortOrder=asc")
    assert [w["name"] for w in last["workers"]] == ["node-6"]
    assert last["pagination"]["total"] == 7 and last["pagination"]["hasNext"] is False
    backwards = await listing(client, admin_headers, "page=1&limit=3&sortBy=name")
    assert [w["name"] for w in backwards["workers"]] == ["node-6", "node-5", "node-4"]
    # Every node once across the pages of the default order (newest first).
    seen = [
        w["name"]
        for p in (1, 2, 3)
        for w in (await listing(client, admin_headers, f"page={p}&limit=3"))["workers"]
    ]
    assert sorted(seen) == [f"node-{i}" for i in range(7)]
    beyond = await listing(client, admin_headers, "page=9&limit=3")
    assert beyond["workers"] == [] and beyond["pagination"]["total"] == 7


async def test_list_filters_by_status_and_schedulability(client, admin_headers):
    ids = [await add_node(client, admin_headers, f"node-{i}") for i in range(4)]
    await client.patch(f"/api/v1/workers/{ids[0]}/schedulable", headers=admin_headers)
    await client.patch(
        f"/api/v1/workers/{ids[1]}/status", json={"status": "MAINTENANCE"}, headers=admin_headers
    )
    cordoned = await listing(client, admin_headers, "isSchedulable=false&sortBy=name&sortOrder=asc")
    assert [w["name"] for w in cordoned["workers"]] == ["node-0"]
    assert cordoned["pagination"]["total"] == 1
    maintenance = await listing(client, admin_headers, "status=MAINTENANCE")
    assert [w["name"] for w in maintenance["workers"]] == ["node-1"]
    pending = await listing(client, admin_headers, "status=PENDING&isSchedulable=true&limit=1")
    assert pending["pagination"]["total"] == 2 and len(pending["workers"]) == 1
    none = await listing(client, admin_headers, "status=INACTIVE")
    assert none["workers"] == [] and none["pagination"]["total"] == 0


async def test_list_searches_name_hostname_and_address_case_insensitively(client, admin_headers):
    await add_node(client, admin_headers, "edge-a", ipAddress="10.0.0.1")
    await add_node(client, admin_headers, "edge-b", ipAddress="10.0.7.2", hostname="GPU.example")
    await add_node(client, admin_headers, "core-1", ipAddress="10.0.0.3", hostname="core_1.lan")

    def names(data: dict[str, Any]) -> list[str]:
        return sorted(w["name"] for w in data["workers"])

    assert names(await listing(client, admin_headers, "search=EDGE")) == ["edge-a", "edge-b"]
    assert names(await listing(client, admin_headers, "search=gpu.EXAMPLE")) == ["edge-b"]
    assert names(await listing(client, admin_headers, "search=10.0.0.")) == ["core-1", "edge-a"]
    # LIKE's wildcards in a search are plain characters.
    assert names(await listing(client, admin_headers, "search=e_1.LAN")) == ["core-1"]
    assert names(await listing(client, admin_headers, "search=e_ge")) == []
    assert names(await listing(client, admin_headers, "search=%25")) == []
    found = await listing(client, admin_headers, "search=edge&limit=1")
    assert found["pagination"]["total"] == 2 and len(found["workers"]) == 1


@pytest.mark.parametrize(
    "query",
    ["page=0", "limit=101", "status=BROKEN", "sortBy=cpu", "sortOrder=up", "isSchedulable=maybe"],
)
async def test_list_refuses_a_bad_query(client, admin_headers, query):
    resp = await client.get(f"/api/v1/workers?{query}", headers=admin_headers)
    body = await resp.json()
    assert resp.status == 400 and body["success"] is False, body
