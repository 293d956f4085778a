"""A team's matters are told to its first owner: the member who has owned it longest, the
same one for receipts and for a disabled webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from controlplane.db.models import Team, TeamMember, User
from controlplane.services.billing.payers import payers_of
from controlplane.services.ownership import Owner, first_owners
from shared.enums import TeamRole
from tests.conftest import create_account


async def test_the_first_owner_is_who_has_owned_the_team_longest_and_members_are_not_told(
    platform,
):
    for who in ("founder", "later", "member"):
        await create_account(platform, f"{who}@example.com", "Customer1!x", name=who.title())
    users = {u.name: u for u in await User.all()}
    team_id = uuid.uuid4()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await Team.create(id=team_id, name="Acme", created_at=start, updated_at=start)
    for name, role, joined in (
        ("Member", TeamRole.DEVELOPER, start - timedelta(days=9)),  # longest there, not an owner
        ("Later", TeamRole.OWNER, start + timedelta(days=1)),
        ("Founder", TeamRole.OWNER, start),
    ):
        await TeamMember.create(
            id=uuid.uuid4(), team_id=team_id, user_id=users[name].id, role=role, joined_at=joined
        )
    nobody = uuid.uuid4()

    assert await first_owners([team_id, nobody]) == {
        team_id: Owner("founder@example.com", "Founder")
    }
    assert (await payers_of([team_id]))[team_id].email == "founder@example.com"  # type: ignore[union-attr]

    # The founder steps down: the next owner by the time they joined is told from now on.
    await TeamMember.filter(team_id=team_id, user_id=users["Founder"].id).update(
        role=TeamRole.DEVELOPER
    )
    assert await first_owners([team_id]) == {team_id: Owner("later@example.com", "Later")}

    # Owners who joined at the same instant: the one of the lowest user id, every time
    # (UUIDs sort by their bytes on PostgreSQL, and as lowercase text on SQLite alike).
    await TeamMember.filter(team_id=team_id).update(role=TeamRole.OWNER, joined_at=start)
    lowest = min(users.values(), key=lambda u: u.id.bytes)
    assert await first_owners([team_id]) == {team_id: Owner(lowest.email, lowest.name)}
