"""Handlers of /teams and /invitations: teams, their members and invitations."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import SESSION_ONLY, Access, Call, Route
from controlplane.appkeys import TEAMS
from shared.wire.teams import (
    InvitationCreate,
    InvitationList,
    InvitationOut,
    MemberOut,
    MemberUpdate,
    TeamCreate,
    TeamDetail,
    TeamList,
    TeamOut,
    TeamUpdate,
)


async def list_teams(call: Call[Any, Any]) -> web.Response:
    return ok(TeamList(teams=await call.request.app[TEAMS].mine(call.principal)), "Teams")


async def create(call: Call[TeamCreate, Any]) -> web.Response:
    made = await call.request.app[TEAMS].create(call.principal, call.body)
    return ok(made, "Team created; you are its owner", status=201)


async def get_team(call: Call[Any, Any]) -> web.Response:
    return ok(await call.request.app[TEAMS].detail(call.principal, call.param("teamId")), "Team")


async def update(call: Call[TeamUpdate, Any]) -> web.Response:
    changed = await call.request.app[TEAMS].update(call.principal, call.param("teamId"), call.body)
    return ok(changed, "Team updated")


async def delete(call: Call[Any, Any]) -> web.Response:
    await call.request.app[TEAMS].delete(call.principal, call.param("teamId"))
    return ok(None, "Team deleted")


async def set_role(call: Call[MemberUpdate, Any]) -> web.Response:
    member = await call.request.app[TEAMS].set_role(
        call.principal, call.param("teamId"), call.param("userId"), call.body
    )
    return ok(member, "Member's role changed")


async def remove_member(call: Call[Any, Any]) -> web.Response:
    await call.request.app[TEAMS].remove(call.principal, call.param("teamId"), call.param("userId"))
    return ok(None, "Member removed")


async def transfer(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[TEAMS].transfer(
        call.principal, call.param("teamId"), call.param("userId")
    )
    return ok(found, "Ownership transferred")


async def invite(call: Call[InvitationCreate, Any]) -> web.Response:
    made = await call.request.app[TEAMS].invite(call.principal, call.param("teamId"), call.body)
    return ok(made, "Invitation mailed", status=201)


async def invitations(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[TEAMS].invitations(call.principal, call.param("teamId"))
    return ok(InvitationList(invitations=found), "Invitations")


async def revoke(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[TEAMS].revoke(
        call.principal, call.param("teamId"), call.param("invitationId")
    )
    return ok(found, "Invitation revoked")


async def resend(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[TEAMS].resend(
        call.principal, call.param("teamId"), call.param("invitationId")
    )
    return ok(found, "Invitation mailed again; the earlier link no longer works")


async def accept(call: Call[Any, Any]) -> web.Response:
    joined = await call.request.app[TEAMS].accept(call.principal, call.param("token"))
    return ok(joined, "Invitation accepted; you are a member")


async def decline(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[TEAMS].decline(call.principal, call.param("token"))
    return ok(found, "Invitation declined")


def _route(method: str, path: str, handler: Any, summary: str, **kw: Any) -> Route:
    # Managing who belongs is a person's act: keys are not accepted here.
    return Route(method, path, handler, Access.USER, summary, "teams", key_scope=SESSION_ONLY, **kw)


ROUTES: list[Route] = [
    _route("GET", "/teams", list_teams, "Your teams, with your role in each", response=TeamList),
    _route(
        "POST",
        "/teams",
        create,
        "Create a team; you are its owner",
        body=TeamCreate,
        response=TeamOut,
        status=201,
    ),
    _route("GET", "/teams/{teamId}", get_team, "A team and its members", response=TeamDetail),
    _route(
        "PUT",
        "/teams/{teamId}",
        update,
        "Rename a team (owners)",
        body=TeamUpdate,
        response=TeamOut,
    ),
    _route("DELETE", "/teams/{teamId}", delete, "Delete a team (owners; not a personal one)"),
    _route(
        "PUT",
        "/teams/{teamId}/members/{userId}",
        set_role,
        "Change a member's role (owners; the last owner stays one)",
        body=MemberUpdate,
        response=MemberOut,
    ),
    _route(
        "DELETE",
        "/teams/{teamId}/members/{userId}",
        remove_member,
        "Remove a member (owners), or leave (yourself); the last owner cannot",
    ),
    _route(
        "POST",
        "/teams/{teamId}/members/{userId}/transfer",
        transfer,
        "Make a member an owner in your place (owners)",
        response=TeamDetail,
    ),
    _route(
        "POST",
        "/teams/{teamId}/invitations",
        invite,
        "Invite an address by mail, with a role (owners)",
        body=InvitationCreate,
        response=InvitationOut,
        status=201,
    ),
    _route(
        "GET",
        "/teams/{teamId}/invitations",
        invitations,
        "A team's invitations, open and closed (owners)",
        response=InvitationList,
    ),
    _route(
        "DELETE",
        "/teams/{teamId}/invitations/{invitationId}",
        revoke,
        "Revoke an invitation (owners)",
        response=InvitationOut,
    ),
    _route(
        "POST",
        "/teams/{teamId}/invitations/{invitationId}/resend",
        resend,
        "Mail an open invitation again, with a new link (owners)",
        response=InvitationOut,
    ),
    _route(
        "POST",
        "/invitations/{token}/accept",
        accept,
        "Accept an invitation mailed to your address",
        response=TeamOut,
        secret_path=True,
    ),
    _route(
        "POST",
        "/invitations/{token}/decline",
        decline,
        "Decline an invitation mailed to your address",
        response=InvitationOut,
        secret_path=True,
    ),
]
