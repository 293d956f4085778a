"""Development seed data: the two test accounts of API.md. Re-running changes nothing."""

from __future__ import annotations

from controlplane.db.models import User
from controlplane.services.accounts import Accounts
from shared.enums import Role

TEST_ACCOUNTS = (
    ("Administrator", "admin@paas.com", "Admin123!@#", Role.ADMINISTRATOR),
    ("Test User", "user@paas.com", "User123!@#", Role.USER),
)


async def seed_accounts(accounts: Accounts) -> list[str]:
    """Creates the missing test accounts; returns the emails it created."""
    created = []
    for name, email, password, role in TEST_ACCOUNTS:
        if await User.exists(email=email):
            continue
        await accounts.create_user(name, email, password, role)
        created.append(email)
    return created
