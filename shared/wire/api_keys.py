"""API keys on the wire: scopes, creation (the key shown once), rotation and usage."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import date, datetime
from typing import Literal, get_args

from pydantic import Field, field_validator

from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

# resource:verb. Each route of the API names the one it needs (docs/api.md, and each
# operation's security requirement in the OpenAPI document). admin:* only for
# administrators' keys.
Scope = Literal[
    "account:read",
    "subscriptions:read",
    "subscriptions:write",
    "instances:read",
    "instances:write",
    "billing:read",
    "billing:write",
    "snapshots:read",
    "snapshots:write",
    "webhooks:read",
    "webhooks:write",
    "admin:read",
    "admin:write",
]
SCOPES: tuple[str, ...] = get_args(Scope)
ADMIN_SCOPES = frozenset({"admin:read", "admin:write"})
KEY_PREFIX = "mpk_"


def _networks(value: list[str]) -> list[str]:
    out = []
    for item in value:
        try:
            out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ValueError(f"{item!r} is not an address or a CIDR network") from None
    return out


class ApiKeyCreate(WireModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))
    expires_at: datetime | None = Field(default=None, description="never, when left out")
    allowed_ips: list[str] = Field(
        default_factory=list, max_length=50, description="CIDRs it may be used from; empty: any"
    )
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=100_000, description="requests a minute; default: the server's"
    )

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    _ips = field_validator("allowed_ips")(_networks)


class RotateRequest(WireModel):
    grace_hours: int = Field(
        default=24, ge=0, le=720, description="how long the old key keeps working"
    )


class ApiKeyOut(WireOut):
    id: uuid.UUID
    team_id: uuid.UUID = Field(description="the team it acts in")
    user_id: uuid.UUID = Field(description="who made it: their role there bounds it")
    name: str
    prefix: str = Field(description="the start of the key (mpk_<prefix>_…), to recognise it")
    scopes: list[str]
    allowed_ips: list[str]
    rate_limit_per_minute: int | None
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_from: uuid.UUID | None
    last_used_at: datetime | None
    last_used_ip: str | None
    created_at: datetime


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key itself (mpk_…): shown this once only")


class ApiKeyList(WireOut):
    api_keys: list[ApiKeyOut]
    pagination: Pagination


class ApiKeyListQuery(PageQuery):
    include_revoked: bool = False


class UsageQuery(WireModel):
    since: date | None = Field(default=None, alias="from", description="first day (UTC)")
    until: date | None = Field(default=None, alias="to", description="last day (UTC)")


class UsageDay(WireOut):
    day: date
    requests: int


class ApiKeyUsageOut(WireOut):
    key_id: uuid.UUID
    days: list[UsageDay]
    total: int
    last_used_at: datetime | None
    last_used_ip: str | None
