"""What a caller may see: customers their own things, administrators everything."""

from __future__ import annotations

import uuid
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from controlplane.db.models import User
from controlplane.services.errors import NotFound
from controlplane.services.ids import parse_id
from shared.enums import Role

M = TypeVar("M", bound=Model)


def visible_to(actor: User, qs: QuerySet[M], owner: uuid.UUID | None = None) -> QuerySet[M]:
    """`owner` narrows an administrator's view to one customer; a customer's own view
    cannot be widened by it."""
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
