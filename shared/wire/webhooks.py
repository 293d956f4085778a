"""Webhook endpoints and their delivery log, on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, get_args
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

# What an endpoint may ask for: a customer's own subscriptions, wallet and account. Mails
# that carry a secret (a verification or reset link) are never webhook events.
WebhookEventType = Literal[
    "subscription.created",
    "subscription.pending",
    "subscription.active",
    "subscription.past_due",
    "subscription.suspended",
    "subscription.cancelled",
    "subscription.expired",
    "billing.topped_up",
    "billing.charged",
    "billing.refunded",
    "billing.adjusted",
    "billing.payment_failed",
    "wallet.low_balance",
    "user.password_changed",
    "instance.running",
    "instance.failed",
    # Operator alerts: administrators' endpoints only.
    "alert.firing",
    "alert.resolved",
    "alert.flapping",
]
WEBHOOK_EVENT_TYPES: tuple[str, ...] = get_args(WebhookEventType)
OPERATOR_EVENT_TYPES = frozenset({"alert.firing", "alert.resolved", "alert.flapping"})
# Sent to one endpoint on request (`POST /webhooks/:id/ping`), never subscribed to.
PING = "webhook.ping"

DeliveryStatus = Literal["PENDING", "DELIVERED", "FAILED"]


def _target(url: str) -> str:
    """The shape of a target; where it may point (no private addresses) is the
    server's egress policy, checked when the endpoint is saved and at every connect."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials: verify the signature instead")
    if parts.fragment:
        raise ValueError("must not have a fragment")
    return url


class WebhookCreate(WireModel):
    url: str = Field(min_length=8, max_length=2048, description="where events are POSTed")
    events: list[WebhookEventType] = Field(
        min_length=1, max_length=len(WEBHOOK_EVENT_TYPES), description="the event types wanted"
    )
    description: str = Field(default="", max_length=200)

    _url = field_validator("url")(_target)

    @field_validator("events")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class WebhookUpdate(WireModel):
    """Fields left out are left alone. Enabling a disabled endpoint clears its failures."""

    url: str | None = Field(default=None, min_length=8, max_length=2048)
    events: list[WebhookEventType] | None = Field(
        default=None, min_length=1, max_length=len(WEBHOOK_EVENT_TYPES)
    )
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _target(value)

    @field_validator("events")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted(set(value))


class WebhookOut(WireOut):
    id: uuid.UUID
    team_id: uuid.UUID = Field(description="the team whose events it hears")
    url: str
    description: str
    events: list[str]
    enabled: bool
    failing_since: datetime | None = Field(
        description="since when every attempt failed; null while deliveries get through"
    )
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="the signing secret (Standard Webhooks, whsec_…): shown this once only"
    )


class WebhookList(WireOut):
    webhooks: list[WebhookOut]
    pagination: Pagination


class WebhookEventTypes(WireOut):
    events: list[str]


class AttemptOut(WireOut):
    attempt: int
    at: datetime
    status_code: int | None = Field(description="the endpoint's HTTP status; null: no answer")
    latency_ms: int
    response: str | None = Field(description="the start of the endpoint's answer")
    error: str | None


class DeliveryOut(WireOut):
    id: uuid.UUID
    event_id: uuid.UUID = Field(description="sent as webhook-id: the same on every retry")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    last_error: str | None
    created_at: datetime
    log: list[AttemptOut] = Field(description="every attempt, oldest first")


class DeliveryList(WireOut):
    deliveries: list[DeliveryOut]
    pagination: Pagination


class DeliveryListQuery(PageQuery):
    status: DeliveryStatus | None = None
