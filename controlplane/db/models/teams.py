"""Teams: shared ownership. A team has members with a role, and invitations by email."""

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model

from shared.enums import TeamRole


class Team(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100)
    # The team every user gets at sign-up, theirs alone: it cannot be left or deleted.
    personal = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "teams"


class TeamMember(Model):
    id = fields.UUIDField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", on_delete=fields.CASCADE
    )
    team_id: uuid.UUID
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    role = fields.CharEnumField(TeamRole, max_length=16)
    joined_at = fields.DatetimeField()

    class Meta:
        table = "team_members"
        unique_together = (("team", "user"),)


class TeamInvitation(Model):
    """A single-use, expiring invitation mailed to an address; its token stored hashed."""

    id = fields.UUIDField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="invitations", on_delete=fields.CASCADE
    )
    team_id: uuid.UUID
    email = fields.CharField(max_length=254)
    role = fields.CharEnumField(TeamRole, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    invited_by: uuid.UUID | None = fields.UUIDField(null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    declined_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "team_invitations"
        indexes = (("team", "email"),)
