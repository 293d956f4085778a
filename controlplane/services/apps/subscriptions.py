"""Subscriptions: a customer subscribes to a catalog service, renews, cancels; periods expire."""

from __future__ import annotations

import calendar
import secrets
import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import Instance, Subscription, User
from controlplane.services import tallies
from controlplane.services.apps.instances import (
    TERMINAL_SUBSCRIPTIONS,
    Lifecycle,
    sees_cluster_detail,
)
from controlplane.services.apps.instances import out as instance_out
from controlplane.services.apps.placement import requests_of
from controlplane.services.apps.provisioning import namespace_of
from controlplane.services.billing.charges import charge_period
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.catalog import catalog
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, FieldError, Invalid, NotFound
from controlplane.services.ids import parse_id
from controlplane.services.ownership import find_visible, visible_to
from controlplane.services.paging import page
from shared.enums import InstanceStatus, SubscriptionStatus
from shared.wire.subscriptions import (
    SubscribeRequest,
    SubscriptionDetail,
    SubscriptionList,
    SubscriptionListQuery,
    SubscriptionOut,
)

# Names a customer may not take: they belong to the platform or invite phishing.
RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "api",
        "admin",
        "app",
        "apps",
        "mail",
        "smtp",
        "ftp",
        "ns1",
        "ns2",
        "status",
        "dashboard",
        "console",
        "login",
        "auth",
        "billing",
        "docs",
        "minispod",
        "kubernetes",
    }
)
# Subscriptions that count against the per-user limit.
LIVE = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)


async def any_live(user_ids: list[uuid.UUID]) -> bool:
    """Whether any of these accounts still has a live subscription (accounts asks
    before it deletes one)."""
    return await Subscription.filter(user_id__in=user_ids, status__in=LIVE).exists()


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def detail(subscription: Subscription, viewer: User | None = None) -> SubscriptionDetail:
    """The subscription with its instance; `viewer` None means an administrator's route."""
    instance = await Instance.get_or_none(subscription_id=subscription.id)
    cluster_detail = viewer is None or sees_cluster_detail(viewer)
    return SubscriptionDetail(
        **_out(subscription, instance).model_dump(),
        instance=instance_out(instance, detail=cluster_detail) if instance else None,
    )


def _out(subscription: Subscription, instance: Instance | None) -> SubscriptionOut:
    data = {f: getattr(subscription, f) for f in SubscriptionOut.model_fields if f != "instance_id"}
    return SubscriptionOut(**data, instance_id=instance.id if instance else None)


async def visible(actor: User, raw_id: str) -> Subscription:
    return await find_visible(actor, Subscription.all(), raw_id, "Subscription")


async def list_subscriptions(actor: User, query: SubscriptionListQuery) -> SubscriptionList:
    qs = visible_to(actor, Subscription.all(), query.user_id)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    if query.service_id is not None:
        qs = qs.filter(service_id=query.service_id)
    rows, pagination = await page(qs, query, "created_at")
    instances = {
        i.subscription_id: i
        for i in await Instance.filter(subscription_id__in=[s.id for s in rows])
    }
    return SubscriptionList(
        subscriptions=[_out(s, instances.get(s.id)) for s in rows],
        pagination=pagination,
    )


class Subscriptions:
    def __init__(
        self, lifecycle: Lifecycle, clock: Clock, max_per_user: int, currency: str
    ) -> None:
        self.lifecycle = lifecycle
        self._clock = clock
        self._max_per_user = max_per_user
        self._currency = currency

    async def subscribe(self, actor: User, body: SubscribeRequest) -> SubscriptionDetail:
        service, template = await catalog.active_service(str(body.service_id))
        allowed = template.customer_settable()
        refused = sorted(set(body.env) - allowed)
        if refused:
            raise Invalid(
                "These settings cannot be set on this service",
                [
                    FieldError(f"env.{name}", f"allowed: {sorted(allowed) or 'none'}")
                    for name in refused
                ],
            )
        subdomain = body.subdomain or f"{service.slug}-{secrets.token_hex(3)}"
        if subdomain in RESERVED_SUBDOMAINS:
            raise Invalid.field("subdomain", "This subdomain is reserved")
        need = requests_of(template)
        now = self._clock()
        try:
            async with in_transaction():
                # Counted under the account's row lock: parallel subscribes of one account
                # queue here, so each sees the others' rows and the limit holds. (SQLite
                # runs one write transaction at a time anyway.)
                await User.filter(id=actor.id).select_for_update().only("id")
                live = await Subscription.filter(user_id=actor.id, status__in=LIVE).count()
                if live >= self._max_per_user:
                    raise Conflict(f"Subscription limit reached ({self._max_per_user} per account)")
                # Re-checked under a row lock: an administrator retiring the
                # service meanwhile cannot slip between check and insert.
                # The price is read under that lock too: a change made meanwhile is the
                # price charged, never one read before it.
                locked, _ = await catalog.active_service(str(service.id), lock=True)
                subscription_id = uuid.uuid4()
                # The first period is paid here, in the transaction that makes the
                # subscription: short of money (402) nothing is created, and parallel
                # subscribes queue on the account's lock above, so each sees the balance
                # the previous one left. (The ledger locks the wallet row too.)
                await charge_period(
                    WalletOwner.user(actor.id),
                    locked.monthly_price,
                    self._currency,
                    subscription_id,
                    now,
                    actor.id,
                    f"{service.name}: first period",
                )
                subscription = await Subscription.create(
                    id=subscription_id,
                    user_id=actor.id,
                    service_id=service.id,
                    subdomain=subdomain,
                    status=SubscriptionStatus.PENDING,
                    current_period_start=now,
                    current_period_end=add_months(now, 1),
                    env=dict(body.env),
                )
                instance = await Instance.create(
                    id=uuid.uuid4(),
                    subscription_id=subscription.id,
                    service_id=service.id,
                    user_id=actor.id,
                    status=InstanceStatus.PENDING,
                    reason="waiting for placement",
                    namespace=namespace_of(actor.id),
                    cpu=need.cpu,
                    memory=need.memory,
                    storage=need.storage,
                    secrets=self.lifecycle.provisioner.new_secrets(template),
                )
        except IntegrityError:
            raise Conflict(f"The subdomain {subdomain!r} is taken") from None
        # Placement happens after the subscription is durable: if it cannot
        # happen now, the instance waits PENDING and the reconcile job retries.
        await self.lifecycle.place(instance, subscription, template)
        return await detail(subscription, actor)

    async def cancel(self, actor: User, raw_id: str) -> SubscriptionDetail:
        subscription = await visible(actor, raw_id)
        if subscription.status in TERMINAL_SUBSCRIPTIONS:
            raise Conflict(f"Subscription is already {subscription.status.value}")
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_at = self._clock()
        await subscription.save(update_fields=["status", "cancelled_at", "updated_at"])
        await self.teardown(subscription, "subscription cancelled")
        return await detail(subscription, actor)

    async def renew(self, raw_id: str, months: int) -> SubscriptionDetail:
        """Extends the period (an administrator's act until billing exists)."""
        async with in_transaction():
            subscription = (
                await Subscription.filter(id=parse_id(raw_id, "Subscription"))
                .select_for_update()
                .first()
            )
            if subscription is None:
                raise NotFound("Subscription not found")
            if subscription.status in TERMINAL_SUBSCRIPTIONS:
                raise Conflict(f"A {subscription.status.value} subscription cannot be renewed")
            subscription.current_period_end = add_months(subscription.current_period_end, months)
            await subscription.save(update_fields=["current_period_end", "updated_at"])
        return await detail(subscription)

    async def suspend(self, raw_id: str) -> SubscriptionDetail:
        """An administrator stops the service without destroying it (volumes and room kept)."""
        subscription = await self._get(raw_id)
        if subscription.status not in (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE):
            raise Conflict(f"A {subscription.status.value} subscription cannot be suspended")
        subscription.status = SubscriptionStatus.SUSPENDED
        await subscription.save(update_fields=["status", "updated_at"])
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        if instance is not None:
            await self.lifecycle.suspend(instance, subscription)
        return await detail(subscription)

    async def resume(self, raw_id: str) -> SubscriptionDetail:
        subscription = await self._get(raw_id)
        if subscription.status is not SubscriptionStatus.SUSPENDED:
            raise Conflict("Only a suspended subscription can be resumed")
        # ACTIVE again once its instance runs, as for a new subscription.
        subscription.status = SubscriptionStatus.PENDING
        await subscription.save(update_fields=["status", "updated_at"])
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        if instance is not None:
            await self.lifecycle.resume(instance, subscription)
        return await detail(subscription)

    async def _get(self, raw_id: str) -> Subscription:
        subscription = await Subscription.get_or_none(id=parse_id(raw_id, "Subscription"))
        if subscription is None:
            raise NotFound("Subscription not found")
        return subscription

    async def teardown(self, subscription: Subscription, reason: str) -> None:
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        if instance is not None and instance.status is not InstanceStatus.STOPPED:
            await self.lifecycle.unplace(instance, InstanceStatus.STOPPED, reason)

    async def expire_due(self) -> int:
        """Subscriptions whose period ended without renewal: EXPIRED, and their instance stops."""
        now = self._clock()
        due = await Subscription.filter(
            status__in=LIVE,
            current_period_end__lte=now,
        )
        for subscription in due:
            subscription.status = SubscriptionStatus.EXPIRED
            await subscription.save(update_fields=["status", "updated_at"])
            await self.teardown(subscription, "subscription period ended")
        return len(due)


async def counts_by_status() -> dict[str, int]:
    """Subscriptions in each state."""
    return await tallies.by_status(Subscription, SubscriptionStatus)
