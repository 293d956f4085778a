"""Teams on the wire: teams, members, invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from shared.enums import TeamRole
from shared.wire.base import WireModel, WireOut

# The resources a team owns: a request acts on its team's (the X-Team-ID header, or the
# caller's personal team), and the caller's role there decides which scopes it holds.
TEAM_RESOURCES = frozenset({"subscriptions", "instances", "billing", "webhooks"})
_READ = frozenset(f"{r}:read" for r in TEAM_RESOURCES)
# What each role may do with the team's resources, as the scopes an API key names: one
# vocabulary for people and keys (a key holds at most its creator's role's scopes).
ROLE_SCOPES: dict[TeamRole, frozenset[str]] = {
    TeamRole.OWNER: _READ | frozenset(f"{r}:write" for r in TEAM_RESOURCES),
    TeamRole.DEVELOPER: _READ
    | frozenset({"subscriptions:write", "instances:write", "webhooks:write"}),
    TeamRole.BILLING: _READ | frozenset({"billing:write"}),
    TeamRole.VIEWER: _READ,
}


def team_scope(scope: str | None) -> bool:
    """Whether `scope` is about a team's resources (so a team role gates it)."""
    return scope is not None and scope.partition(":")[0] in TEAM_RESOURCES


class TeamCreate(WireModel):
    name: str = Field(min_length=1, max_length=100)


class TeamUpdate(WireModel):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(WireOut):
    id: uuid.UUID
    name: str
    personal: bool = Field(description="the team made with the account, its owner's alone")
    role: TeamRole = Field(description="the caller's role in it")
    created_at: datetime


class MemberOut(WireOut):
    user_id: uuid.UUID
    email: str
    name: str
    role: TeamRole
    joined_at: datetime


class TeamDetail(TeamOut):
    members: list[MemberOut]


class TeamList(WireOut):
    teams: list[TeamOut]


class MemberUpdate(WireModel):
    role: TeamRole


class InvitationCreate(WireModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: TeamRole = TeamRole.DEVELOPER


class InvitationOut(WireOut):
    id: uuid.UUID
    team_id: uuid.UUID
    email: str
    role: TeamRole
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    declined_at: datetime | None
    revoked_at: datetime | None


class InvitationList(WireOut):
    invitations: list[InvitationOut]
