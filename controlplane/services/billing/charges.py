"""Charging a subscription's period from its owner's wallet."""

from __future__ import annotations

import uuid
from datetime import datetime

from controlplane.db.models import LedgerTransaction
from controlplane.services.billing.invoices import Billed
from controlplane.services.billing.ledger import Entry, Leg, Reference, post
from controlplane.services.billing.wallets import WalletOwner, open_wallet, platform_account
from shared.enums import LedgerAccountKind, TransactionType


def period_key(subscription_id: uuid.UUID, period_start: datetime) -> str:
    """One charge per subscription and period, whoever asks and however often (a
    renewal job on two replicas, a retried request)."""
    return f"subscription:{subscription_id}:period:{period_start.isoformat()}"


async def charge_period(
    owner: WalletOwner,
    amount: int,
    currency: str,
    subscription_id: uuid.UUID,
    period_start: datetime,
    actor_id: uuid.UUID | None,
    reason: str,
    document: Billed,
) -> LedgerTransaction | None:
    """Moves one period's price from the wallet to revenue, inside the caller's database
    transaction (so a subscription and its charge are made together or not at all).

    Raises PaymentRequired, with the shortfall, when the wallet cannot pay. A free
    service (price 0) posts nothing: a transaction of zero postings moves no money,
    and the subscription itself records that it was taken. A charge leaves its invoice,
    described by `document`."""
    if amount == 0:
        return None
    wallet = await open_wallet(owner, currency)
    revenue = await platform_account(LedgerAccountKind.REVENUE, currency)
    transaction, _ = await post(
        Entry(
            key=period_key(subscription_id, period_start),
            type=TransactionType.CHARGE,
            currency=currency,
            reference=Reference("subscription", str(subscription_id)),
            legs=(Leg(wallet, -amount), Leg(revenue, amount)),
            actor_id=actor_id,
            reason=reason,
            document=document,
        )
    )
    return transaction
