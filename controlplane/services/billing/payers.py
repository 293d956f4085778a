"""Who pays from a team's wallet, as its documents and mails name them.

A personal team (of its user's id) is its user: their name and address. A shared team
is billed in its own name, and told at its first owner's address (ownership.first_owners).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from controlplane.db.models import Team, User
from controlplane.services.ownership import first_owners


@dataclass(frozen=True)
class Payer:
    name: str
    email: str | None
    # The account a personal team is; None for a shared team.
    user_id: uuid.UUID | None


async def payers_of(team_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Payer | None]:
    """By team id (None: the team is gone). One query when every team is personal (every
    renewal's case), three at most."""
    ids = set(team_ids)
    if not ids:
        return {}
    found: dict[uuid.UUID, Payer | None] = {
        u.id: Payer(u.name, u.email, u.id)
        for u in await User.filter(id__in=ids).only("id", "name", "email")
    }
    shared = ids - found.keys()
    if shared:
        names = dict(await Team.filter(id__in=shared).values_list("id", "name"))
        owners = await first_owners(names)
        for team_id in shared:
            name = names.get(team_id)
            owner = owners.get(team_id)
            found[team_id] = (
                None if name is None else Payer(name, owner.email if owner else None, None)
            )
    return found


async def payer_of(team_id: uuid.UUID) -> Payer | None:
    return (await payers_of([team_id]))[team_id]
