"""Subscriptions: a customer subscribes to a catalog service, renews, cancels; periods expire."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import Instance, Service, Subscription, Team, User
from controlplane.db.sql import is_postgres, marks
from controlplane.services import tallies
from controlplane.services.apps import metering
from controlplane.services.apps.instances import (
    TERMINAL_SUBSCRIPTIONS,
    Lifecycle,
    sees_cluster_detail,
)
from controlplane.services.apps.instances import out as instance_out
from controlplane.services.apps.placement import requests_of
from controlplane.services.apps.provisioning import namespace_of
from controlplane.services.billing.charges import (
    charge_period,
    charge_usage,
    gift_periods,
    refund_unused,
)
from controlplane.services.billing.invoices import Billed, Invoicing
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.wallets import PlatformAccounts, WalletOwner
from controlplane.services.catalog import catalog
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, FieldError, Invalid, NotFound, PaymentRequired
from controlplane.services.ids import parse_id
from controlplane.services.ownership import Acting, find_in_team, in_team
from controlplane.services.paging import page
from shared.durations import CalendarDuration, add_months
from shared.enums import InstanceStatus, SubscriptionStatus
from shared.wire.services import UsagePrices
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
LIVE = (
    SubscriptionStatus.PENDING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.SUSPENDED,
)
# Who suspended a subscription: paying resumes only what billing suspended.
BY_ADMINISTRATOR = "administrator"
BY_BILLING = "billing"


@dataclass(frozen=True)
class BillingTerms:
    """How subscriptions are paid: the platform currency, the period a charge buys, how
    long an unpaid renewal keeps running (PAST_DUE), and how long after its period's end
    an unpaid subscription is kept (SUSPENDED) before it expires; and who invoices it, at
    what tax."""

    currency: str
    period: CalendarDuration
    grace: CalendarDuration
    retention: CalendarDuration
    invoicing: Invoicing
    # Whether cancelling before the paid period's end refunds the unused part.
    prorated_refunds: bool = False


class _Pass:
    """What one pass of renewals (the job's, or one owner's settling) reads once and keeps
    to its end: the catalog services its subscriptions are of, and the platform's ledger
    accounts. A service changed during a pass (its price) is charged as changed from the
    next pass on, as it would be had the pass run a moment earlier. Made per pass, never
    module-wide."""

    def __init__(self) -> None:
        self.accounts = PlatformAccounts()
        self._services: dict[uuid.UUID, Service] = {}

    async def service(self, service_id: uuid.UUID) -> Service:
        found = self._services.get(service_id)
        if found is None:
            found = self._services[service_id] = await Service.get(id=service_id)
        return found


# How many of its next due subscriptions a pass asks for at once: the first of them no
# other transaction holds is taken (one held by each other replica's pass is passed over).
_WINDOW = 16
# How many passed-over subscriptions one query reads back at the end of a pass.
_RECHECK = 500


@dataclass
class Renewals:
    renewed: int = 0
    past_due: int = 0
    suspended: int = 0
    expired: int = 0
    resumed: int = 0
    cancelled: int = 0
    usage_charged: int = 0


async def any_live(user_ids: list[uuid.UUID]) -> bool:
    """Whether any of these accounts' own teams still has a live subscription (accounts
    asks before it deletes one; a personal team has its user's id)."""
    return await Subscription.filter(team_id__in=user_ids, status__in=LIVE).exists()


async def detail(subscription: Subscription, viewer: User | None = None) -> SubscriptionDetail:
    """The subscription with its instance; `viewer` None means an administrator's route."""
    instance = await Instance.get_or_none(subscription_id=subscription.id)
    cluster_detail = viewer is None or sees_cluster_detail(viewer)
    return SubscriptionDetail(
        **_out(subscription, instance).model_dump(),
        instance=instance_out(instance, detail=cluster_detail) if instance else None,
    )


def _out(subscription: Subscription, instance: Instance | None) -> SubscriptionOut:
    computed = ("instance_id", "cancels_at", "subscriber")
    data = {f: getattr(subscription, f) for f in SubscriptionOut.model_fields if f not in computed}
    return SubscriptionOut(
        **data,
        instance_id=instance.id if instance else None,
        cancels_at=subscription.current_period_end if subscription.cancel_at_period_end else None,
    )


async def visible(who: Acting, raw_id: str) -> Subscription:
    return await find_in_team(who, Subscription.all(), raw_id, "Subscription")


async def list_subscriptions(who: Acting, query: SubscriptionListQuery) -> SubscriptionList:
    qs = in_team(who, Subscription.all(), query.user_id)
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
        self,
        lifecycle: Lifecycle,
        clock: Clock,
        max_per_team: int,
        terms: BillingTerms,
        notices: Notices,
    ) -> None:
        self.lifecycle = lifecycle
        self._notices = notices
        self._clock = clock
        self._max_per_team = max_per_team
        self._terms = terms
        self._currency = terms.currency

    @property
    def terms(self) -> BillingTerms:
        return self._terms

    async def subscribe(self, who: Acting, body: SubscribeRequest) -> SubscriptionDetail:
        actor, team_id = who.user, who.team_id
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
                # Counted under the team's row lock: parallel subscribes of one team queue
                # here, so each sees the others' rows and the limit holds, and the team
                # cannot be deleted meanwhile. (SQLite runs one write transaction at a
                # time anyway.)
                team = await Team.filter(id=team_id).select_for_update().only("id").first()
                if team is None:
                    raise NotFound("Team not found")
                live = await Subscription.filter(team_id=team_id, status__in=LIVE).count()
                if live >= self._max_per_team:
                    raise Conflict(f"Subscription limit reached ({self._max_per_team} per team)")
                # Re-checked under a row lock: an administrator retiring the
                # service meanwhile cannot slip between check and insert.
                # The price is read under that lock too: a change made meanwhile is the
                # price charged, never one read before it.
                locked, _ = await catalog.active_service(str(service.id), lock=True)
                subscription = await Subscription.create(
                    id=uuid.uuid4(),
                    team_id=team_id,
                    user_id=actor.id,
                    service_id=service.id,
                    subdomain=subdomain,
                    current_period_start=now,
                    current_period_end=self._terms.period.after(now),
                    env=dict(body.env),
                )
                await self.lifecycle.history.transition(
                    subscription,
                    SubscriptionStatus.PENDING,
                    "subscribed; the first period is paid",
                    now,
                    actor.id,
                    created=True,
                )
                # The first period is paid here, in the transaction that makes the
                # subscription (made first, so the wallet's runway counts it): short of
                # money (402) the transaction rolls back and nothing is created; parallel
                # subscribes queue on the team's lock above, so each sees the balance the
                # previous one left. (The ledger locks the wallet row too.)
                await charge_period(
                    self._notices,
                    WalletOwner.team(team_id),
                    locked.monthly_price,
                    self._currency,
                    subscription.id,
                    now,
                    actor.id,
                    f"{service.name}: first period",
                    Billed(self._terms.invoicing, now, now, self._terms.period.after(now)),
                )
                instance = await Instance.create(
                    id=uuid.uuid4(),
                    subscription_id=subscription.id,
                    service_id=service.id,
                    team_id=team_id,
                    user_id=actor.id,
                    status=InstanceStatus.PENDING,
                    reason="waiting for placement",
                    namespace=namespace_of(team_id),
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

    async def cancel(self, who: Acting, raw_id: str, immediately: bool) -> SubscriptionDetail:
        """At the paid period's end by default: it stays ACTIVE until then and the renewal
        job cancels it instead of charging. Immediately when asked (and always once the
        period is over, PAST_DUE or suspended unpaid: nothing paid is left to run), with
        the unused part refunded to the wallet when the platform's policy says so."""
        found = await visible(who, raw_id)
        actor = who.user
        now = self._clock()
        async with in_transaction():
            subscription = await Subscription.filter(id=found.id).select_for_update().first()
            if subscription is None:
                raise NotFound("Subscription not found")
            if subscription.status in TERMINAL_SUBSCRIPTIONS:
                raise Conflict(f"Subscription is already {subscription.status.value}")
            paid_ahead = subscription.current_period_end > now and subscription.status in (
                SubscriptionStatus.PENDING,
                SubscriptionStatus.ACTIVE,
                SubscriptionStatus.SUSPENDED,
            )
            if paid_ahead and not immediately:
                # Asking twice changes nothing: it is already set to end then.
                if not subscription.cancel_at_period_end:
                    subscription.cancel_at_period_end = True
                    # Its status stays, but when the customer asked belongs in its history.
                    await self.lifecycle.history.transition(
                        subscription,
                        subscription.status,
                        "set to cancel at the end of its period",
                        now,
                        actor.id,
                    )
                    await subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
                return await detail(subscription, actor)
            if paid_ahead and self._terms.prorated_refunds:
                await refund_unused(
                    self._notices,
                    WalletOwner.team(subscription.team_id),
                    self._currency,
                    subscription.id,
                    (subscription.current_period_start, subscription.current_period_end),
                    now,
                    actor.id,
                    "cancelled early: the unused part of the period",
                    Billed(
                        self._terms.invoicing,
                        now,
                        now,
                        subscription.current_period_end,
                    ),
                )
            await self.lifecycle.history.transition(
                subscription,
                SubscriptionStatus.CANCELLED,
                "cancelled at once" if paid_ahead else "cancelled; its period was unpaid",
                now,
                actor.id,
            )
            subscription.cancelled_at = now
            subscription.cancel_at_period_end = False
            await subscription.save(
                update_fields=["status", "cancelled_at", "cancel_at_period_end", "updated_at"]
            )
        await self.teardown(subscription, "subscription cancelled")
        return await detail(subscription, actor)

    async def reactivate(self, who: Acting, raw_id: str) -> SubscriptionDetail:
        """The owner changed their mind before the period's end: it renews as before."""
        found = await visible(who, raw_id)
        actor = who.user
        async with in_transaction():
            subscription = await Subscription.filter(id=found.id).select_for_update().first()
            if subscription is None or not subscription.cancel_at_period_end:
                raise Conflict("This subscription is not set to cancel")
            if subscription.status in TERMINAL_SUBSCRIPTIONS:
                raise Conflict(f"Subscription is already {subscription.status.value}")
            if subscription.current_period_end <= self._clock():
                # The renewal job is cancelling it right now, or is about to.
                raise Conflict("Its period is over: it is cancelled; subscribe again")
            subscription.cancel_at_period_end = False
            await self.lifecycle.history.transition(
                subscription,
                subscription.status,
                "reactivated: no longer cancels at the end of its period",
                self._clock(),
                actor.id,
            )
            await subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
        return await detail(subscription, actor)

    async def renew(self, actor: User, raw_id: str, months: int) -> SubscriptionDetail:
        """An administrator extends the period for free, recorded in the ledger as
        promotional credit spent (see gift_periods) in the same transaction."""
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
            service = await Service.get(id=subscription.service_id)
            await gift_periods(
                self._notices,
                service.monthly_price * months,
                self._currency,
                subscription.id,
                subscription.current_period_end,
                actor.id,
                f"{service.name}: {months} month(s) given by an administrator",
            )
            subscription.current_period_end = add_months(subscription.current_period_end, months)
            await subscription.save(update_fields=["current_period_end", "updated_at"])
        return await detail(subscription)

    async def suspend(self, actor: User, raw_id: str) -> SubscriptionDetail:
        """An administrator stops the service without destroying it (volumes and room kept)."""
        async with in_transaction():
            subscription = await self._get(raw_id, lock=True)
            if subscription.status not in (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE):
                raise Conflict(f"A {subscription.status.value} subscription cannot be suspended")
            await self.lifecycle.history.transition(
                subscription,
                SubscriptionStatus.SUSPENDED,
                "suspended by an administrator",
                self._clock(),
                actor.id,
            )
            subscription.suspended_by = BY_ADMINISTRATOR
            await subscription.save(update_fields=["status", "suspended_by", "updated_at"])
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        if instance is not None:
            await self.lifecycle.suspend(instance, subscription)
        return await detail(subscription)

    async def resume(self, actor: User, raw_id: str) -> SubscriptionDetail:
        subscription = await self._get(raw_id)
        if subscription.status is not SubscriptionStatus.SUSPENDED:
            raise Conflict("Only a suspended subscription can be resumed")
        if subscription.current_period_end <= self._clock():
            raise Conflict("This subscription's period is unpaid: it resumes once it is paid")
        await self._resume(subscription, "resumed by an administrator", actor.id)
        return await detail(subscription)

    async def _resume(
        self, subscription: Subscription, reason: str, actor_id: uuid.UUID | None
    ) -> None:
        # ACTIVE again once its instance runs, as for a new subscription.
        async with in_transaction():
            await self.lifecycle.history.transition(
                subscription, SubscriptionStatus.PENDING, reason, self._clock(), actor_id
            )
            subscription.suspended_by = None
            await subscription.save(update_fields=["status", "suspended_by", "updated_at"])
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        if instance is not None:
            await self.lifecycle.resume(instance, subscription)

    async def _get(self, raw_id: str, lock: bool = False) -> Subscription:
        qs = Subscription.filter(id=parse_id(raw_id, "Subscription"))
        subscription = await (qs.select_for_update() if lock else qs).first()
        if subscription is None:
            raise NotFound("Subscription not found")
        return subscription

    async def teardown(self, subscription: Subscription, reason: str) -> None:
        instance = await Instance.get_or_none(subscription_id=subscription.id)
        # A suspended instance is STOPPED but still holds its node's room and its objects
        # (scaled to zero, volumes kept): those go too.
        if instance is not None and (
            instance.status is not InstanceStatus.STOPPED or instance.node_id is not None
        ):
            await self.lifecycle.unplace(instance, InstanceStatus.STOPPED, reason)

    async def renew_due(self) -> Renewals:
        """Every subscription whose period ended: its next period charged from the wallet,
        or, unpaid, PAST_DUE (the app runs on) for the grace period, then SUSPENDED (scaled
        to zero, data and room kept), then EXPIRED after the retention period (removed).
        A suspended one that can pay again resumes. Leader-only (the reconcile job), and
        safe on two replicas anyway: each subscription is decided under its row lock, and
        a period's charge is keyed by subscription and period.

        A subscription whose row another transaction holds when the pass reaches it
        (another replica deciding it, a customer cancelling) is passed over, not waited
        for, and taken again, waiting this time, once the rest are done: two replicas
        walking the same list share it instead of queueing behind each other row by row,
        and every subscription due when the pass began is still decided by its end. Each
        renewal's transaction locks the first still due and unheld of the pass's next few
        (one statement), so passing over costs no transaction of its own."""
        now = self._clock()
        result = Renewals()
        run = _Pass()
        due = cast(
            "list[uuid.UUID]",
            await Subscription.filter(status__in=LIVE, current_period_end__lte=now)
            .order_by("id")
            .values_list("id", flat=True),
        )
        passed: list[uuid.UUID] = []
        at = 0
        while at < len(due):
            window = due[at : at + _WINDOW]
            taken = await self._renew(window, now, result, run, skip_locked=True)
            # Before the one taken: decided meanwhile, or held by someone else.
            upto = len(window) if taken is None else window.index(taken)
            passed += window[:upto]
            at += upto if taken is None else upto + 1
        # Those of them still due are waited for (most were decided by then).
        for start in range(0, len(passed), _RECHECK):
            still_due = cast(
                "list[uuid.UUID]",
                await Subscription.filter(
                    id__in=passed[start : start + _RECHECK],
                    status__in=LIVE,
                    current_period_end__lte=now,
                ).values_list("id", flat=True),
            )
            for subscription_id in still_due:
                await self._renew([subscription_id], now, result, run)
        return result

    async def settle_owner(self, owner: WalletOwner) -> Renewals:
        """Money just reached the owner's wallet (a confirmed top-up): their unpaid
        subscriptions (PAST_DUE, SUSPENDED) are charged now rather than at the renewal
        job's next pass, oldest due first, so a top-up too small for all of them pays what
        it can in order. Each goes through the renewal job's own path (its row lock, its
        period's ledger key), so a renewal running at the same moment never charges a
        period twice; a suspended one that pays resumes (scaled back up) at once."""
        result = Renewals()
        now = self._clock()
        unpaid = cast(
            "list[uuid.UUID]",
            await Subscription.filter(
                team_id=owner.id,
                status__in=(SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED),
                current_period_end__lte=now,
            )
            .order_by("current_period_end", "created_at")
            .values_list("id", flat=True),
        )
        run = _Pass()
        for unpaid_id in unpaid:
            await self._renew([unpaid_id], now, result, run)
        for service in await self._metered_services():
            behind = await Subscription.filter(
                team_id=owner.id,
                service_id=service.id,
                status__in=(SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED),
            ).values_list("id", flat=True)
            for subscription_id in behind:
                await self._bill_usage_of(subscription_id, service, now, result)
        return result

    async def _renew(
        self,
        candidates: Sequence[uuid.UUID],
        now: datetime,
        result: Renewals,
        run: _Pass,
        skip_locked: bool = False,
    ) -> uuid.UUID | None:
        """Decides the first of `candidates` (in id order) still due, under its row lock,
        in a transaction of its own; returns its id, or None when none is due. A row
        another transaction holds is waited for and then checked again as it was
        committed, or, `skip_locked`, passed over (the caller tries it again later)."""
        async with in_transaction():
            # Only a row still due is locked: one decided meanwhile (another replica, a
            # cancel) is not returned.
            subscription = await _lock_first_due(candidates, now, skip_locked)
            if subscription is None:
                return None
            was = subscription.status
            paid = False
            if subscription.cancel_at_period_end:
                # Its owner asked to stop here: cancelled instead of charged.
                await self.lifecycle.history.transition(
                    subscription,
                    SubscriptionStatus.CANCELLED,
                    "cancelled at the end of its period, as its owner asked",
                    now,
                )
                subscription.cancelled_at = now
                subscription.cancel_at_period_end = False
                result.cancelled += 1
            else:
                paid = await self._charge_due(subscription, now, result, run)
            await subscription.save()
        await self._after_decision(subscription, was, paid, now, result, run)
        return subscription.id

    async def _after_decision(
        self,
        subscription: Subscription,
        was: SubscriptionStatus,
        paid: bool,
        now: datetime,
        result: Renewals,
        run: _Pass | None = None,
    ) -> None:
        """The cluster follows a billing decision once it committed, as everywhere else: an
        expired or cancelled subscription's instance removed, a newly suspended one scaled
        to zero, and one billing suspended resumed once everything due is paid. (A period
        paid and running on needs nothing of the cluster: no query.)"""
        if subscription.status is SubscriptionStatus.EXPIRED:
            await self.teardown(subscription, "subscription expired unpaid")
        elif subscription.status is SubscriptionStatus.CANCELLED:
            await self.teardown(subscription, "subscription cancelled at the end of its period")
        elif subscription.status is SubscriptionStatus.SUSPENDED and was is not (
            SubscriptionStatus.SUSPENDED
        ):
            instance = await Instance.get_or_none(subscription_id=subscription.id)
            if instance is not None:
                await self.lifecycle.suspend(
                    instance, subscription, "suspended: a charge is unpaid; top up to resume"
                )
        elif (
            paid
            and was is SubscriptionStatus.SUSPENDED
            and subscription.suspended_by == BY_BILLING
            and subscription.current_period_end > now
            and not self._usage_overdue(
                subscription,
                await (run or _Pass()).service(subscription.service_id),
                now,
            )
        ):
            await self._resume(subscription, "resumed: what was due is paid", None)
            result.resumed += 1

    async def _charge_due(
        self, subscription: Subscription, now: datetime, result: Renewals, run: _Pass
    ) -> bool:
        """Charges the period due (under the subscription's row lock) and decides its state:
        the next period when paid; unpaid, PAST_DUE, then SUSPENDED, then EXPIRED as the
        grace and retention run out. Returns whether it was paid."""
        terms = self._terms
        due_since = subscription.current_period_end
        late = terms.grace.after(due_since) <= now
        service = await run.service(subscription.service_id)
        # Service was given while PAST_DUE, so that period runs on from its due
        # moment; after a suspension the new period starts now.
        start = now if late else due_since
        try:
            await charge_period(
                self._notices,
                WalletOwner.team(subscription.team_id),
                service.monthly_price,
                terms.currency,
                subscription.id,
                due_since,
                None,
                f"{service.name}: renewal",
                Billed(terms.invoicing, now, start, terms.period.after(start)),
                run.accounts,
            )
        except PaymentRequired as short:
            await self._unpaid(
                subscription,
                due_since,
                now,
                result,
                service.monthly_price,
                short,
                f"{service.name}: renewal",
            )
            return False
        subscription.current_period_start = start
        subscription.current_period_end = terms.period.after(start)
        if subscription.status is SubscriptionStatus.PAST_DUE and not self._usage_overdue(
            subscription, service, now
        ):
            await self.lifecycle.history.transition(
                subscription, SubscriptionStatus.ACTIVE, "the overdue renewal is paid", now
            )
        result.renewed += 1
        return True

    async def _unpaid(
        self,
        subscription: Subscription,
        due_since: datetime,
        now: datetime,
        result: Renewals,
        amount: int,
        short: PaymentRequired,
        what: str,
    ) -> None:
        """A charge due since `due_since` could not be paid (under the subscription's row
        lock): PAST_DUE for the grace period (the app runs on), then SUSPENDED (scaled to
        zero, data and room kept), then EXPIRED after the retention period. The first
        failure is told as `billing.payment_failed`; retries are not news (a suspension
        and an expiry are, told as changes of its state)."""
        terms = self._terms
        was = subscription.status
        if was in (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE):
            await self._notices.payment_failed(
                WalletOwner.team(subscription.team_id),
                subscription.id,
                amount,
                terms.currency,
                short.shortfall,
                what,
            )
        late = terms.grace.after(due_since) <= now
        if terms.retention.after(due_since) <= now:
            await self.lifecycle.history.transition(
                subscription,
                SubscriptionStatus.EXPIRED,
                "expired: unpaid past the retention period",
                now,
            )
            result.expired += 1
        elif late and was is not SubscriptionStatus.SUSPENDED:
            await self.lifecycle.history.transition(
                subscription,
                SubscriptionStatus.SUSPENDED,
                f"suspended: {what} is unpaid past the grace period",
                now,
            )
            subscription.suspended_by = BY_BILLING
            result.suspended += 1
        elif not late and was in (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE):
            await self.lifecycle.history.transition(
                subscription,
                SubscriptionStatus.PAST_DUE,
                f"past due: the wallet cannot pay {what}",
                now,
            )
            result.past_due += 1

    def _usage_overdue(self, subscription: Subscription, service: Service, now: datetime) -> bool:
        """Whether metered hours older than an hour are still unpaid (they are charged at
        each pass, so older ones are ones the wallet could not pay)."""
        if not service.usage_prices:
            return False
        charged = subscription.usage_charged_until
        return charged is not None and charged + 2 * metering.HOUR < now

    async def bill_usage(self) -> Renewals:
        """Meters every reservation up to now, then charges each usage-priced subscription
        its hours that are final, from its wallet: Elestio's model of hourly posting from
        prepaid credit. Unpaid, it falls behind as an unpaid renewal does. Leader-only
        (the reconcile job); safe on two replicas anyway (compare-and-set metering, row
        locks, keyed charges)."""
        now = self._clock()
        result = Renewals()
        await metering.accrue_all(now)
        for service in await self._metered_services():
            due = await Subscription.filter(service_id=service.id, status__in=LIVE).values_list(
                "id", flat=True
            )
            for subscription_id in due:
                await self._bill_usage_of(subscription_id, service, now, result)
        return result

    async def _metered_services(self) -> list[Service]:
        return [s for s in await Service.all().only("id", "name", "usage_prices") if s.usage_prices]

    async def _bill_usage_of(
        self, subscription_id: object, service: Service, now: datetime, result: Renewals
    ) -> None:
        assert service.usage_prices is not None
        prices = UsagePrices.model_validate(service.usage_prices)
        terms = self._terms
        async with in_transaction():
            subscription = await Subscription.filter(id=subscription_id).select_for_update().first()
            if subscription is None or subscription.status not in LIVE:
                return
            was = subscription.status
            instance = await Instance.get_or_none(subscription_id=subscription.id)
            through = metering.settled_through(instance, now)
            hours = await metering.unbilled_hours(
                subscription.id, subscription.usage_charged_until, through
            )
            if not hours:
                return
            first, last = hours[0].hour, hours[-1].hour + metering.HOUR
            owed = subscription.usage_carry + sum(metering.cost(h, prices) for h in hours)
            amount, carry = divmod(owed, metering.COST_DENOMINATOR)
            what = f"{service.name}: usage"
            charged = False
            try:
                await charge_usage(
                    self._notices,
                    WalletOwner.team(subscription.team_id),
                    amount,
                    terms.currency,
                    subscription.id,
                    first,
                    f"{what} {first:%Y-%m-%d %H:00} to {last:%H:00} UTC",
                    Billed(terms.invoicing, now, first, last),
                )
            except PaymentRequired as short:
                await self._unpaid(
                    subscription, first + metering.HOUR, now, result, amount, short, what
                )
            else:
                subscription.usage_charged_until = last
                subscription.usage_carry = carry
                result.usage_charged += 1
                charged = True
                if was is SubscriptionStatus.PAST_DUE and subscription.current_period_end > now:
                    await self.lifecycle.history.transition(
                        subscription, SubscriptionStatus.ACTIVE, "the overdue usage is paid", now
                    )
            await subscription.save()
        await self._after_decision(subscription, was, charged, now, result)


async def _lock_first_due(
    candidates: Sequence[uuid.UUID], now: datetime, skip_locked: bool
) -> Subscription | None:
    """The first of `candidates` (by id) still due (LIVE, its period ended by `now`), under
    its row lock on the caller's transaction; None when none is. As
    `Subscription.filter(id__in=..., status__in=LIVE, current_period_end__lte=now)
    .order_by("id").select_for_update(skip_locked=...).first()` reads it, but from fixed
    SQL text: the renewal job asks once per due subscription, and building the ORM's
    query costs several times the CPU of the lookup. With `skip_locked`, rows other
    transactions hold are passed over; without, the first is waited for (and, changed
    meanwhile so that it is no longer due, not returned). SQLite has no row locks (it
    runs one writer at a time)."""
    if not candidates:
        return None
    conn = Subscription._meta.db
    end, *states = marks(conn, 1 + len(LIVE))
    values: list[Any] = [now, *(status.value for status in LIVE)]
    if is_postgres(conn):
        (ids,) = marks(conn, 1, start=2 + len(LIVE))
        among = f"id = ANY({ids}::uuid[])"
        values.append(list(candidates))
        lock = " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"
    else:
        among = f"id IN ({', '.join('?' for _ in candidates)})"
        values += [str(c) for c in candidates]
        lock = ""
    rows = await conn.execute_query_dict(
        f"SELECT * FROM subscriptions WHERE current_period_end <= {end} "  # noqa: S608 - placeholders and fixed text only
        f"AND status IN ({', '.join(states)}) AND {among} ORDER BY id LIMIT 1{lock}",
        values,
    )
    return Subscription._init_from_db(**rows[0]) if rows else None


async def counts_by_status() -> dict[str, int]:
    """Subscriptions in each state."""
    return await tallies.by_status(Subscription, SubscriptionStatus)
