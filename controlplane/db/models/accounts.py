"""Accounts: users, their refresh-token families and login throttling counters."""

import uuid

from tortoise import fields
from tortoise.models import Model

from shared.enums import Role, TokenPurpose


class User(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100)
    # Stored normalised (lower-cased, trimmed) so uniqueness is case-insensitive.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.USER, db_index=True)
    is_active = fields.BooleanField(default=True, db_index=True)
    # True by default: accounts older than verification, and those administrators, seed
    # and create-admin make, count as verified; only self-registration starts unverified.
    email_verified = fields.BooleanField(default=True)
    # Bumped when every session must end (password change, deactivation):
    # access tokens carry it and stop working at once.
    session_version = fields.IntField(default=1)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "users"


class RefreshToken(Model):
    """One opaque refresh token; only its SHA-256 is kept. Rotation chains form a family."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    family_id = fields.UUIDField(db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    user_agent = fields.CharField(max_length=256, null=True)
    ip_address = fields.CharField(max_length=45, null=True)

    class Meta:
        table = "refresh_tokens"


class UserToken(Model):
    """A single-use secret mailed to a user (verify the email, reset the password).

    Only its SHA-256 is kept. Spent by setting `used_at`; issuing a newer one of the
    same purpose spends the older."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="mailed_tokens", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    purpose = fields.CharEnumField(TokenPurpose, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "user_tokens"
        indexes = (("user_id", "purpose", "created_at"),)


class AuthThrottle(Model):
    """Failed-login counter for one key (an account's email or a client address)."""

    key = fields.CharField(max_length=300, primary_key=True)
    failures = fields.IntField(default=0)
    window_start = fields.DatetimeField()

    class Meta:
        table = "auth_throttle"
