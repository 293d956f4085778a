"""Operator alerts: administrators are told once when a node dies and once when it comes
back, never for a blip, once as a summary when it flaps, and by the webhooks they chose;
a fleet-wide disruption is one alert, not one per node."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from standardwebhooks.webhooks import Webhook as Verifier

from controlplane.app import create_app
from controlplane.appkeys import ALERTS, DELIVERY
from controlplane.db.models import Alert, OutboxEvent, WorkerNode
from controlplane.services.alerts.conditions import JOB_FAILURES
from shared.enums import NodeStatus
from tests.conftest import ADMIN_PASSWORD, FakeClock, bearer, create_account, sign_in
from tests.controlplane.api.test_subscriptions import active_node, customer
from tests.controlplane.api.test_workers import beat
from tests.smtp import MailServer
from tests.webhook_receiver import Receiver

CONFIRM = 120  # PT2M
WINDOW = 3600  # PT1H
SECOND_ADMIN = "ops@paas.com"


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster, mail_server: MailServer) -> TestClient:
    app = create_app(
        config.replace(
            run_jobs=False,
            smtp_url=mail_server.url,
            alert_confirm_after="PT2M",
            alert_flap_window="PT1H",
            webhook_allow_networks="127.0.0.1/32",
        ),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def nodes(platform: TestClient, admin: dict[str, str], *names: str) -> list[dict[str, Any]]:
    await create_account(platform, SECOND_ADMIN, ADMIN_PASSWORD, "ADMINISTRATOR")
    return [await active_node(platform, admin, name) for name in names]


async def set_status(node: dict[str, Any], status: NodeStatus, clock: FakeClock) -> None:
    """The health job's decision, as the alerts read it: a status and when it changed."""
    await WorkerNode.filter(id=node["nodeId"]).update(
        status=status, status_changed_at=clock(), status_reason=f"set {status.value} by the test"
    )


async def evaluate(platform: TestClient) -> Any:
    result = await platform.app[ALERTS].evaluate()
    await platform.app[DELIVERY].drain()
    return result


def alert_mails(mail_server: MailServer, address: str = "admin@paas.com") -> list[str]:
    return [m.subject for m in mail_server.to(address) if m.subject.startswith("[MinisPod]")]


async def test_a_node_down_past_the_confirmation_is_told_once_and_its_recovery_once(
    platform, admin, clock: FakeClock, mail_server: MailServer
) -> None:
    [node] = await nodes(platform, admin, "worker-a")
    await set_status(node, NodeStatus.INACTIVE, clock)
    await evaluate(platform)
    assert alert_mails(mail_server) == []  # not confirmed yet
    clock.advance(CONFIRM + 1)
    await evaluate(platform)
    await evaluate(platform)  # still down: not told again
    assert alert_mails(mail_server) == ["[MinisPod] node worker-a is down"]
    assert alert_mails(mail_server, SECOND_ADMIN) == ["[MinisPod] node worker-a is down"]
    firing = mail_server.to("admin@paas.com")[0].part("plain")
    assert "INACTIVE: set INACTIVE by the test" in firing

    await set_status(node, NodeStatus.ACTIVE, clock)
    await evaluate(platform)
    await evaluate(platform)
    assert alert_mails(mail_server) == [
        "[MinisPod] node worker-a is down",
        "[MinisPod] resolved: node worker-a is down",
    ]
    [alert] = await Alert.all()
    assert alert.state == "RESOLVED" and alert.fired_at is not None


async def test_a_blip_shorter_than_the_confirmation_is_told_to_no_one(
    platform, admin, clock: FakeClock, mail_server: MailServer
) -> None:
    [node] = await nodes(platform, admin, "worker-b")
    await set_status(node, NodeStatus.NOT_READY, clock)
    await evaluate(platform)
    clock.advance(CONFIRM - 30)
    await set_status(node, NodeStatus.ACTIVE, clock)
    result = await evaluate(platform)
    assert result.blips == 1 and alert_mails(mail_server) == []
    [alert] = await Alert.all()
    assert alert.state == "RESOLVED" and alert.fired_at is None


async def test_a_flapping_node_is_summarised_once_then_told_stable_once(
    platform, admin, clock: FakeClock, mail_server: MailServer
) -> None:
    [node] = await nodes(platform, admin, "worker-c")
    for _ in range(5):  # down past the confirmation, back up: five times within the hour
        await set_status(node, NodeStatus.INACTIVE, clock)
        await evaluate(platform)
        clock.advance(CONFIRM + 1)
        await evaluate(platform)
        await set_status(node, NodeStatus.ACTIVE, clock)
        await evaluate(platform)
        clock.advance(60)
    told = alert_mails(mail_server)
    assert told == [
        "[MinisPod] node worker-c is down",
        "[MinisPod] resolved: node worker-c is down",
        "[MinisPod] node worker-c is down",
        "[MinisPod] resolved: node worker-c is down",
        "[MinisPod] flapping: node worker-c is down (3 times in 60 min)",
    ]
    clock.advance(WINDOW + 1)
    await evaluate(platform)
    await evaluate(platform)
    told = alert_mails(mail_server)
    assert len(told) == 6 and told[-1] == "[MinisPod] resolved: node worker-c is down"
    assert "came and went 5 times" in mail_server.to("admin@paas.com")[-1].part("plain")


async def test_a_disrupted_fleet_is_one_alert_not_one_per_node(
    platform, admin, clock: FakeClock, mail_server: MailServer
) -> None:
    fleet = await nodes(platform, admin, "n1", "n2", "n3")
    for node in fleet:
        await set_status(node, NodeStatus.INACTIVE, clock)
    await evaluate(platform)
    clock.advance(CONFIRM + 1)
    await evaluate(platform)
    assert alert_mails(mail_server) == ["[MinisPod] the fleet is disrupted"]
    assert await Alert.filter(kind="node.down", state="PENDING").count() == 3
    # The fleet comes back but one node stays down: that one is told now.
    for node in fleet[:2]:
        await set_status(node, NodeStatus.ACTIVE, clock)
    await evaluate(platform)
    told = alert_mails(mail_server)
    assert told[0] == "[MinisPod] the fleet is disrupted"
    assert sorted(told[1:]) == [  # told in one pass, in either order
        "[MinisPod] node n3 is down",
        "[MinisPod] resolved: the fleet is disrupted",
    ]


async def test_a_job_failing_runs_in_a_row_is_an_alert_and_a_success_ends_it(
    platform, admin, clock: FakeClock, mail_server: MailServer
) -> None:
    jobs = platform.app[ALERTS].jobs
    for _ in range(JOB_FAILURES - 1):
        jobs.failed("reconcile", "OSError: the cluster is unreachable", clock())
    clock.advance(CONFIRM + 1)
    await evaluate(platform)
    assert alert_mails(mail_server) == []  # two failures are not "repeatedly"
    jobs.failed("reconcile", "OSError: the cluster is unreachable", clock())
    await evaluate(platform)  # the streak began over two minutes ago: confirmed at once
    assert alert_mails(mail_server) == ["[MinisPod] job reconcile keeps failing"]
    jobs.succeeded("reconcile")
    await evaluate(platform)
    assert alert_mails(mail_server)[-1] == "[MinisPod] resolved: job reconcile keeps failing"


async def test_an_administrators_webhook_hears_alerts_and_a_customer_cannot_ask_for_them(
    platform, admin, clock: FakeClock, receiver: Receiver
) -> None:
    [node] = await nodes(platform, admin, "worker-d")
    made = await platform.post(
        "/api/v1/webhooks",
        json={"url": receiver.url(), "events": ["alert.firing", "alert.resolved"]},
        headers=admin,
    )
    assert made.status == 201, await made.text()
    secret = (await made.json())["data"]["secret"]
    await set_status(node, NodeStatus.INACTIVE, clock)
    await evaluate(platform)
    clock.advance(CONFIRM + 1)
    await evaluate(platform)
    [hit] = receiver.hits
    body = Verifier(secret).verify(hit.body, hit.headers)
    assert body["type"] == "alert.firing" and body["data"]["subject_name"] == "worker-d"
    assert "email" in json.loads(hit.body)["data"]  # the administrator's own address

    who = await customer(platform, "nosy@example.com", funds=0)
    asked = await platform.post(
        "/api/v1/webhooks", json={"url": receiver.url(), "events": ["alert.firing"]}, headers=who
    )
    assert asked.status == 400
    assert (await asked.json())["errors"][0]["field"] == "events"


async def test_administrators_read_the_alerts_and_customers_cannot(
    platform, admin, clock: FakeClock
) -> None:
    [node] = await nodes(platform, admin, "worker-e")
    await set_status(node, NodeStatus.INACTIVE, clock)
    clock.advance(CONFIRM + 1)
    await evaluate(platform)
    admin = bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    got = await platform.get("/api/v1/admin/alerts", params={"state": "FIRING"}, headers=admin)
    assert got.status == 200
    [alert] = (await got.json())["data"]["alerts"]
    assert alert["kind"] == "node.down" and alert["subjectName"] == "worker-e"
    who = await customer(platform, "curious@example.com", funds=0)
    assert (await platform.get("/api/v1/admin/alerts", headers=who)).status == 403


async def test_heartbeats_write_nothing_to_the_outbox_even_when_a_node_turns_not_ready(
    platform, admin, clock: FakeClock
) -> None:
    """Alerts are read from node states by the leader's job: the ingest path (every node,
    every few seconds) never writes an event, so alerting cannot slow it."""
    [node] = await nodes(platform, admin, "worker-f")
    before = await OutboxEvent.all().count()
    sick = [{"type": "Ready", "status": False}, {"type": "DiskPressure", "status": True}]
    for seq in range(2, 6):
        assert (await beat(platform, node, seq, conditions=sick)).status == 200
    assert (await WorkerNode.get(id=node["nodeId"])).status is NodeStatus.NOT_READY
    assert await OutboxEvent.all().count() == before
