"""Teams: a personal team at sign-up, teams with owners who invite by real mail, members
who accept only with the invited address, and an owner that is never taken away."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.appkeys import DELIVERY
from controlplane.db.models import Team, TeamInvitation, User
from tests.conftest import USER_PASSWORD, AppFactory, FakeClock, bearer, create_account, sign_in
from tests.smtp import MailServer

TEAMS = "/api/v1/teams"


async def person(client: TestClient, email: str) -> dict[str, str]:
    await create_account(client, email, USER_PASSWORD)
    return bearer((await sign_in(client, email, USER_PASSWORD))["accessToken"])


async def call(client: TestClient, method: str, path: str, who: Any, body: Any = None) -> Any:
    resp = await client.request(method, path, json=body, headers=who)
    return resp.status, await resp.json()


async def invite_and_read(
    client: TestClient, mail: MailServer, owner: Any, team_id: str, email: str, role: str
) -> tuple[str, str]:
    status, body = await call(
        client, "POST", f"{TEAMS}/{team_id}/invitations", owner, {"email": email, "role": role}
    )
    assert status == 201, body
    await client.app[DELIVERY].drain()
    found = re.search(r"token=(\S+)", mail.to(email)[-1].part("plain"))
    assert found
    return body["data"]["id"], found.group(1)


async def test_every_account_gets_a_personal_team_it_owns_alone(client: TestClient) -> None:
    ann = await person(client, "ann@example.com")
    status, body = await call(client, "GET", TEAMS, ann)
    assert status == 200
    [team] = body["data"]["teams"]
    assert team["personal"] is True and team["role"] == "OWNER"
    assert (await call(client, "DELETE", f"{TEAMS}/{team['id']}", ann))[0] == 409
    me = str((await User.get(email="ann@example.com")).id)
    assert (await call(client, "DELETE", f"{TEAMS}/{team['id']}/members/{me}", ann))[0] == 409


async def test_an_invitation_by_mail_makes_a_member_with_its_role_once(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await make_client(smtp_url=mail_server.url)
    owner = await person(client, "own@example.com")
    dev = await person(client, "dev@example.com")
    status, body = await call(client, "POST", TEAMS, owner, {"name": "Platform"})
    assert status == 201 and body["data"]["role"] == "OWNER"
    team = body["data"]["id"]
    _, token = await invite_and_read(
        client, mail_server, owner, team, "dev@example.com", "DEVELOPER"
    )
    stored = await TeamInvitation.get(team_id=team)
    assert stored.token_hash and token not in stored.token_hash  # kept as a digest only

    outsider = await person(client, "nosy@example.com")
    assert (await call(client, "GET", f"{TEAMS}/{team}", outsider))[0] == 404
    assert (await call(client, "POST", f"/api/v1/invitations/{token}/accept", outsider))[0] == 403
    status, body = await call(client, "POST", f"/api/v1/invitations/{token}/accept", dev)
    assert status == 200 and body["data"]["role"] == "DEVELOPER"
    assert (await call(client, "POST", f"/api/v1/invitations/{token}/accept", dev))[0] == 400
    status, body = await call(client, "GET", f"{TEAMS}/{team}", dev)
    assert {m["email"]: m["role"] for m in body["data"]["members"]} == {
        "own@example.com": "OWNER",
        "dev@example.com": "DEVELOPER",
    }
    # A developer does not manage the team.
    assert (await call(client, "PUT", f"{TEAMS}/{team}", dev, {"name": "Mine"}))[0] == 403
    status, _ = await call(
        client, "POST", f"{TEAMS}/{team}/invitations", dev, {"email": "x@example.com"}
    )
    assert status == 403


async def test_a_resent_invitation_voids_the_old_link_and_a_revoked_or_late_one_fails(
    make_client: AppFactory, mail_server: MailServer, clock: FakeClock
) -> None:
    client = await make_client(smtp_url=mail_server.url)
    owner = await person(client, "boss@example.com")
    team = (await call(client, "POST", TEAMS, owner, {"name": "Ops"}))[1]["data"]["id"]
    invitation, first = await invite_and_read(
        client, mail_server, owner, team, "joe@example.com", "VIEWER"
    )
    joe = await person(client, "joe@example.com")
    status, _ = await call(client, "POST", f"{TEAMS}/{team}/invitations/{invitation}/resend", owner)
    assert status == 200
    await client.app[DELIVERY].drain()
    second = re.search(r"token=(\S+)", mail_server.to("joe@example.com")[-1].part("plain"))
    assert second and second.group(1) != first
    assert (await call(client, "POST", f"/api/v1/invitations/{first}/accept", joe))[0] == 400
    assert (await call(client, "DELETE", f"{TEAMS}/{team}/invitations/{invitation}", owner))[
        0
    ] == 200
    assert (await call(client, "POST", f"/api/v1/invitations/{second.group(1)}/accept", joe))[
        0
    ] == 400

    _, late = await invite_and_read(client, mail_server, owner, team, "joe@example.com", "VIEWER")
    clock.advance(8 * 86400)  # past the week an invitation lasts
    joe = bearer((await sign_in(client, "joe@example.com", USER_PASSWORD))["accessToken"])
    assert (await call(client, "POST", f"/api/v1/invitations/{late}/decline", joe))[0] == 400


async def test_the_last_owner_stays_until_ownership_is_transferred(
    make_client: AppFactory, mail_server: MailServer
) -> None:
    client = await make_client(smtp_url=mail_server.url)
    owner = await person(client, "first@example.com")
    heir = await person(client, "heir@example.com")
    team = (await call(client, "POST", TEAMS, owner, {"name": "Shared"}))[1]["data"]["id"]
    _, token = await invite_and_read(
        client, mail_server, owner, team, "heir@example.com", "DEVELOPER"
    )
    assert (await call(client, "POST", f"/api/v1/invitations/{token}/accept", heir))[0] == 200
    first = str((await User.get(email="first@example.com")).id)
    second = str((await User.get(email="heir@example.com")).id)
    demote = await call(client, "PUT", f"{TEAMS}/{team}/members/{first}", owner, {"role": "VIEWER"})
    assert demote[0] == 409
    assert (await call(client, "DELETE", f"{TEAMS}/{team}/members/{first}", owner))[0] == 409
    # Nor is the account deleted from under the team.
    admin_email = "root@example.com"
    await create_account(client, admin_email, "Admin123!@#x", "ADMINISTRATOR")
    admin = bearer((await sign_in(client, admin_email, "Admin123!@#x"))["accessToken"])
    assert (await call(client, "DELETE", f"/api/v1/users/{first}", admin))[0] == 409

    status, body = await call(client, "POST", f"{TEAMS}/{team}/members/{second}/transfer", owner)
    assert status == 200, body
    roles = {m["email"]: m["role"] for m in body["data"]["members"]}
    assert roles == {"first@example.com": "DEVELOPER", "heir@example.com": "OWNER"}
    # Now the first may leave.
    assert (await call(client, "DELETE", f"{TEAMS}/{team}/members/{first}", owner))[0] == 200
    assert (await call(client, "GET", f"{TEAMS}/{team}", owner))[0] == 404


async def test_a_deleted_account_takes_its_personal_team_with_it(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    await person(client, "gone@example.com")
    user = await User.get(email="gone@example.com")
    assert await Team.filter(personal=True, members__user_id=user.id).count() == 1
    before = await Team.all().count()
    assert (await call(client, "DELETE", f"/api/v1/users/{user.id}", admin_headers))[0] == 200
    assert await Team.all().count() == before - 1


async def test_teams_are_managed_with_a_session_not_an_api_key(client: TestClient) -> None:
    who = await person(client, "auto@example.com")
    status, body = await call(
        client, "POST", "/api/v1/api-keys", who, {"name": "ci", "scopes": ["account:read"]}
    )
    assert status == 201
    key = {"Authorization": f"Bearer {body['data']['key']}"}
    assert (await call(client, "GET", TEAMS, key))[0] == 403
