"""Webhooks across real control-plane processes: a kill -9 mid-delivery loses no event and
logs none twice, and two replicas on one PostgreSQL deliver each event to an endpoint once."""

from __future__ import annotations

import asyncio
import collections
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.fernet import Fernet

from tests.conftest import TEST_SECRETS_KEY
from tests.processes import AdminApi, ControlPlane, wait_for
from tests.webhook_receiver import ThreadedReceiver

FAST_WEBHOOKS = {
    "MINISPOD_OUTBOX_POLL_INTERVAL": "0.2",
    "MINISPOD_OUTBOX_LEASE": "1",
    "MINISPOD_WEBHOOK_RETRY_DELAY": "0.5",
    # A claimed batch is its replica's for three timeouts: 3 s here.
    "MINISPOD_WEBHOOK_TIMEOUT": "1",
    "MINISPOD_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32",
    "MINISPOD_SECRETS_KEY": TEST_SECRETS_KEY,
    "MINISPOD_RUN_JOBS": "false",
}


@pytest.fixture
def receiver() -> Iterator[ThreadedReceiver]:
    got = ThreadedReceiver().start()
    yield got
    got.stop()


def _hook_and_credits(api: AdminApi, url: str, n: int) -> None:
    """An endpoint of the administrator's for billing.adjusted, and n credits to their own
    wallet: n events about them, each queued for the endpoint as its change commits."""
    me = api.data("GET", "/auth/profile")["id"]
    api.data("POST", "/webhooks", {"url": url, "events": ["billing.adjusted"]})
    for k in range(n):
        credit = {"userId": me, "amount": 100, "reason": f"e2e {k}"}
        api.data("POST", "/admin/billing/credits", credit)


def _log(database_url: str) -> list[dict[str, Any]]:
    """Per delivery: whether it is delivered, and its successful attempts in the log."""
    query = (
        "SELECT d.id, d.event_id, d.delivered_at IS NOT NULL AS delivered,"
        " (SELECT count(*) FROM webhook_attempts a WHERE a.delivery_id = d.id"
        "  AND a.status_code BETWEEN 200 AND 299) AS successes"
        " FROM webhook_deliveries d"
    )
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(query)]

    async def fetch() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(database_url)
        try:
            return [dict(r) for r in await conn.fetch(query)]
        finally:
            await conn.close()

    return asyncio.run(fetch())


@pytest.mark.parametrize("control_plane_database", ["sqlite", "postgres"], indirect=True)
def test_webhook_events_in_flight_when_the_process_is_killed_are_delivered_after_restart(
    control_plane_database: str, receiver: ThreadedReceiver, tmp_path: Path
) -> None:
    first = ControlPlane(control_plane_database, tmp_path, **FAST_WEBHOOKS)
    receiver.receiver.delay = 30.0  # every POST hangs: the process dies mid-delivery
    first.start()
    try:
        _hook_and_credits(AdminApi(first), receiver.url(), 30)
        wait_for(lambda: len(receiver.hits) >= 1, 10, "a delivery under way")
    finally:
        first.kill()  # SIGKILL: nothing recorded
    assert not any(row["delivered"] for row in _log(control_plane_database))
    events = {row["event_id"] for row in _log(control_plane_database)}
    assert len(events) == 30

    receiver.receiver.delay = 0.0
    second = ControlPlane(control_plane_database, tmp_path, **FAST_WEBHOOKS)
    second.start()
    try:
        wait_for(
            lambda: all(r["delivered"] for r in _log(control_plane_database)) or None,
            30,
            "every event delivered",
        )
    finally:
        second.kill()
    log = _log(control_plane_database)
    assert len(log) == 30 and {r["successes"] for r in log} == {1}
    heard = {h.headers["webhook-id"] for h in receiver.hits}
    assert {str(e) for e in events} <= heard


def test_two_replicas_on_one_postgres_deliver_each_webhook_event_once(
    control_plane_database: str, receiver: ThreadedReceiver, tmp_path: Path
) -> None:
    receiver.receiver.delay = 0.002  # long enough that both replicas are at it together
    settings = {**FAST_WEBHOOKS, "MINISPOD_OUTBOX_LEASE": "60"}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    replicas = [
        ControlPlane(control_plane_database, tmp_path / name, **settings) for name in ("a", "b")
    ]
    # The administrator's id, from a replica run once; then 1,000 events queued at once.
    replicas[0].start()
    me = AdminApi(replicas[0]).data("GET", "/auth/profile")["id"]
    replicas[0].kill()
    asyncio.run(_queue(control_plane_database, me, receiver.url(), 1000))
    for replica in replicas:
        replica.spawn()
    try:
        wait_for(
            lambda: all(r["delivered"] for r in _log(control_plane_database)) or None,
            90,
            "every event delivered",
        )
        seen = collections.Counter(h.headers["webhook-id"] for h in receiver.hits)
        assert len(seen) == 1000 and set(seen.values()) == {1}
        assert {r["successes"] for r in _log(control_plane_database)} == {1}
    finally:
        for replica in replicas:
            replica.kill()


async def _queue(url: str, owner: str, target: str, n: int) -> None:
    """n events already in the outbox for one endpoint, as committed changes leave them."""

    now = datetime.now(UTC)
    hook = uuid.uuid4()
    sealed = {
        "sealed": Fernet(TEST_SECRETS_KEY.encode())
        .encrypt(json.dumps({"secret": "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"}).encode())
        .decode()
    }
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO webhooks (id, team_id, url, description, event_types, secret_sealed,"
            " enabled, created_at, updated_at) VALUES ($1, $2, $3, '', $4::jsonb, $5::jsonb,"
            " true, $6, $6)",
            hook,
            uuid.UUID(owner),
            target,
            json.dumps(["billing.adjusted"]),
            json.dumps(sealed),
            now,
        )
        ids = [uuid.uuid4() for _ in range(n)]
        await conn.executemany(
            "INSERT INTO outbox_events (id, type, subject, payload, occurred_at)"
            " VALUES ($1, 'billing.adjusted', $2, '{}'::jsonb, $3)",
            [(i, owner, now) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO webhook_deliveries (id, event_id, webhook_id, attempts, next_attempt_at,"
            " created_at) VALUES ($1, $2, $3, 0, $4, $4)",
            [(uuid.uuid4(), i, hook, now) for i in ids],
        )
    finally:
        await conn.close()
