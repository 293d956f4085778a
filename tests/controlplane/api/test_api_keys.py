"""API keys: shown once and stored as a digest, held to their scopes on every route,
refused at once when revoked, expired, used from elsewhere or too fast, rotated with a
grace period, and counted without a write per request."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.api.routes import ROUTES
from controlplane.api.routing import Access
from controlplane.appkeys import API_KEYS
from controlplane.db.models import ApiKey, ApiKeyUsage
from shared.wire.api_keys import SCOPES
from tests.conftest import FakeClock

KEYS = "/api/v1/api-keys"
PREFIX = "/api/v1"


async def make_key(
    client: TestClient, who: dict[str, str], scopes: list[str], **extra: Any
) -> dict[str, Any]:
    resp = await client.post(KEYS, json={"name": "ci", "scopes": scopes, **extra}, headers=who)
    assert resp.status == 201, await resp.text()
    return dict((await resp.json())["data"])


def with_key(key: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {key['key']}"}


async def test_a_key_is_shown_once_and_kept_only_as_a_digest(client, user_headers) -> None:
    made = await make_key(client, user_headers, ["subscriptions:read"])
    assert re.fullmatch(r"mpk_[a-z2-9]{8}_[A-Za-z0-9_-]{43}", made["key"])
    assert made["key"].startswith(f"mpk_{made['prefix']}_")
    listed = (await (await client.get(KEYS, headers=user_headers)).json())["data"]["apiKeys"]
    assert [k["prefix"] for k in listed] == [made["prefix"]] and "key" not in listed[0]
    stored = await ApiKey.get(id=made["id"])
    assert made["key"] not in str(await ApiKey.filter(id=made["id"]).values())
    assert stored.key_hash != made["key"] and len(stored.key_hash) == 64


async def test_both_ways_of_sending_a_key_work_and_a_missing_scope_is_named(
    client, user_headers
) -> None:
    key = await make_key(client, user_headers, ["subscriptions:read"])
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(key))).status == 200
    header = {"X-API-Key": key["key"]}
    assert (await client.get(f"{PREFIX}/subscriptions", headers=header)).status == 200
    short = await client.get(f"{PREFIX}/billing/wallet", headers=header)
    assert short.status == 403
    body = await short.json()
    assert body["code"] == "INSUFFICIENT_SCOPE" and body["missingScope"] == "billing:read"


async def test_keys_cannot_manage_keys_or_change_the_password(client, user_headers) -> None:
    key = await make_key(client, user_headers, list(s for s in SCOPES if "admin" not in s))
    made = await client.post(
        KEYS, json={"name": "x", "scopes": ["account:read"]}, headers=with_key(key)
    )
    assert made.status == 403
    changed = await client.put(
        f"{PREFIX}/auth/password",
        json={"currentPassword": "x", "newPassword": "Another-pass-1"},
        headers=with_key(key),
    )
    assert changed.status == 403
    assert (await client.get(f"{PREFIX}/auth/profile", headers=with_key(key))).status == 200


async def test_a_user_cannot_hand_a_key_more_than_they_hold(
    client, user_headers, admin_headers
) -> None:
    resp = await client.post(
        KEYS, json={"name": "x", "scopes": ["admin:read"]}, headers=user_headers
    )
    assert resp.status == 400 and (await resp.json())["errors"][0]["field"] == "scopes"
    assert await ApiKey.all().count() == 0
    admins = await make_key(client, admin_headers, ["admin:read"])
    assert (await client.get(f"{PREFIX}/workers", headers=with_key(admins))).status == 200
    # An administrator's key without admin:read does not reach administrators' routes.
    plain = await make_key(client, admin_headers, ["subscriptions:read"])
    assert (await client.get(f"{PREFIX}/workers", headers=with_key(plain))).status == 403


async def test_revocation_and_expiry_take_effect_at_once(
    client, user_headers, clock: FakeClock
) -> None:
    revoked = await make_key(client, user_headers, ["subscriptions:read"])
    expiring = await make_key(
        client,
        user_headers,
        ["subscriptions:read"],
        expiresAt=(clock() + timedelta(hours=1)).isoformat(),
    )
    assert (await client.delete(f"{KEYS}/{revoked['id']}", headers=user_headers)).status == 200
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(revoked))).status == 401
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(expiring))).status == 200
    clock.advance(3601)
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(expiring))).status == 401
    forged = {"Authorization": f"Bearer mpk_{expiring['prefix']}_{'x' * 43}"}
    assert (await client.get(f"{PREFIX}/subscriptions", headers=forged)).status == 401


async def test_a_key_is_refused_outside_its_networks(client, user_headers) -> None:
    elsewhere = await make_key(
        client, user_headers, ["subscriptions:read"], allowedIps=["10.0.0.0/8"]
    )
    here = await make_key(client, user_headers, ["subscriptions:read"], allowedIps=["127.0.0.1"])
    refused = await client.get(f"{PREFIX}/subscriptions", headers=with_key(elsewhere))
    assert refused.status == 403 and "127.0.0.1" in (await refused.json())["message"]
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(here))).status == 200
    bad = await client.post(
        KEYS,
        json={"name": "x", "scopes": ["account:read"], "allowedIps": ["nope"]},
        headers=user_headers,
    )
    assert bad.status == 400


async def test_a_key_over_its_own_rate_is_told_to_wait(client, user_headers) -> None:
    key = await make_key(client, user_headers, ["subscriptions:read"], rateLimitPerMinute=2)
    got = [await client.get(f"{PREFIX}/subscriptions", headers=with_key(key)) for _ in range(3)]
    assert [r.status for r in got] == [200, 200, 429]
    assert int(got[2].headers["Retry-After"]) >= 1


async def test_a_rotated_key_works_beside_the_new_one_for_the_grace_and_then_not(
    client, user_headers, clock: FakeClock
) -> None:
    old = await make_key(client, user_headers, ["subscriptions:read"], allowedIps=["127.0.0.0/8"])
    resp = await client.post(
        f"{KEYS}/{old['id']}/rotate", json={"graceHours": 2}, headers=user_headers
    )
    assert resp.status == 201, await resp.text()
    new = (await resp.json())["data"]
    assert new["key"] != old["key"] and new["rotatedFrom"] == old["id"]
    assert new["scopes"] == old["scopes"] and new["allowedIps"] == old["allowedIps"]
    for key in (old, new):
        assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(key))).status == 200
    clock.advance(2 * 3600 + 1)
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(old))).status == 401
    assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(new))).status == 200


async def test_usage_is_counted_in_memory_and_written_in_batches(client, user_headers) -> None:
    key = await make_key(client, user_headers, ["subscriptions:read"])
    for _ in range(5):
        assert (await client.get(f"{PREFIX}/subscriptions", headers=with_key(key))).status == 200
    assert await ApiKeyUsage.all().count() == 0  # no write per request
    assert client.app[API_KEYS].usage.pending == 5
    report = await client.get(f"{KEYS}/{key['id']}/usage", headers=user_headers)
    data = (await report.json())["data"]
    assert data["total"] == 5 and data["lastUsedIp"] == "127.0.0.1"
    assert [d["requests"] for d in data["days"]] == [5]
    for _ in range(2):
        await client.get(f"{PREFIX}/subscriptions", headers=with_key(key))
    await client.app[API_KEYS].usage.flush()
    [row] = await ApiKeyUsage.all()
    assert row.requests == 7  # added to, not replaced


async def test_another_users_keys_are_not_found(client, user_headers, admin_headers) -> None:
    key = await make_key(client, admin_headers, ["subscriptions:read"])
    for method, path in (
        ("GET", f"{KEYS}/{key['id']}"),
        ("DELETE", f"{KEYS}/{key['id']}"),
        ("POST", f"{KEYS}/{key['id']}/rotate"),
        ("GET", f"{KEYS}/{key['id']}/usage"),
    ):
        resp = await client.request(
            method, path, headers=user_headers, json={} if method == "POST" else None
        )
        assert resp.status == 404, (method, path)


def _path(route_path: str) -> str:
    return PREFIX + re.sub(r"{\w+}", str(uuid.UUID(int=7)), route_path)


KEYED = [r for r in ROUTES if r.access in (Access.USER, Access.ADMIN)]


@pytest.mark.parametrize("dialect", ["sqlite"], indirect=True)
async def test_every_route_holds_keys_to_their_scope(
    client, admin_headers, clock: FakeClock
) -> None:
    """Every signed-in route, with a key with its scope, without it, expired, revoked, and
    from a disallowed address: only the first gets past authentication."""
    everything = await make_key(client, admin_headers, list(SCOPES))
    nothing = await make_key(client, admin_headers, ["account:read"])
    revoked = await make_key(client, admin_headers, list(SCOPES))
    await client.delete(f"{KEYS}/{revoked['id']}", headers=admin_headers)
    far = await make_key(client, admin_headers, list(SCOPES), allowedIps=["192.0.2.0/24"])
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    expired = await make_key(client, admin_headers, list(SCOPES), expiresAt=soon)
    await ApiKey.filter(id=expired["id"]).update(expires_at=clock() - timedelta(seconds=1))
    checked = 0
    for route in KEYED:
        path = _path(route.path)
        resp = await client.request(route.method, path, headers=with_key(everything))
        if route.scope is None:
            assert resp.status == 403, (route.method, route.path, "session only")
        else:
            assert resp.status not in (401, 403), (route.method, route.path, resp.status)
        if route.scope is not None and route.scope != "account:read":
            resp = await client.request(route.method, path, headers=with_key(nothing))
            assert resp.status == 403, (route.method, route.path)
            assert (await resp.json())["missingScope"] == route.scope
        for key, status in ((revoked, 401), (expired, 401), (far, 403)):
            if route.scope is None:
                continue
            resp = await client.request(route.method, path, headers=with_key(key))
            assert resp.status == status, (route.method, route.path, key["name"], resp.status)
        checked += 1
    assert checked == len(KEYED) > 80
