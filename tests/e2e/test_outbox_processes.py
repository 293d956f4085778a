"""The outbox across real control-plane processes: a kill -9 mid-delivery loses no mail,
and two replicas on one PostgreSQL deliver every event exactly once."""

from __future__ import annotations

import asyncio
import collections
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import TEST_SECRETS_KEY, USER_PASSWORD
from tests.processes import ControlPlane, request_json, wait_for
from tests.smtp import MailServer

FAST_OUTBOX = {
    "MINISPOD_OUTBOX_POLL_INTERVAL": "0.2",
    "MINISPOD_OUTBOX_LEASE": "1",
    "MINISPOD_OUTBOX_RETRY_DELAY": "0.5",
    "MINISPOD_SECRETS_KEY": TEST_SECRETS_KEY,
}


@pytest.mark.parametrize("control_plane_database", ["sqlite", "postgres"], indirect=True)
def test_a_mail_whose_sender_was_killed_mid_delivery_goes_out_after_restart(
    control_plane_database: str, mail_server: MailServer, tmp_path: Path
) -> None:
    settings = {"MINISPOD_SMTP_URL": mail_server.url, **FAST_OUTBOX}
    first = ControlPlane(control_plane_database, tmp_path, **settings)
    mail_server.handler.stall_for = 30.0  # the message is mid-DATA when the process dies
    first.start()
    try:
        body = {
            "name": "Kay",
            "email": "kay@example.com",
            "password": USER_PASSWORD,
            "confirmPassword": USER_PASSWORD,
        }
        status, answer = request_json("POST", first.url + "/api/v1/auth/register", body)
        assert status == 201, answer
        wait_for(lambda: mail_server.handler.data_started >= 1, 10, "the mail being sent")
    finally:
        first.kill()  # SIGKILL: no shutdown, no chance to record anything
    assert mail_server.received == []

    mail_server.handler.stall_for = 0.0
    second = ControlPlane(control_plane_database, tmp_path, **settings)
    second.start()
    try:
        (mail,) = mail_server.wait_for_mail("kay@example.com", 1, timeout=20)
        token = re.search(r"token=(\S+)", mail.part("plain"))
        assert token
        status, answer = request_json(
            "POST", second.url + "/api/v1/auth/verify-email", {"token": token.group(1)}
        )
        assert status == 200 and answer["data"]["emailVerified"] is True
        assert len(mail_server.to("kay@example.com")) == 1
    finally:
        second.kill()


async def _queue_events(url: str, n: int) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC)
        ids = [uuid.uuid4() for _ in range(n)]
        await conn.executemany(
            "INSERT INTO outbox_events (id, type, subject, payload, occurred_at)"
            " VALUES ($1, 'user.password_changed', NULL, $2::jsonb, $3)",
            [
                (i, json.dumps({"email": f"r{k}@example.com", "name": "R", "reset": False}), now)
                for k, i in enumerate(ids)
            ],
        )
        await conn.executemany(
            "INSERT INTO outbox_deliveries (id, event_id, channel, attempts, next_attempt_at)"
            " VALUES ($1, $2, 'email', 0, $3)",
            [(uuid.uuid4(), i, now) for i in ids],
        )
        return [str(i) for i in ids]
    finally:
        await conn.close()


async def _attempts(url: str) -> collections.Counter[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT attempts FROM outbox_deliveries WHERE delivered_at IS NOT NULL"
        )
        return collections.Counter(r["attempts"] for r in rows)
    finally:
        await conn.close()


def test_two_replicas_on_one_postgres_deliver_each_event_once(
    control_plane_database: str, mail_server: MailServer, tmp_path: Path
) -> None:
    events = asyncio.run(_queue_events(control_plane_database, 300))
    mail_server.handler.delay = 0.005  # long enough that both replicas are at it together
    settings = {
        "MINISPOD_SMTP_URL": mail_server.url,
        "MINISPOD_RUN_JOBS": "false",
        **FAST_OUTBOX,
        # A claim must outlast its batch's sends, even on a loaded test machine: a lease
        # that ends mid-batch rightly hands the rest to the other replica (a second attempt).
        "MINISPOD_OUTBOX_LEASE": "30",
    }
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    replicas = [
        ControlPlane(control_plane_database, tmp_path / name, **settings) for name in ("a", "b")
    ]
    for replica in replicas:
        replica.spawn()
    try:
        wait_for(lambda: len(mail_server.received) >= len(events), 60, "every event mailed")
        wait_for(
            lambda: sum(asyncio.run(_attempts(control_plane_database)).values()) == 300,
            10,
            "all recorded",
        )
        seen = collections.Counter(
            str(m.message["X-MinisPod-Event-Id"]) for m in mail_server.received
        )
        assert sorted(seen) == sorted(events)
        assert set(seen.values()) == {1}
        # Nobody took a row another replica held: every delivery took one attempt.
        assert asyncio.run(_attempts(control_plane_database)) == {1: 300}
    finally:
        for replica in replicas:
            replica.kill()
