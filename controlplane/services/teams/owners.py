"""Who is told of a team's matters: its first owner, the member who has owned it longest.

One event carries one recipient (a payment's receipt, a webhook disabled), and an owner is
the one member a team always has (teams.py never lets the last one go). A personal team's
owner is its user.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from controlplane.db.models import TeamMember
from shared.enums import TeamRole


@dataclass(frozen=True)
class Owner:
    email: str
    name: str


async def first_owners(
    team_ids: Iterable[uuid.UUID], db: BaseDBAsyncClient | None = None
) -> dict[uuid.UUID, Owner]:
    """By team id, each team's first owner (a team not found, or gone, is left out), in
    one query; read through `db` where given (the caller's transaction). Owners who
    joined at the same instant are told apart by their user id, so the choice is stable."""
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
