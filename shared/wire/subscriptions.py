"""Wire types of subscriptions and the instances that run them."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from shared.enums import InstanceStatus, SubscriptionStatus
from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

SUBDOMAIN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"


class SubscribeRequest(WireModel):
    service_id: UUID
    subdomain: str | None = Field(default=None, min_length=3, max_length=40, pattern=SUBDOMAIN)
    env: dict[str, str] = Field(default_factory=dict, max_length=32)


class InstanceOut(WireOut):
    id: UUID
    subscription_id: UUID
    service_id: UUID
    team_id: UUID = Field(description="the team it belongs to")
    user_id: UUID = Field(description="who subscribed")
    node_id: UUID | None
    status: InstanceStatus
    reason: str | None = Field(description="Why it is pending or failed, in our words")
    detail: str | None = Field(
        default=None,
        description="What the cluster said behind the reason (administrators only; "
        "null for customers)",
    )
    url: str | None
    placement: dict[str, Any]
    placed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SubscriberOut(WireOut):
    """Who subscribed, as administrators' lists name them."""

    id: UUID
    name: str
    email: str


class SubscriptionOut(WireOut):
    id: UUID
    team_id: UUID = Field(description="the team it belongs to: its wallet pays")
    user_id: UUID = Field(description="who subscribed")
    service_id: UUID
    subdomain: str
    status: SubscriptionStatus
    current_period_start: datetime
    current_period_end: datetime
    instance_id: UUID | None
    env: dict[str, str]
    cancelled_at: datetime | None
    cancel_at_period_end: bool = Field(
        description="cancels when the paid period ends (until then it runs, and the owner "
        "may reactivate it)"
    )
    cancels_at: datetime | None = Field(
        description="when it will be cancelled: the period's end, while cancelAtPeriodEnd"
    )
    created_at: datetime
    updated_at: datetime
    subscriber: SubscriberOut | None = Field(
        default=None,
        description="who subscribed, by name and email: in administrators' lists only "
        "(null elsewhere, and once the account is gone)",
    )


class SubscriptionDetail(SubscriptionOut):
    instance: InstanceOut | None


class SubscriptionListQuery(PageQuery):
    status: SubscriptionStatus | None = None
    service_id: UUID | None = None
    user_id: UUID | None = Field(default=None, description="administrators only")


class SubscriptionList(WireOut):
    subscriptions: list[SubscriptionOut]
    pagination: Pagination


class InstanceListQuery(PageQuery):
    status: InstanceStatus | None = None
    node_id: UUID | None = Field(default=None, description="administrators only")
    user_id: UUID | None = Field(default=None, description="administrators only")


class InstanceList(WireOut):
    instances: list[InstanceOut]
    pagination: Pagination


class LogsQuery(WireModel):
    tail: int = Field(default=100, ge=1, le=5000)


class InstanceLogs(WireOut):
    instance_id: UUID
    lines: list[str]


class SubscriptionEventOut(WireOut):
    id: int = Field(description="grows with every change: the history's order")
    subscription_id: UUID
    from_status: SubscriptionStatus | None = Field(description="null: the state it was made in")
    to_status: SubscriptionStatus
    reason: str
    actor_id: UUID | None = Field(description="who caused it; null for the platform")
    at: datetime


class SubscriptionHistory(WireOut):
    events: list[SubscriptionEventOut]
    pagination: Pagination


class CancelRequest(WireModel):
    immediately: bool = Field(
        default=False,
        description="cancel now (the instance is removed; the unused part of the paid "
        "period is refunded when the platform's policy allows) instead of at the period's end",
    )


class RenewRequest(WireModel):
    months: int = Field(default=1, ge=1, le=36)


class NamespaceQuery(WireModel):
    namespace: str | None = Field(default=None, max_length=63, pattern=r"^[a-z0-9-]+$")


class UsageQuery(WireModel):
    from_: datetime | None = Field(
        default=None, alias="from", description="start (ISO 8601); default: 24 hours before `to`"
    )
    to: datetime | None = Field(default=None, description="end, exclusive; default: now")
    step: Literal["PT1H", "P1D"] = Field(default="PT1H", description="bucket width")


class UsageBucket(WireOut):
    start: datetime
    cpu_core_hours: float = Field(description="CPU cores reserved, times the hours held")
    memory_gb_hours: float = Field(description="GiB of memory reserved, times the hours held")
    storage_gb_hours: float = Field(description="GiB of storage reserved, times the hours held")


class UsageReport(WireOut):
    """The resource-hours the subscription's instance held: what usage pricing charges."""

    subscription_id: UUID
    start: datetime
    end: datetime
    step: str
    buckets: list[UsageBucket] = Field(description="only the buckets with usage, oldest first")
    total: UsageBucket
