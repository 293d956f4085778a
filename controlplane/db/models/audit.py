"""The audit log: who did what to which thing, from where, and how it ended."""

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """One audited request. Written before its handler runs (so no change can commit
    unrecorded) and closed with its status after; a null status is an outcome unknown
    (the process died in between). Append-only: no route edits or deletes an entry;
    only the retention job removes old ones."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor_id: uuid.UUID | None = fields.UUIDField(null=True, db_index=True)
    # As the actor was then (an account renamed or deleted later keeps its history), or
    # the address a sign-in claimed.
    actor_email = fields.CharField(max_length=254, null=True)
    actor_role = fields.CharField(max_length=16, null=True)
    action = fields.CharField(max_length=64, db_index=True)
    method = fields.CharField(max_length=8)
    path = fields.CharField(max_length=512)
    target_type = fields.CharField(max_length=32, null=True)
    target_id = fields.CharField(max_length=64, null=True, db_index=True)
    client_address = fields.CharField(max_length=64)
    request_id = fields.CharField(max_length=128, null=True)
    # The request's fields, secrets replaced by "[redacted]".
    changes: Any = fields.JSONField(null=True)
    status_code = fields.IntField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "audit_log"
