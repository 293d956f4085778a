"""Events: the outbox of domain events and each channel's delivery of them."""

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """Something that happened, written in the same transaction as the change itself.

    The id is the event's idempotency id: a receiver that sees it twice (delivery is
    at least once) knows it is the same event."""

    id = fields.UUIDField(primary_key=True)
    type = fields.CharField(max_length=64, db_index=True)
    # Whom or what it is about (a user's id, say), for filtering and for webhooks later.
    subject = fields.CharField(max_length=64, null=True, db_index=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "outbox_events"


class OutboxDelivery(Model):
    """One channel's (email, later webhooks) delivery of one event, with its retries.

    `next_attempt_at` is both the retry time and the claim: a deliverer that takes a
    row moves it a lease ahead, so a deliverer that dies mid-send leaves it due again
    once the lease ends. It is null once the delivery is finished (delivered or failed)."""

    id = fields.UUIDField(primary_key=True)
    event: fields.ForeignKeyRelation[OutboxEvent] = fields.ForeignKeyField(
        "models.OutboxEvent", related_name="deliveries", on_delete=fields.CASCADE
    )
    # The foreign key's column, as tortoise sets it (declared for the type checker).
    event_id: uuid.UUID
    channel = fields.CharField(max_length=32)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    delivered_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_deliveries"
        unique_together = (("event", "channel"),)
        # What every claim asks: this channel's deliveries due by now, oldest first.
        indexes = (("channel", "next_attempt_at"),)
