"""A subscription's money: its periods charged from its owner's wallet, the unused part
refunded on an early cancel, and an administrator's free periods."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from controlplane.db.models import LedgerPosting, LedgerTransaction
from controlplane.services.billing.invoices import Billed
from controlplane.services.billing.ledger import Entry, Leg, Reference, post
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.wallets import (
    PlatformAccounts,
    WalletOwner,
    open_wallet,
    platform_account,
)
from shared.enums import LedgerAccountKind, TransactionType


def period_key(subscription_id: uuid.UUID, period_start: datetime) -> str:
    """One charge per subscription and period, whoever asks and however often (a
    renewal job on two replicas, a retried request)."""
    return f"{_periods_of(subscription_id)}{period_start.isoformat()}"


def _periods_of(subscription_id: uuid.UUID) -> str:
    return f"subscription:{subscription_id}:period:"


async def charge_period(
    notices: Notices,
    owner: WalletOwner,
    amount: int,
    currency: str,
    subscription_id: uuid.UUID,
    period_start: datetime,
    actor_id: uuid.UUID | None,
    reason: str,
    document: Billed,
    accounts: PlatformAccounts | None = None,
) -> LedgerTransaction | None:
    """Moves one period's price from the wallet to revenue, inside the caller's database
    transaction (so a subscription and its charge are made together or not at all).

    Raises PaymentRequired, with the shortfall, when the wallet cannot pay. A free
    service (price 0) posts nothing: a transaction of zero postings moves no money,
    and the subscription itself records that it was taken. A charge leaves its invoice,
    described by `document`. `accounts`: the platform's accounts as a pass of many
    charges keeps them (read once), else read here."""
    return await _charge(
        notices,
        owner,
        amount,
        currency,
        subscription_id,
        period_key(subscription_id, period_start),
        actor_id,
        reason,
        document,
        accounts,
    )


def usage_key(subscription_id: uuid.UUID, first_hour: datetime) -> str:
    return f"subscription:{subscription_id}:usage-from:{first_hour.isoformat()}"


async def charge_usage(
    notices: Notices,
    owner: WalletOwner,
    amount: int,
    currency: str,
    subscription_id: uuid.UUID,
    first_hour: datetime,
    reason: str,
    document: Billed,
    accounts: PlatformAccounts | None = None,
) -> LedgerTransaction | None:
    """Metered hours from `first_hour` on, charged as charge_period charges a period (the
    caller moves the subscription's charged-until mark in the same transaction, so the
    next charge starts where this one ended and its key is new)."""
    return await _charge(
        notices,
        owner,
        amount,
        currency,
        subscription_id,
        usage_key(subscription_id, first_hour),
        None,
        reason,
        document,
        accounts,
    )


async def _charge(
    notices: Notices,
    owner: WalletOwner,
    amount: int,
    currency: str,
    subscription_id: uuid.UUID,
    key: str,
    actor_id: uuid.UUID | None,
    reason: str,
    document: Billed,
    accounts: PlatformAccounts | None,
) -> LedgerTransaction | None:
    if amount == 0:
        return None
    wallet = await open_wallet(owner, currency)
    revenue = await (accounts or PlatformAccounts()).get(LedgerAccountKind.REVENUE, currency)
    return await _post_about(
        notices,
        subscription_id,
        key,
        TransactionType.CHARGE,
        (Leg(wallet, -amount), Leg(revenue, amount)),
        actor_id,
        reason,
        document,
    )


async def _post_about(
    notices: Notices,
    subscription_id: uuid.UUID,
    key: str,
    kind: TransactionType,
    legs: tuple[Leg, ...],
    actor_id: uuid.UUID | None,
    reason: str,
    document: Billed | None = None,
) -> LedgerTransaction:
    """Posts a transaction about the subscription (its charge, refund or gift) in the
    legs' currency; the key posts once. A charge or refund carries its `document` (the
    invoice or credit note issued with it); a gift leaves none."""
    transaction, _ = await post(
        Entry(
            key=key,
            type=kind,
            currency=legs[0].account.currency,
            reference=Reference("subscription", str(subscription_id)),
            legs=legs,
            actor_id=actor_id,
            reason=reason,
            document=document,
        ),
        notices,
    )
    return transaction


def unused_share(paid: int, start: datetime, end: datetime, now: datetime) -> int:
    """The part of `paid` (for the period [start, end)) that `now` leaves unused, in whole
    minor units rounded down: the customer gets back every whole cent of time not used,
    and a fraction of a cent stays with the platform. Computed on integer microseconds,
    so no float ever touches the amount."""
    total = _microseconds(end - start)
    if total <= 0:
        return 0
    left = min(max(_microseconds(end - now), 0), total)
    return paid * left // total


def _microseconds(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


async def refund_unused(
    notices: Notices,
    owner: WalletOwner,
    currency: str,
    subscription_id: uuid.UUID,
    period: tuple[datetime, datetime],
    now: datetime,
    actor_id: uuid.UUID | None,
    reason: str,
    document: Billed,
) -> LedgerTransaction | None:
    """A REFUND of the unused part of the current period, revenue back to the wallet,
    inside the caller's transaction; once per subscription (it is cancelled once).

    What is prorated is what the customer paid: the period's last CHARGE, spread over
    the whole current period (an administrator's free extension lengthens the period
    and so shrinks the refund: free time is never paid out as money). None when
    nothing was paid or nothing is left to give back. The refund leaves a credit note,
    described by `document`."""
    charge = (
        await LedgerTransaction.filter(
            type=TransactionType.CHARGE,
            reference_type="subscription",
            reference_id=str(subscription_id),
            # A period's charge, not an hour of metered usage (used, so never refunded).
            idempotency_key__startswith=_periods_of(subscription_id),
        )
        .order_by("-created_at")
        .first()
    )
    if charge is None:
        return None
    legs = await LedgerPosting.filter(transaction_id=charge.id, amount__gt=0)
    paid = sum(leg.amount for leg in legs)
    amount = unused_share(paid, period[0], period[1], now)
    if amount == 0:
        return None
    wallet = await open_wallet(owner, currency)
    revenue = await platform_account(LedgerAccountKind.REVENUE, currency)
    return await _post_about(
        notices,
        subscription_id,
        f"subscription:{subscription_id}:refund",
        TransactionType.REFUND,
        (Leg(revenue, -amount), Leg(wallet, amount)),
        actor_id,
        reason,
        document,
    )


async def gift_periods(
    notices: Notices,
    amount: int,
    currency: str,
    subscription_id: uuid.UUID,
    period_end: datetime,
    actor_id: uuid.UUID,
    reason: str,
) -> LedgerTransaction | None:
    """An administrator's free renewal, as an ADJUSTMENT from promotional credit to
    revenue, inside the caller's transaction (keyed by the period end it extends, so a
    retried request gives once). No wallet moves: the customer pays nothing. But the
    service given is earned revenue all the same, paid for by the platform's promotional
    budget, so revenue and the cost of promotions both read true in the ledger, instead
    of a period that would look sold for nothing."""
    if amount == 0:
        return None
    promotional = await platform_account(LedgerAccountKind.PROMOTIONAL_CREDIT, currency)
    revenue = await platform_account(LedgerAccountKind.REVENUE, currency)
    return await _post_about(
        notices,
        subscription_id,
        f"subscription:{subscription_id}:gift-from:{period_end.isoformat()}",
        TransactionType.ADJUSTMENT,
        (Leg(promotional, -amount), Leg(revenue, amount)),
        actor_id,
        reason,
    )
