"""The scheduled jobs act only on the replica that leads; the others' runs do nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import RECONCILER
from controlplane.config import Config
from controlplane.jobs.runner import Jobs
from tests.conftest import AppFactory, FakeClock, bearer

pytestmark = pytest.mark.parametrize("dialect", ["postgres"])


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    # No scheduler of the app's own: the two replicas below are the only ones.
    return await make_client(run_jobs=False)


@pytest.fixture
async def replicas(
    client: TestClient, config: Config, clock: FakeClock
) -> AsyncIterator[tuple[Jobs, Jobs]]:
    """A leader and a follower, as two replicas would run them; the leader elected first."""
    config = replace(config, metrics_raw_retention=3600)
    leader = Jobs(config, clock, client.app[RECONCILER])
    follower = Jobs(config, clock, client.app[RECONCILER])
    assert await leader.leadership.is_leader()
    yield leader, follower
    await leader.leadership.release()
    await follower.leadership.release()


async def active_node(
    client: TestClient, admin: dict[str, str], clock: FakeClock
) -> tuple[str, str]:
    """A registered node that has sent one healthy heartbeat: (node id, node token)."""
    resp = await client.post("/api/v1/workers/join-tokens", json={"name": "jobs"}, headers=admin)
    join = (await resp.json())["data"]["token"]
    facts = {
        "name": "jobs-node",
        "hostname": "jobs-node",
        "ipAddress": "10.0.0.9",
        "cpuCores": 2,
        "cpuArchitecture": "x86_64",
        "totalMemory": 4096,
        "totalStorage": 50000,
        "architecture": "amd64",
        "operatingSystem": "Linux",
    }
    node = (
        await (await client.post("/api/v1/agent/register", json=facts, headers=bearer(join))).json()
    )["data"]
    resp = await client.post(
        f"/api/v1/workers/{node['nodeId']}/heartbeat",
        json={"sample": usage(1, clock()), "conditions": [{"type": "Ready", "status": True}]},
        headers=bearer(node["nodeToken"]),
    )
    assert resp.status == 200, await resp.text()
    return str(node["nodeId"]), str(node["nodeToken"])


def usage(seq: int, when: datetime) -> dict[str, Any]:
    return {
        "seq": seq,
        "timestamp": when.astimezone(UTC).isoformat(),
        "cpuPercent": 25.0,
        "memoryUsed": 1024,
        "diskUsed": 2048,
        "load1": 0.5,
        "load5": 0.5,
        "load15": 0.5,
    }


async def status_of(client: TestClient, admin: dict[str, str], node_id: str) -> str:
    resp = await client.get(f"/api/v1/workers/{node_id}", headers=admin)
    return str((await resp.json())["data"]["status"])


async def test_only_the_leader_sweeps_a_silent_node_to_inactive(
    client, admin_headers, clock, config, replicas
):
    leader, follower = replicas
    node_id, _ = await active_node(client, admin_headers, clock)
    assert await status_of(client, admin_headers, node_id) == "ACTIVE"
    clock.advance(config.node_grace_period + 1)

    await follower.health_sweep()
    assert await status_of(client, admin_headers, node_id) == "ACTIVE"

    await leader.health_sweep()
    assert await status_of(client, admin_headers, node_id) == "INACTIVE"
    resp = await client.get(f"/api/v1/workers/{node_id}/events", headers=admin_headers)
    latest = (await resp.json())["data"]["events"][0]
    assert (latest["fromStatus"], latest["toStatus"]) == ("ACTIVE", "INACTIVE")


async def test_only_the_leader_rolls_up_samples_past_the_raw_window(
    client, admin_headers, clock, replicas
):
    leader, follower = replicas
    node_id, token = await active_node(client, admin_headers, clock)
    old = clock() - timedelta(hours=2)
    resp = await client.post(
        f"/api/v1/workers/{node_id}/telemetry",
        json={"samples": [usage(2, old)]},
        headers=bearer(token),
    )
    assert resp.status == 200, await resp.text()
    url = f"/api/v1/workers/{node_id}/metrics"
    window = {"from": (old - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")}

    async def raw_seqs() -> list[int]:
        body = await (await client.get(url, params=window, headers=admin_headers)).json()
        return [s["seq"] for s in body["data"]["samples"]]

    await follower.retention()
    assert await raw_seqs() == [2, 1]

    await leader.retention()
    assert await raw_seqs() == [1]
    body = await (
        await client.get(url, params={**window, "step": "300"}, headers=admin_headers)
    ).json()
    assert [b["samples"] for b in body["data"]["buckets"]] == [1, 1]
