"""Subscriptions of customers to catalog services, and the instances that run them."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from shared.enums import InstanceStatus, SubscriptionStatus


class Subscription(Model):
    id = fields.UUIDField(primary_key=True)
    # The team it belongs to (its wallet pays; its members see it as their role allows),
    # and who subscribed.
    team_id = fields.UUIDField(db_index=True)
    user_id = fields.UUIDField(db_index=True)
    service_id = fields.UUIDField(db_index=True)
    # DNS label, unique platform-wide while the subscription holds it.
    subdomain = fields.CharField(max_length=63, unique=True)
    status = fields.CharEnumField(
        SubscriptionStatus, max_length=16, default=SubscriptionStatus.PENDING, db_index=True
    )
    current_period_start = fields.DatetimeField()
    current_period_end = fields.DatetimeField(db_index=True)
    env: dict[str, str] = fields.JSONField(default=dict)
    cancelled_at = fields.DatetimeField(null=True)
    # The owner asked to cancel when the paid period ends: it runs (ACTIVE) until then,
    # the renewal job cancels instead of charging, and the owner may change their mind.
    cancel_at_period_end = fields.BooleanField(default=False)
    # Who suspended it, "administrator" or "billing": paying resumes only what unpaid
    # renewals suspended, never an administrator's decision.
    suspended_by = fields.CharField(max_length=16, null=True)
    # A usage-priced service's metered hours are charged up to here (the start of the
    # first hour not charged yet; NULL: none charged), and what the charges so far
    # rounded down is carried, as a numerator over metering.COST_DENOMINATOR, into the
    # next: no fraction of a cent is ever lost or charged twice.
    usage_charged_until = fields.DatetimeField(null=True)
    usage_carry = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subscriptions"


class UsageHour(Model):
    """What one subscription's instance held for one hour of wall time: its reservation's
    CPU (millicores), memory and storage (MiB) multiplied by the seconds it held them
    (integers, so sums are exact). Added to, never rewritten, by each metering step."""

    id = fields.BigIntField(primary_key=True)
    subscription_id = fields.UUIDField()
    instance_id = fields.UUIDField()
    # The hour's start, UTC.
    hour = fields.DatetimeField()
    cpu_millicore_seconds = fields.BigIntField(default=0)
    memory_mib_seconds = fields.BigIntField(default=0)
    storage_mib_seconds = fields.BigIntField(default=0)

    class Meta:
        table = "usage_hours"
        # One row per subscription and hour; also the index a range of hours is read by.
        unique_together = (("subscription_id", "hour"),)


class SubscriptionEvent(Model):
    """One change of a subscription's state, with why and who; written in the database
    transaction that makes the change, so the history never disagrees with the row."""

    # A sequence, not a UUID: changes made at the same instant (a top-up resuming what a
    # renewal suspended a moment before, on a test's still clock) keep their order.
    id = fields.BigIntField(primary_key=True)
    subscription_id = fields.UUIDField()
    # NULL for the state a subscription is created in.
    from_status = fields.CharEnumField(SubscriptionStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(SubscriptionStatus, max_length=16)
    reason = fields.CharField(max_length=500)
    # Who caused it; NULL for the platform (the renewal job, billing, reconcile).
    actor_id = fields.UUIDField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "subscription_events"
        # A subscription's history is read newest first.
        indexes = (("subscription_id", "id"),)


class Instance(Model):
    """The running side of a subscription: where it is placed and how it is doing."""

    id = fields.UUIDField(primary_key=True)
    subscription_id = fields.UUIDField(unique=True)
    service_id = fields.UUIDField(db_index=True)
    # Its subscription's team (whose namespace it runs in) and who subscribed.
    team_id = fields.UUIDField(db_index=True)
    user_id = fields.UUIDField(db_index=True)
    node_id = fields.UUIDField(null=True, db_index=True)
    status = fields.CharEnumField(
        InstanceStatus, max_length=16, default=InstanceStatus.PENDING, db_index=True
    )
    # Why it is pending or failed, in our words: customers read it.
    reason = fields.CharField(max_length=1024, null=True)
    # What the cluster said behind `reason` (API errors, pod messages, drift), for
    # administrators only: it names paths, namespaces and nodes.
    detail = fields.CharField(max_length=2048, null=True)
    url = fields.CharField(max_length=300, null=True)
    namespace = fields.CharField(max_length=63)
    # What is reserved on the node while placed (the template's requests).
    cpu = fields.FloatField()
    memory = fields.BigIntField()
    storage = fields.BigIntField()
    # Why the node was chosen: the winner's score per plugin.
    placement: dict[str, Any] = fields.JSONField(default=dict)
    # Per-instance generated credentials (database passwords, encryption keys).
    # Never returned by the API; kept so a re-apply does not lock the app out
    # of its own data.
    secrets: dict[str, str] = fields.JSONField(default=dict)
    placed_at = fields.DatetimeField(null=True)
    # Usage is metered up to here (whole seconds) while the instance holds a reservation;
    # moved forward by compare-and-set, so two meterings never count a second twice.
    metered_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "instances"
