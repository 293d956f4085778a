"""Seed data: the development test accounts and the default catalog; re-running changes nothing."""

from __future__ import annotations

from tortoise.expressions import Q

from controlplane.db.models import Service, User
from controlplane.services.accounts.accounts import Accounts
from controlplane.services.billing.credits import credit
from controlplane.services.billing.ledger import Reference
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.catalog.catalog import create_service
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from shared.enums import Role
from shared.money import MINOR_UNITS
from shared.wire.services import Pricing, ServiceCreate

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


# Whole units of the platform currency each test account starts with, so a fresh
# development run can subscribe at once (README's first calls). Given through the
# ledger like any credit, so the figures add up.
DEVELOPMENT_CREDIT = 1000


async def seed_development_credit(notices: Notices, currency: str) -> list[str]:
    """Credits each test account's wallet once (the key is the email); returns whom it
    credited now."""
    credited = []
    amount = DEVELOPMENT_CREDIT * 10 ** MINOR_UNITS[currency]
    for _, email, _, _ in TEST_ACCOUNTS:
        user = await User.get_or_none(email=email)
        if user is None:
            continue
        _, new = await credit(
            notices,
            WalletOwner.team(user.id),
            amount,
            currency,
            f"seed:development-credit:{email}:{currency}",
            Reference("seed", "development-credit"),
            None,
            "development credit of the seeded test account",
        )
        if new:
            credited.append(email)
    return credited


async def seed_catalog() -> list[str]:
    """Adds the DEFAULT_CATALOG entries missing by slug; returns the slugs it created.

    An entry whose name an administrator already gave to another service is
    skipped too, rather than failing the whole seed.
    """
    created = []
    for entry in DEFAULT_CATALOG:
        if await Service.exists(Q(slug=entry["slug"]) | Q(name__iexact=entry["name"])):
            continue
        # Through the same path as POST /services, so the seed obeys the API's rules.
        await create_service(
            ServiceCreate(
                name=entry["name"],
                slug=entry["slug"],
                description=entry["description"],
                category=entry["category"],
                version=entry["version"],
                pricing=Pricing(monthly=entry["pricing"]["monthly"]),
                template=entry["template"],
            )
        )
        created.append(entry["slug"])
    return created
