"""Events: the outbox of domain events, each channel's delivery of them, every attempt at a
delivery, and the webhook endpoints users point events at."""

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


class Webhook(Model):
    """A team's endpoint: the events it wants, posted to its URL signed with its secret.

    The secret is kept sealed (`sealing.SecretBox`), not hashed: every delivery is signed
    with it. It is shown once, when the endpoint is made."""

    id = fields.UUIDField(primary_key=True)
    team: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Team", related_name="webhooks", on_delete=fields.CASCADE
    )
    team_id: uuid.UUID
    url = fields.CharField(max_length=2048)
    description = fields.CharField(max_length=200, default="")
    event_types: list[str] = fields.JSONField(default=list)
    secret_sealed: dict[str, str] = fields.JSONField()
    enabled = fields.BooleanField(default=True)
    # Since when every attempt failed (null while the last one got through): an endpoint
    # failing longer than the configured limit is disabled, and its owner told.
    failing_since = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=300, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "webhooks"
        indexes = (("team", "enabled"),)


class WebhookDelivery(Model):
    """One event's delivery to one endpoint: the outbox delivery of the webhook channel,
    with the same columns and claims (`delivery.Deliverer` serves both), once per
    endpoint that wants the event."""

    id = fields.UUIDField(primary_key=True)
    event: fields.ForeignKeyRelation[OutboxEvent] = fields.ForeignKeyField(
        "models.OutboxEvent", related_name="webhook_deliveries", on_delete=fields.CASCADE
    )
    event_id: uuid.UUID
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    webhook_id: uuid.UUID
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    delivered_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_deliveries"
        unique_together = (("event", "webhook"),)
        # The claims' question, and the delivery log's (an endpoint's, newest first).
        indexes = (("next_attempt_at",), ("webhook", "created_at"))


class WebhookAttempt(Model):
    """One try at a webhook delivery, as its log shows it: when, how long, what came back.

    Written by the sender after each try; never edited."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    delivery_id: uuid.UUID
    attempt = fields.IntField()
    at = fields.DatetimeField()
    # The endpoint's HTTP status; none when no answer came (refused, timed out).
    status_code = fields.IntField(null=True)
    latency_ms = fields.IntField()
    # The start of the endpoint's answer, for the log.
    response = fields.CharField(max_length=1024, null=True)
    error = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "webhook_attempts"
        indexes = (("delivery", "attempt"),)
