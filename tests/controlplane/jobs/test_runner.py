"""The scheduled jobs act only on the replica that leads; the others' runs do nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from tortoise import connections

from controlplane.appkeys import ALERTS, RECONCILER, SNAPSHOTS
from controlplane.config import Config
from controlplane.db.models import Service
from controlplane.jobs.runner import Jobs
from controlplane.metrics import Metrics
from controlplane.services.fleet.hearing import Hearing
from tests.conftest import AppFactory, FakeClock, bearer
from tests.controlplane.api.test_subscriptions import customer
from tests.controlplane.conftest import seed_services

pytestmark = pytest.mark.parametrize("dialect", ["postgres"])


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    # No scheduler of the app's own: the two replicas below are the only ones.
    return await make_client(run_jobs=False)


def replica(client: TestClient, config: Config, clock: FakeClock, **kw: Any) -> Jobs:
    """One replica's jobs over the app's services, with a metrics registry and a hearing
    of its own, as separate processes have."""
    return Jobs(
        config,
        clock,
        client.app[RECONCILER],
        Metrics(),
        Hearing(clock),
        client.app[SNAPSHOTS],
        client.app[ALERTS],
        **kw,
    )


@pytest.fixture
async def replicas(
    client: TestClient, config: Config, clock: FakeClock
) -> AsyncIterator[tuple[Jobs, Jobs]]:
    """A leader and a follower, as two replicas would run them; the leader elected first."""
    config = config.replace(metrics_raw_retention=3600)
    # Each replica has its own registry, as separate processes do.
    leader = replica(client, config, clock)
    follower = replica(client, config, clock)
    assert await leader.leadership.is_leader()
    yield leader, follower
    await leader.leadership.release()
    await follower.leadership.release()


async def active_node(
    client: TestClient, admin: dict[str, str], clock: FakeClock, name: str = "jobs-node"
) -> tuple[str, str]:
    """A registered node that has sent one healthy heartbeat: (node id, node token)."""
    resp = await client.post("/api/v1/workers/join-tokens", json={"name": "jobs"}, headers=admin)
    join = (await resp.json())["data"]["token"]
    facts = {
        "name": name,
        "hostname": name,
        "ipAddress": "10.0.0.9",
        "cpuCores": 2,
        "cpuArchitecture": "x86_64",
        "totalMemory": 4096,
        "totalStorage": 50000,
        "architecture": "amd64",
        "operatingSystem": "Linux",
        "nodeSecret": "jobs-node-secret-0123456789abcdefghijklmnop",
    }
    node = (
        await (await client.post("/api/v1/agent/register", json=facts, headers=bearer(join))).json()
    )["data"]
    await heartbeat(client, str(node["nodeToken"]), str(node["nodeId"]), 1, clock)
    return str(node["nodeId"]), str(node["nodeToken"])


async def heartbeat(
    client: TestClient, token: str, node_id: str, seq: int, clock: FakeClock
) -> None:
    resp = await client.post(
        f"/api/v1/workers/{node_id}/heartbeat",
        json={"sample": usage(seq, clock()), "conditions": [{"type": "Ready", "status": True}]},
        headers=bearer(token),
    )
    assert resp.status == 200, await resp.text()


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
    # The leader was elected before the node fell silent: it has watched it long enough.
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


async def test_only_the_leader_packs_closed_hours_and_reads_see_them_still(
    client, admin_headers, clock, replicas
):
    leader, follower = replicas
    node_id, token = await active_node(client, admin_headers, clock)
    old = clock() - timedelta(hours=2)  # always in an hour that ended 15 minutes ago
    resp = await client.post(
        f"/api/v1/workers/{node_id}/telemetry",
        json={"samples": [usage(2, old)]},
        headers=bearer(token),
    )
    assert resp.status == 200, await resp.text()
    conn = connections.get(next(iter(connections.db_config)))

    async def packed() -> int:
        rows = await conn.execute_query_dict(
            "SELECT COALESCE(SUM(n), 0) AS n FROM node_sample_chunks"
        )
        return int(rows[0]["n"])

    await follower.compaction()
    assert await packed() == 0
    await leader.compaction()
    assert await packed() == 1
    window = {"from": (old - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")}
    body = await (
        await client.get(f"/api/v1/workers/{node_id}/metrics", params=window, headers=admin_headers)
    ).json()
    assert [s["seq"] for s in body["data"]["samples"]] == [2, 1]


async def sweeping(jobs: Jobs, clock: FakeClock, seconds: float) -> None:
    """Time passing on a running replica: its health sweep runs on schedule meanwhile."""
    step = jobs.sweep_every.total_seconds()
    while seconds > 0:
        clock.advance(min(step, seconds))
        seconds -= step
        await jobs.health_sweep()


def gauge(jobs: Jobs, name: str, **labels: str) -> float | None:
    return jobs._metrics.registry.get_sample_value(name, labels)


async def test_only_the_leader_exports_the_jobs_flag_and_the_state_gauges(
    client, admin_headers, clock, replicas
):
    leader, follower = replicas
    await active_node(client, admin_headers, clock, "counted-node")

    await leader.state_gauges()
    await follower.state_gauges()
    assert gauge(leader, "minispod_jobs_leader") == 1
    assert gauge(leader, "minispod_nodes", state="ACTIVE") == 1
    assert gauge(leader, "minispod_nodes", state="INACTIVE") == 0
    assert gauge(leader, "minispod_instances", state="RUNNING") == 0
    assert gauge(leader, "minispod_subscriptions", state="ACTIVE") == 0
    assert gauge(follower, "minispod_jobs_leader") == 0
    assert gauge(follower, "minispod_nodes", state="ACTIVE") is None

    # Leadership moves: the new leader exports, the old one stops at its next run.
    await leader.leadership.release()
    await follower.state_gauges()
    await leader.state_gauges()
    assert gauge(follower, "minispod_jobs_leader") == 1
    assert gauge(follower, "minispod_nodes", state="ACTIVE") == 1
    assert gauge(leader, "minispod_jobs_leader") == 0
    assert gauge(leader, "minispod_nodes", state="ACTIVE") is None


async def test_only_the_leader_exports_the_billing_figures_in_major_units(
    client, admin_headers, clock, replicas
):
    leader, follower = replicas
    services = await seed_services(client)
    alice = await customer(client, "alice@example.com")
    subscribed = await client.post(
        "/api/v1/subscriptions", json={"serviceId": services["ghost"]}, headers=alice
    )
    assert subscribed.status == 201, await subscribed.text()
    price = (await Service.get(id=services["ghost"])).monthly_price
    # The ledger stamps postings with the real time, a moment past the test clock.
    clock.advance(1)
    resp = await client.get("/api/v1/admin/billing/stats", headers=admin_headers)
    stats = (await resp.json())["data"]
    assert stats["mrr"] == price > 0
    assert stats["revenueByMonth"][-1]["amount"] == price  # the first period, paid now

    await leader.billing_gauges()
    await follower.billing_gauges()
    assert gauge(leader, "minispod_billing_mrr", currency="EUR") == price / 100
    assert gauge(leader, "minispod_billing_revenue_month", currency="EUR") == price / 100
    assert gauge(leader, "minispod_billing_past_due", currency="EUR") == 0
    assert gauge(follower, "minispod_billing_mrr", currency="EUR") is None

    # Leadership moves: summed over replicas, the figure is still counted once.
    await leader.leadership.release()
    await follower.billing_gauges()
    await leader.billing_gauges()
    assert gauge(follower, "minispod_billing_mrr", currency="EUR") == price / 100
    assert gauge(leader, "minispod_billing_mrr", currency="EUR") is None


async def test_a_new_leader_judges_no_node_before_watching_for_a_grace_period(
    client, admin_headers, clock, config
):
    grace = config.node_grace_period
    silent_id, _ = await active_node(client, admin_headers, clock, "silent-node")
    alive_id, alive_token = await active_node(client, admin_headers, clock, "alive-node")
    # The control plane was down for ten grace periods: every last heartbeat is old.
    clock.advance(10 * grace)
    jobs = replica(client, config, clock)
    try:
        await jobs.health_sweep()  # elected here
        assert await status_of(client, admin_headers, silent_id) == "ACTIVE"
        # The agents that are alive beat again within an interval.
        await sweeping(jobs, clock, grace / 2)
        await heartbeat(client, alive_token, alive_id, 2, clock)
        await sweeping(jobs, clock, grace / 2 - 1)
        assert await status_of(client, admin_headers, silent_id) == "ACTIVE"

        await sweeping(jobs, clock, 1)
        assert await status_of(client, admin_headers, silent_id) == "INACTIVE"
        assert await status_of(client, admin_headers, alive_id) == "ACTIVE"
    finally:
        await jobs.leadership.release()


async def test_leading_again_after_losing_the_lock_starts_a_new_watch(
    client, admin_headers, clock, config, replicas
):
    leader, _ = replicas
    grace = config.node_grace_period
    node_id, _ = await active_node(client, admin_headers, clock)
    await leader.leadership.release()  # e.g. its lock connection dropped
    clock.advance(grace + 1)

    await leader.health_sweep()  # elected again, now
    assert await status_of(client, admin_headers, node_id) == "ACTIVE"
    await sweeping(leader, clock, grace)
    assert await status_of(client, admin_headers, node_id) == "INACTIVE"


async def test_a_sweep_that_wakes_late_judges_no_node_before_listening_a_grace_period(
    client, admin_headers, clock, config, replicas
):
    """kill -STOP of the control plane: the heartbeats sent meanwhile wait in its socket
    queue, and the first sweep after kill -CONT must not judge on their absence."""
    leader, _ = replicas
    grace = config.node_grace_period
    alive_id, alive_token = await active_node(client, admin_headers, clock, "alive-node")
    silent_id, _ = await active_node(client, admin_headers, clock, "silent-node")
    await sweeping(leader, clock, grace / 2)
    await heartbeat(client, alive_token, alive_id, 2, clock)
    await sweeping(leader, clock, grace / 2)

    clock.advance(3 * grace)  # the process stood still: no sweep ran, nothing was stored
    await leader.health_sweep()
    assert await status_of(client, admin_headers, alive_id) == "ACTIVE"
    assert await status_of(client, admin_headers, silent_id) == "ACTIVE"
    events = await (
        await client.get(f"/api/v1/workers/{alive_id}/events", headers=admin_headers)
    ).json()
    assert all(e["toStatus"] != "INACTIVE" for e in events["data"]["events"])

    await heartbeat(client, alive_token, alive_id, 3, clock)  # the queued heartbeat, served
    await sweeping(leader, clock, grace - 1)
    assert await status_of(client, admin_headers, silent_id) == "ACTIVE"
    await sweeping(leader, clock, 1)
    # A node that really is silent is still found, one grace period after listening resumed.
    assert await status_of(client, admin_headers, silent_id) == "INACTIVE"
    assert await status_of(client, admin_headers, alive_id) == "ACTIVE"


async def test_silence_counts_only_from_when_heartbeats_could_be_stored_again(
    client, admin_headers, clock, config, replicas
):
    leader, _ = replicas
    grace = config.node_grace_period
    node_id, _ = await active_node(client, admin_headers, clock)
    await sweeping(leader, clock, grace - 1)
    # What the ingest path reports when a batch of heartbeats fails on the database.
    leader._hearing.deaf("heartbeats could not be stored")
    await sweeping(leader, clock, grace - 1)
    assert await status_of(client, admin_headers, node_id) == "ACTIVE"
    await sweeping(leader, clock, 1)
    assert await status_of(client, admin_headers, node_id) == "INACTIVE"


@pytest.fixture
async def node_held_by_a_slow_heartbeat(
    client: TestClient, admin_headers: dict[str, str], clock: FakeClock, database_url: str
) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    """A silent node whose row another transaction holds: a sweep touching it waits."""
    node_id, _ = await active_node(client, admin_headers, clock)
    holder = await asyncpg.connect("postgresql://" + database_url.removeprefix("asyncpg://"))
    await holder.execute("BEGIN")
    await holder.execute("SELECT 1 FROM worker_nodes WHERE id = $1 FOR UPDATE", node_id)
    yield node_id, holder
    await holder.close()


async def started_with_a_sweep_in_flight(
    config: Config, clock: FakeClock, client: TestClient, holder: asyncpg.Connection, wait: float
) -> Jobs:
    """Jobs on their real schedule, whose health sweep is waiting for a row lock."""
    config = config.replace(node_grace_period=1.0)  # a sweep every 0.25 s
    jobs = replica(client, config, clock, stop_wait=wait)
    assert await jobs.leadership.is_leader()
    clock.advance(2)  # led for longer than the grace period; the node is silent
    jobs.start()
    for _ in range(250):
        waiting = await holder.fetchval(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
        )
        if waiting:
            return jobs
        await asyncio.sleep(0.02)
    raise AssertionError("the scheduled sweep never reached the held row")


async def test_stopping_lets_a_run_in_flight_finish_its_work(
    client, admin_headers, clock, config, node_held_by_a_slow_heartbeat, caplog
):
    node_id, holder = node_held_by_a_slow_heartbeat
    jobs = await started_with_a_sweep_in_flight(config, clock, client, holder, wait=10.0)

    stopping = asyncio.create_task(jobs.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()  # it waits for the sweep
    await holder.execute("ROLLBACK")
    await asyncio.wait_for(stopping, timeout=10)

    assert await status_of(client, admin_headers, node_id) == "INACTIVE"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_stopping_ends_a_run_that_outlasts_the_wait_without_an_error(
    client, admin_headers, clock, config, node_held_by_a_slow_heartbeat, caplog
):
    caplog.set_level(logging.INFO, logger="minispod.jobs")
    node_id, holder = node_held_by_a_slow_heartbeat
    jobs = await started_with_a_sweep_in_flight(config, clock, client, holder, wait=0.2)

    await asyncio.wait_for(jobs.stop(), timeout=5)

    # stop() returns with no run of a job left behind to fail later.
    left = [t for t in asyncio.all_tasks() if "run_coroutine_job" in repr(t.get_coro())]
    assert left == []
    await holder.execute("ROLLBACK")
    # The interrupted run changed nothing, and the app's connections still work.
    assert await status_of(client, admin_headers, node_id) == "ACTIVE"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("interrupted by shutdown" in r.getMessage() for r in caplog.records)


async def test_the_leader_takes_scheduled_snapshots_and_sweeps_their_blobs(
    replicas: tuple[Jobs, Jobs], client: TestClient, clock: FakeClock
) -> None:
    from controlplane.db.models import Snapshot

    leader, follower = replicas
    await follower.snapshot()
    assert await Snapshot.all().count() == 0  # a follower's run does nothing
    await leader.snapshot()
    (taken,) = await Snapshot.all()
    assert (taken.source, taken.user_id, taken.cluster_name) == ("CLUSTER", None, "minispod")
    # Its blob is referenced: however old, the sweep keeps it.
    clock.advance(10 * 24 * 3600)
    await leader.snapshot_housekeeping()
    store = client.app[SNAPSHOTS].store
    assert len(await store.list("blobs/")) == 1


async def test_cluster_snapshots_are_scheduled_only_when_an_interval_is_set(
    client: TestClient, config: Config, clock: FakeClock
) -> None:
    def scheduled(config: Config) -> set[str]:
        jobs = replica(client, config, clock)
        jobs.start()
        try:
            return {job.id for job in jobs._scheduler.get_jobs()}
        finally:
            jobs._scheduler.shutdown(wait=False)

    assert "cluster-snapshot" not in scheduled(config)
    assert "snapshot-housekeeping" in scheduled(config)
    assert "cluster-snapshot" in scheduled(config.replace(snapshot_interval=86400))
