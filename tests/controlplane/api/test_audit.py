"""The audit log: every administrator change and security event, with who, what, which
thing, from where and how it ended; secrets never in it; nothing edits it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.api.routes import ROUTES
from controlplane.db.models import AuditEntry, User
from controlplane.services.audit import trail
from tests.conftest import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    FakeClock,
    bearer,
    create_account,
    sign_in,
)

AUDIT = "/api/v1/admin/audit"


async def entries(client: TestClient, admin: dict[str, str], **params: str) -> list[dict[str, Any]]:
    resp = await client.get(AUDIT, params={"limit": "100", **params}, headers=admin)
    assert resp.status == 200, await resp.text()
    return list((await resp.json())["data"]["entries"])


async def test_an_administrators_change_is_recorded_with_actor_target_address_and_request_id(
    client, admin_headers
) -> None:
    await create_account(client, "una@example.com", USER_PASSWORD, "USER")
    target = {"id": str((await User.get(email="una@example.com")).id)}
    resp = await client.put(
        f"/api/v1/users/{target['id']}",
        json={"role": "ADMINISTRATOR"},
        headers={**admin_headers, "X-Request-ID": "req-role-change-1"},
    )
    assert resp.status == 200, await resp.text()
    [entry] = await entries(client, admin_headers, action="users.update_user")
    admin = await User.get(email="admin@paas.com")
    assert entry["actorId"] == str(admin.id) and entry["actorEmail"] == "admin@paas.com"
    assert entry["actorRole"] == "ADMINISTRATOR"
    assert entry["targetType"] == "user" and entry["targetId"] == target["id"]
    assert entry["changes"] == {"role": "ADMINISTRATOR"}
    assert entry["clientAddress"] == "127.0.0.1" and entry["requestId"] == "req-role-change-1"
    assert entry["statusCode"] == 200 and entry["finishedAt"] is not None
    assert entry["method"] == "PUT" and entry["path"] == f"/api/v1/users/{target['id']}"


async def test_sign_ins_that_succeed_and_fail_are_recorded_and_passwords_never(
    client, admin_headers
) -> None:
    await create_account(client, "vic@example.com", USER_PASSWORD, "USER")
    good = {"email": "vic@example.com", "password": USER_PASSWORD}
    bad = {"email": "vic@example.com", "password": "Wrong-password-1"}
    assert (await client.post("/api/v1/auth/login", json=bad)).status == 401
    assert (await client.post("/api/v1/auth/login", json=good)).status == 200
    logins = await entries(client, admin_headers, action="auth.login", actorEmail="vic@example.com")
    assert sorted(e["statusCode"] for e in logins) == [200, 401]
    for entry in logins:
        assert entry["changes"]["password"] == "[redacted]"
    stored = [str(e.changes) for e in await AuditEntry.all()]
    assert not any(USER_PASSWORD in s or "Wrong-password-1" in s for s in stored)


async def test_secrets_are_redacted_at_any_depth() -> None:
    sent = {
        "name": "ci",
        "newPassword": "x",
        "nested": {"apiKey": "k", "items": [{"clientSecret": "s", "kept": 1}]},
        "webhookSignature": "v1,abc",
    }
    assert trail.redact(sent) == {
        "name": "ci",
        "newPassword": "[redacted]",
        "nested": {"apiKey": "[redacted]", "items": [{"clientSecret": "[redacted]", "kept": 1}]},
        "webhookSignature": "[redacted]",
    }


async def test_a_customer_refused_an_administrators_route_is_recorded_with_who_they_are(
    client, admin_headers, user_headers
) -> None:
    resp = await client.post(
        "/api/v1/workers/join-tokens", json={"name": "sneaky"}, headers=user_headers
    )
    assert resp.status == 403
    [entry] = await entries(client, admin_headers, failed="true", action="workers.")
    assert entry["actorEmail"] == "user@paas.com" and entry["statusCode"] == 403
    assert entry["actorRole"] == "USER"
    unsigned = await client.post("/api/v1/workers/join-tokens", json={"name": "anon"})
    assert unsigned.status == 401
    refused = await entries(client, admin_headers, failed="true", action="workers.")
    assert {e["statusCode"] for e in refused} == {401, 403}


async def test_a_token_made_by_an_administrator_is_recorded_without_the_token(
    client, admin_headers
) -> None:
    resp = await client.post(
        "/api/v1/workers/join-tokens", json={"name": "rack-7"}, headers=admin_headers
    )
    assert resp.status == 201
    token = (await resp.json())["data"]["token"]
    [entry] = await entries(client, admin_headers, action="workers.")
    assert entry["changes"] == {"name": "rack-7"} and entry["statusCode"] == 201
    assert token not in str(await AuditEntry.all().values_list("changes", flat=True))


async def test_an_administrator_acting_through_a_customers_route_is_recorded(
    client, admin_headers, user_headers
) -> None:
    made = await client.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/in", "events": ["billing.charged"]},
        headers=user_headers,
    )
    assert made.status == 201
    hook = (await made.json())["data"]
    gone = await client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin_headers)
    assert gone.status == 200
    deletes = await entries(client, admin_headers, action="webhooks.delete")
    assert [(e["actorEmail"], e["targetId"]) for e in deletes] == [("admin@paas.com", hook["id"])]
    created = await entries(client, admin_headers, action="webhooks.create")
    assert created[0]["actorEmail"] == "user@paas.com"


async def test_a_failed_change_is_recorded_with_its_status(client, admin_headers) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    resp = await client.put(f"/api/v1/users/{missing}", json={"name": "X"}, headers=admin_headers)
    assert resp.status == 404
    [entry] = await entries(client, admin_headers, targetId=missing)
    assert entry["statusCode"] == 404


async def test_reads_are_not_recorded_and_no_route_edits_the_log(client, admin_headers) -> None:
    assert (await client.get("/api/v1/users", headers=admin_headers)).status == 200
    assert await entries(client, admin_headers, action="users.") == []
    assert [r.method for r in ROUTES if "/audit" in r.path] == ["GET"]


async def test_customers_cannot_read_the_log(client, user_headers) -> None:
    assert (await client.get(AUDIT, headers=user_headers)).status == 403


async def test_retention_removes_entries_older_than_it_and_keeps_the_rest(
    client, admin_headers, clock: FakeClock
) -> None:
    await create_account(client, "wes@example.com", USER_PASSWORD, "USER")
    await sign_in(client, "wes@example.com", USER_PASSWORD)
    before = await AuditEntry.all().count()
    assert before >= 1
    clock.advance(400 * 86400)
    admin = bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    removed = await trail.prune(clock(), timedelta(days=365))
    assert removed == before
    assert [e["actorEmail"] for e in await entries(client, admin)] == ["admin@paas.com"]
