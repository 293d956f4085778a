"""A team's apps, wallet, invoices, webhooks and keys are its members', as far as their role
allows: people share them, a CI key uses them within its scopes and its creator's role,
outsiders find nothing, and the last owner survives a race."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.api.routes import ROUTES
from controlplane.api.routing import Access
from controlplane.db.models import Subscription, TeamMember, User
from shared.enums import TeamRole
from shared.wire.teams import ROLE_SCOPES, team_scope
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe

TEAMS = "/api/v1/teams"
PREFIX = "/api/v1"


def acting(who: dict[str, str], team_id: str) -> dict[str, str]:
    return {**who, "X-Team-ID": team_id}


async def call(client: TestClient, method: str, path: str, who: Any, body: Any = None) -> Any:
    resp = await client.request(method, path, json=body, headers=who)
    return resp.status, await resp.json()


async def member(team_id: str, email: str, role: TeamRole) -> None:
    """Joins an account to a team (invitations by mail are test_teams' subject)."""
    user = await User.get(email=email)
    await TeamMember.create(
        id=uuid.uuid4(), team_id=team_id, user_id=user.id, role=role, joined_at=datetime.now(UTC)
    )


async def shared_team(client: TestClient, owner: dict[str, str], admin: dict[str, str]) -> str:
    status, body = await call(client, "POST", TEAMS, owner, {"name": "Acme"})
    assert status == 201, body
    team_id = str(body["data"]["id"])
    # The team's wallet, funded as an administrator funds any wallet: by the team's id.
    status, body = await call(
        client,
        "POST",
        f"{PREFIX}/admin/billing/credits",
        admin,
        {"userId": team_id, "amount": 10**9, "reason": "team funds"},
    )
    assert status == 201, body
    return team_id


async def test_two_people_share_a_teams_apps_and_wallet_with_different_roles(
    platform, admin, services
) -> None:
    await active_node(platform, admin, "worker-a")
    owner = await customer(platform, "owner@example.com", funds=0)
    dev = await customer(platform, "dev@example.com", funds=0)
    viewer = await customer(platform, "viewer@example.com", funds=0)
    payer = await customer(platform, "payer@example.com", funds=0)
    outsider = await customer(platform, "outsider@example.com")
    team = await shared_team(platform, owner, admin)
    await member(team, "dev@example.com", TeamRole.DEVELOPER)
    await member(team, "viewer@example.com", TeamRole.VIEWER)
    await member(team, "payer@example.com", TeamRole.BILLING)
    before = (await call(platform, "GET", f"{PREFIX}/billing/wallet", acting(owner, team)))[1]

    resp = await subscribe(platform, acting(dev, team), services["ghost"])
    made = (await resp.json())["data"]
    assert resp.status == 201, made
    dev_id = str((await User.get(email="dev@example.com")).id)
    assert made["teamId"] == team and made["userId"] == dev_id
    assert made["instance"]["teamId"] == team

    # The team's wallet paid, seen alike by every member who may read it.
    after = (await call(platform, "GET", f"{PREFIX}/billing/wallet", acting(payer, team)))[1]
    assert after["data"]["ownerId"] == team and after["data"]["ownerType"] == "TEAM"
    assert after["data"]["balance"] < before["data"]["balance"]
    # A user's own (personal) wallet paid nothing: dev had no money and needed none.
    mine = (await call(platform, "GET", f"{PREFIX}/billing/wallet", dev))[1]
    assert mine["data"]["balance"] == 0

    for who in (owner, dev, viewer, payer):
        status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", acting(who, team))
        assert status == 200 and [s["id"] for s in body["data"]["subscriptions"]] == [made["id"]]
        status, _ = await call(
            platform, "GET", f"{PREFIX}/subscriptions/{made['id']}", acting(who, team)
        )
        assert status == 200
    # Without the header each acts in their own team, where it is not.
    status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", owner)
    assert status == 200 and body["data"]["subscriptions"] == []
    assert (await call(platform, "GET", f"{PREFIX}/subscriptions/{made['id']}", owner))[0] == 404

    # Roles: a viewer reads only; billing pays but runs no apps; a developer pays nothing.
    resp = await subscribe(platform, acting(viewer, team), services["ghost"])
    refused = await resp.json()
    assert resp.status == 403 and refused["code"] == "INSUFFICIENT_ROLE"
    assert refused["missingScope"] == "subscriptions:write" and refused["role"] == "VIEWER"
    top_up = {"amount": 5000, "provider": "manual"}
    status, body = await call(
        platform, "POST", f"{PREFIX}/billing/top-ups", acting(dev, team), top_up
    )
    assert status == 403 and body["code"] == "INSUFFICIENT_ROLE"
    status, body = await call(
        platform, "POST", f"{PREFIX}/billing/top-ups", acting(payer, team), top_up
    )
    assert status == 201, body
    await reconcile(platform)  # running: a restart is taken
    status, _ = await call(
        platform,
        "POST",
        f"{PREFIX}/instances/{made['instance']['id']}/restart",
        acting(payer, team),
    )
    assert status == 403
    status, _ = await call(
        platform, "POST", f"{PREFIX}/instances/{made['instance']['id']}/restart", acting(dev, team)
    )
    assert status == 200

    # Outsiders: the team and everything of it read as missing, whatever they send.
    status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", acting(outsider, team))
    assert status == 404 and body["message"] == "Team not found"
    for path in (f"/subscriptions/{made['id']}", f"/instances/{made['instance']['id']}"):
        assert (await call(platform, "GET", PREFIX + path, outsider))[0] == 404
    assert (await call(platform, "GET", f"{PREFIX}/subscriptions", acting(outsider, "x")))[0] == 404

    # Administrators see every team's, and narrow to one with the header.
    status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", admin)
    assert made["id"] in [s["id"] for s in body["data"]["subscriptions"]]
    status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", acting(admin, team))
    assert [s["id"] for s in body["data"]["subscriptions"]] == [made["id"]]

    # A team with a live app (and money in its wallet) is not deleted from under it.
    status, body = await call(platform, "DELETE", f"{TEAMS}/{team}", owner)
    assert status == 409 and "subscriptions" in body["message"]
    assert await Subscription.filter(team_id=team).count() == 1


async def test_a_ci_key_subscribes_and_restarts_and_is_refused_everything_else(
    platform, admin, services
) -> None:
    await active_node(platform, admin, "worker-a")
    owner = await customer(platform, "owner@example.com", funds=0)
    dev = await customer(platform, "dev@example.com", funds=0)
    team = await shared_team(platform, owner, admin)
    await member(team, "dev@example.com", TeamRole.DEVELOPER)
    scopes = ["subscriptions:read", "subscriptions:write", "instances:read", "instances:write"]
    # A developer hands a key no more than their role holds in the team.
    status, body = await call(
        platform,
        "POST",
        f"{PREFIX}/api-keys",
        acting(dev, team),
        {"name": "ci", "scopes": [*scopes, "billing:write"]},
    )
    assert status == 400 and "billing:write" in body["message"]
    status, body = await call(
        platform, "POST", f"{PREFIX}/api-keys", acting(dev, team), {"name": "ci", "scopes": scopes}
    )
    assert status == 201 and body["data"]["teamId"] == team
    key = {"X-API-Key": body["data"]["key"]}

    resp = await subscribe(platform, key, services["ghost"])
    made = (await resp.json())["data"]
    assert resp.status == 201 and made["teamId"] == team
    await reconcile(platform)
    instance = made["instance"]["id"]
    assert (await call(platform, "POST", f"{PREFIX}/instances/{instance}/restart", key))[0] == 200
    # Everything else: other scopes, other teams, keys themselves.
    status, body = await call(platform, "GET", f"{PREFIX}/billing/wallet", key)
    assert status == 403 and body["code"] == "INSUFFICIENT_SCOPE"
    assert (await call(platform, "GET", f"{PREFIX}/webhooks", key))[0] == 403
    assert (await call(platform, "GET", f"{PREFIX}/api-keys", key))[0] == 403
    dev_id = str((await User.get(email="dev@example.com")).id)
    assert (await call(platform, "GET", f"{PREFIX}/subscriptions", acting(key, dev_id)))[0] == 403
    # The owner sees and may revoke the team's keys; the key holds its creator's role now.
    status, body = await call(platform, "GET", f"{PREFIX}/api-keys", acting(owner, team))
    assert [k["name"] for k in body["data"]["apiKeys"]] == ["ci"]
    status, _ = await call(
        platform, "PUT", f"{TEAMS}/{team}/members/{dev_id}", owner, {"role": "VIEWER"}
    )
    assert status == 200
    resp = await subscribe(platform, key, services["ghost"])
    assert resp.status == 403 and (await resp.json())["code"] == "INSUFFICIENT_ROLE"
    assert (await call(platform, "GET", f"{PREFIX}/subscriptions", key))[0] == 200
    assert (await call(platform, "DELETE", f"{TEAMS}/{team}/members/{dev_id}", owner))[0] == 200
    status, body = await call(platform, "GET", f"{PREFIX}/subscriptions", key)
    assert status == 403 and "no longer a member" in body["message"]


def _path(route_path: str) -> str:
    return PREFIX + re.sub(r"{\w+}", str(uuid.UUID(int=7)), route_path)


TEAM_ROUTES = [r for r in ROUTES if r.access is Access.USER and team_scope(r.scope)]


async def test_every_team_route_holds_each_role_to_its_scopes_and_outsiders_to_nothing(
    platform, admin
) -> None:
    owner = await customer(platform, "owner@example.com", funds=0)
    team = await shared_team(platform, owner, admin)
    people = {TeamRole.OWNER: owner}
    for role in (TeamRole.DEVELOPER, TeamRole.BILLING, TeamRole.VIEWER):
        email = f"{role.value.lower()}@example.com"
        people[role] = await customer(platform, email, funds=0)
        await member(team, email, role)
    outsider = await customer(platform, "outsider@example.com", funds=0)
    checked = 0
    for route in TEAM_ROUTES:
        assert route.scope is not None
        path = _path(route.path)
        for role, who in people.items():
            resp = await platform.request(route.method, path, headers=acting(who, team))
            body = await resp.json()
            if route.scope in ROLE_SCOPES[role]:
                assert resp.status != 403, (route.method, route.path, role, body)
                assert body.get("message") != "Team not found"
            else:
                assert resp.status == 403, (route.method, route.path, role, resp.status)
                assert body["code"] == "INSUFFICIENT_ROLE" and body["missingScope"] == route.scope
        resp = await platform.request(route.method, path, headers=acting(outsider, team))
        assert resp.status == 404, (route.method, route.path, resp.status)
        assert (await resp.json())["message"] == "Team not found"
        checked += 1
    assert checked == len(TEAM_ROUTES) > 25


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
async def test_two_owners_removing_each_other_at_once_leave_one_owner(platform, admin) -> None:
    ann = await customer(platform, "ann@example.com", funds=0)
    bob = await customer(platform, "bob@example.com", funds=0)
    _, body = await call(platform, "POST", TEAMS, ann, {"name": "Pair"})
    team = str(body["data"]["id"])
    await member(team, "bob@example.com", TeamRole.OWNER)
    ann_id = str((await User.get(email="ann@example.com")).id)
    bob_id = str((await User.get(email="bob@example.com")).id)
    for _ in range(3):
        statuses = await asyncio.gather(
            platform.delete(f"{TEAMS}/{team}/members/{bob_id}", headers=ann),
            platform.delete(f"{TEAMS}/{team}/members/{ann_id}", headers=bob),
        )
        codes = sorted(r.status for r in statuses)
        # One wins; the other finds itself no longer in the team (404) or the last owner
        # (409), never both gone.
        assert codes[0] == 200 and codes[1] in (404, 409), codes
        owners = await TeamMember.filter(team_id=team, role=TeamRole.OWNER).count()
        assert owners == 1
        # Back to two owners for the next round.
        gone = bob_id if not await TeamMember.exists(team_id=team, user_id=bob_id) else ann_id
        email = "bob@example.com" if gone == bob_id else "ann@example.com"
        await member(team, email, TeamRole.OWNER)
