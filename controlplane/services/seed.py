"""Seed data: the development test accounts and the default catalog; re-running changes nothing."""

from __future__ import annotations

from tortoise.expressions import Q

from controlplane.db.models import Service, User
from controlplane.services.accounts.accounts import Accounts
from controlplane.services.catalog.catalog import create_service
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from shared.enums import Role
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
