"""API keys: credentials for automation, with scopes, expiry, address limits and usage."""

import uuid
from datetime import date
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    """`mpk_<prefix>_<secret>`: the prefix finds the row (and is shown in lists), the
    SHA-256 of the whole key proves it. A key is random (190 bits), so a fast digest is
    enough: there is no dictionary to try, unlike a password."""

    id = fields.UUIDField(primary_key=True)
    # The team it acts in, and its creator, whose role there bounds it (it goes with
    # either).
    team: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Team", related_name="api_keys", on_delete=fields.CASCADE
    )
    team_id: uuid.UUID
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=64)
    scopes: list[str] = fields.JSONField(default=list)
    # CIDRs the key may be used from; empty: anywhere.
    allowed_ips: list[str] = fields.JSONField(default=list)
    # Requests a minute; null: the configured default.
    rate_limit_per_minute = fields.IntField(null=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # The key this one replaced (rotation), which stays valid until its grace ends.
    rotated_from: uuid.UUID | None = fields.UUIDField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    last_used_ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "api_keys"
        indexes = (("user", "created_at"), ("team", "created_at"))


class ApiKeyUsage(Model):
    """Requests made with a key per day, added up in memory and written in batches."""

    id = fields.BigIntField(primary_key=True)
    key: fields.ForeignKeyRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name="usage", on_delete=fields.CASCADE
    )
    key_id: uuid.UUID
    day: date = fields.DateField()
    requests = fields.BigIntField(default=0)

    class Meta:
        table = "api_key_usage"
        unique_together = (("key", "day"),)
