"""What a caller may see and in which team they act.

A user's own things (snapshots, their account) are theirs; a team's things
(subscriptions, instances, the wallet, invoices, webhooks, API keys) are its members',
as far as their role lets them. A request acts in one team: the one its `X-Team-ID`
names, a key's own team, or else the caller's personal team, whose id is the user's
own (so a user alone never names one). Administrators see everything.

A team's matters (a receipt, a webhook disabled) are told to its first owner
(`first_owners`): one event carries one recipient, and an owner is the one member a team
always has (teams never lets the last one go). A personal team's owner is its user.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

from controlplane.db.models import ApiKey, Team, TeamMember, User
from controlplane.services.errors import Forbidden, NotFound, RoleForbids
from controlplane.services.ids import parse_id
from shared.enums import Role, TeamRole
from shared.wire.teams import ROLE_SCOPES, team_scope

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Acting:
    """A caller acting in a team: who, which team, and their role in it (an administrator
    who is not a member acts as its OWNER). `named`: the team was asked for (a header or
    a key), not taken by default; an administrator's lists narrow to it only then."""

    user: User
    team_id: uuid.UUID
    role: TeamRole
    named: bool = False

    @property
    def administrator(self) -> bool:
        return self.user.role is Role.ADMINISTRATOR

    @property
    def id(self) -> uuid.UUID:
        return self.user.id

    def allows(self, scope: str) -> bool:
        return self.administrator or scope in ROLE_SCOPES[self.role]

    def require(self, scope: str) -> None:
        if not self.allows(scope):
            raise RoleForbids(scope, self.role)


def personal(user: User, named: bool = False) -> Acting:
    """The user in their own team, where they are the owner."""
    return Acting(user, user.id, TeamRole.OWNER, named)


async def acting(
    user: User,
    named: str | None,
    key: ApiKey | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> Acting:
    """The team a request acts in, and the caller's role there. A team the caller is not
    in reads as missing (404), not forbidden: nothing is learned of other teams. A key acts
    in its own team only, with at most its creator's role there now (a creator who left
    or was demoted takes the key's reach with them)."""
    team_id = parse_id(named, "Team") if named else None
    if key is not None:
        if team_id is not None and team_id != key.team_id:
            raise Forbidden("This API key acts in its own team only")
        team_id = key.team_id
    if team_id is None or team_id == user.id:
        return personal(user, named=team_id is not None)
    role = await role_in(team_id, user.id, conn)
    admin = user.role is Role.ADMINISTRATOR and key is None
    if role is None and admin and await Team.filter(id=team_id).using_db(conn).exists():
        role = TeamRole.OWNER  # administrators act in every team
    if role is None:
        if key is not None:
            raise Forbidden("This API key's creator is no longer a member of its team")
        raise NotFound("Team not found")
    return Acting(user, team_id, role, named=True)


async def role_in(
    team_id: uuid.UUID, user_id: uuid.UUID, conn: BaseDBAsyncClient | None = None
) -> TeamRole | None:
    member = (
        await TeamMember.filter(team_id=team_id, user_id=user_id)
        .using_db(conn)
        .only("role")
        .first()
    )
    return None if member is None else member.role


def gate(who: Acting, scope: str | None) -> None:
    """A route about a team's resources needs the caller's role there to hold its scope."""
    if team_scope(scope):
        assert scope is not None
        who.require(scope)


def in_team(
    who: Acting, qs: QuerySet[M], user: uuid.UUID | None = None, by: str = "team_id"
) -> QuerySet[M]:
    """The acting team's things (`by`: the column naming their team). An administrator
    sees every team's unless a team was named; `user` narrows an administrator's view to
    what one user made or asked for."""
    if not who.administrator or who.named:
        return qs.filter(**{by: who.team_id})
    return qs if user is None else qs.filter(user_id=user)


async def find_in_team(
    who: Acting, qs: QuerySet[M], raw_id: str, what: str, by: str = "team_id"
) -> M:
    """Another team's thing is reported missing, not forbidden: no leak of existence."""
    found = await in_team(who, qs.filter(id=parse_id(raw_id, what)), by=by).first()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


def visible_to(actor: User, qs: QuerySet[M], owner: uuid.UUID | None = None) -> QuerySet[M]:
    """A user's own things. `owner` narrows an administrator's view to one customer; a
    customer's own view cannot be widened by it."""
    if actor.role is not Role.ADMINISTRATOR:
        return qs.filter(user_id=actor.id)
    return qs if owner is None else qs.filter(user_id=owner)


def owns(actor: User, owner: uuid.UUID | None) -> bool:
    """Whether `actor` may see a thing of `owner`'s: theirs, or an administrator."""
    return actor.role is Role.ADMINISTRATOR or owner == actor.id


async def find_visible(actor: User, qs: QuerySet[M], raw_id: str, what: str) -> M:
    """Another customer's thing is reported missing, not forbidden: no leak of existence."""
    found = await visible_to(actor, qs.filter(id=parse_id(raw_id, what))).first()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


@dataclass(frozen=True)
class Owner:
    email: str
    name: str


async def first_owners(
    team_ids: Iterable[uuid.UUID], db: BaseDBAsyncClient | None = None
) -> dict[uuid.UUID, Owner]:
    """By team id, each team's first owner, who has owned it longest (a team not found,
    or gone, is left out), in one query; read through `db` where given (the caller's
    transaction). Owners who joined at the same instant are told apart by their user
    id, so the choice is stable."""
    ids = list(set(team_ids))
    if not ids:
        return {}
    qs = TeamMember.filter(team_id__in=ids, role=TeamRole.OWNER)
    if db is not None:
        qs = qs.using_db(db)
    owners: dict[uuid.UUID, Owner] = {}
    for team_id, email, name in await qs.order_by("joined_at", "user_id").values_list(
        "team_id", "user__email", "user__name"
    ):
        owners.setdefault(team_id, Owner(email, name))
    return owners
