"""What billing tells: every movement of a wallet's money as a domain event, a renewal the
wallet could not pay, and a wallet whose runway fell below the warning threshold, once per
crossing. Written to the outbox in the ledger transaction that moved the money, so an
event exists exactly when the money moved (mail and webhooks deliver them from there)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from controlplane.db.models import LedgerAccount, LedgerTransaction
from controlplane.services.billing.payers import Payer, payer_of
from controlplane.services.billing.wallets import WalletOwner, find_wallet
from controlplane.services.clock import Clock
from controlplane.services.events.outbox import Outbox
from shared.enums import TransactionType
from shared.money import format_amount

# One event type per kind of movement a wallet's owner would want to hear of.
MOVED = {
    TransactionType.TOP_UP: "billing.topped_up",
    TransactionType.CHARGE: "billing.charged",
    TransactionType.REFUND: "billing.refunded",
    TransactionType.ADJUSTMENT: "billing.adjusted",
}
PAYMENT_FAILED = "billing.payment_failed"
LOW_BALANCE = "wallet.low_balance"
EVENT_TYPES = frozenset({*MOVED.values(), PAYMENT_FAILED, LOW_BALANCE})

# What an owner's wallet is committed to spend per day, in minor units (apps knows: its
# subscriptions' prices and their metered usage; billing imports no other domain).
DailySpend = Callable[[WalletOwner, str], Awaitable[int]]


async def _nothing_committed(owner: WalletOwner, currency: str) -> int:
    return 0


@dataclass(frozen=True)
class Runway:
    """How long what the wallet can spend lasts at its daily spend; None: forever."""

    available: int
    per_day: int

    @property
    def days(self) -> float | None:
        return self.available / self.per_day if self.per_day > 0 else None

    def shorter_than(self, threshold: timedelta) -> bool:
        # available / per_day < threshold, in integers: no float decides who is warned.
        if self.per_day <= 0:
            return False
        seconds = threshold.days * 86_400 + threshold.seconds
        return self.available * 86_400 < seconds * self.per_day


class Notices:
    def __init__(
        self,
        outbox: Outbox,
        low_balance_runway: timedelta,
        clock: Clock,
        daily_spend: DailySpend = _nothing_committed,
    ) -> None:
        self._outbox = outbox
        self._threshold = low_balance_runway
        self._clock = clock
        self._daily_spend = daily_spend

    async def standing(self, owner: WalletOwner, currency: str) -> tuple[Runway, bool]:
        """The owner's runway now, and whether it is below the warning threshold."""
        per_day = await self._daily_spend(owner, currency)
        wallet = await find_wallet(owner, currency)
        if wallet is None:
            return Runway(0, per_day), per_day > 0
        runway = Runway((wallet.balance or 0) + wallet.credit_limit, per_day)
        return runway, runway.shorter_than(self._threshold)

    async def runway(self, wallet: LedgerAccount) -> Runway:
        assert wallet.owner_type is not None
        assert wallet.owner_id is not None
        owner = WalletOwner(wallet.owner_type, wallet.owner_id)
        per_day = await self._daily_spend(owner, wallet.currency)
        return Runway((wallet.balance or 0) + wallet.credit_limit, per_day)

    async def posted(
        self,
        transaction: LedgerTransaction,
        wallets: dict[uuid.UUID, int],
        *,
        accounts: Mapping[uuid.UUID, LedgerAccount] | None = None,
        payers: Mapping[uuid.UUID, Payer | None] | None = None,
    ) -> None:
        """`transaction` just moved each of `wallets` (id → amount) inside the caller's
        database transaction, with those wallets' rows locked: tells of it, and of a
        runway that fell below the threshold (or clears the warning of one that rose above
        it, so the next fall is told again).

        `accounts`: the wallets' rows as they stand after the posting, read under their
        lock by the caller (the ledger), so they are not read again; `payers`: their
        owners (None: gone) by owner id, read once for the whole posting."""
        for wallet_id, amount in wallets.items():
            wallet = accounts[wallet_id] if accounts else await LedgerAccount.get(id=wallet_id)
            assert wallet.owner_type is not None
            assert wallet.owner_id is not None
            owner = WalletOwner(wallet.owner_type, wallet.owner_id)
            to = recipient(
                payers[owner.id]
                if payers is not None and owner.id in payers
                else await payer_of(owner.id)
            )
            await self._emit(
                MOVED[transaction.type],
                owner,
                {
                    **to,
                    "transaction_id": str(transaction.id),
                    "type": transaction.type.value,
                    "amount": amount,
                    "currency": transaction.currency,
                    "formatted_amount": format_amount(abs(amount), transaction.currency),
                    "balance": wallet.balance or 0,
                    "reference_type": transaction.reference_type,
                    "reference_id": transaction.reference_id,
                    "reason": transaction.reason,
                },
            )
            await self._check_runway(wallet, owner, to)

    async def payment_failed(
        self,
        owner: WalletOwner,
        subscription_id: uuid.UUID,
        amount: int,
        currency: str,
        shortfall: int,
        what: str,
    ) -> None:
        """A charge the wallet could not pay (inside the transaction that decided so)."""
        await self._emit(
            PAYMENT_FAILED,
            owner,
            {
                **recipient(await payer_of(owner.id)),
                "subscription_id": str(subscription_id),
                "amount": amount,
                "currency": currency,
                "formatted_amount": format_amount(amount, currency),
                "shortfall": shortfall,
                "formatted_shortfall": format_amount(shortfall, currency),
                "what": what,
            },
        )

    async def _check_runway(
        self, wallet: LedgerAccount, owner: WalletOwner, to: dict[str, Any]
    ) -> None:
        # The wallet's row is locked by the posting transaction: two charges at once
        # decide the crossing one after the other, so it is told once.
        runway = await self.runway(wallet)
        low = runway.shorter_than(self._threshold)
        if low == (wallet.low_balance_at is not None):
            return
        if not low:
            await LedgerAccount.filter(id=wallet.id).update(low_balance_at=None)
            wallet.low_balance_at = None
            return
        now = self._clock()
        await LedgerAccount.filter(id=wallet.id).update(low_balance_at=now)
        wallet.low_balance_at = now
        days = runway.days
        await self._emit(
            LOW_BALANCE,
            owner,
            {
                **to,
                "wallet_id": str(wallet.id),
                "currency": wallet.currency,
                "available": runway.available,
                "formatted_available": format_amount(runway.available, wallet.currency),
                "daily_spend": runway.per_day,
                "formatted_daily_spend": format_amount(runway.per_day, wallet.currency),
                "runway_days": round(days, 2) if days is not None else None,
                "threshold_days": round(self._threshold.total_seconds() / 86_400, 2),
                "at": now.isoformat(),
            },
        )

    async def _emit(self, type: str, owner: WalletOwner, payload: dict[str, Any]) -> None:
        # The models' connection is the caller's open transaction (tortoise binds it to the
        # task): the event is written with the money's movement or not at all.
        await self._outbox.emit(
            LedgerTransaction._meta.db,
            type,
            str(owner.id),
            {"owner_type": owner.type.value, "owner_id": str(owner.id), **payload},
        )


def recipient(payer: Payer | None) -> dict[str, Any]:
    """Whom the mail goes to (docs in `payers`). A deleted team's or user's wallet is told
    to no one by mail; its events stay."""
    if payer is not None and payer.email is not None:
        return {"email": payer.email, "name": payer.name}
    return {"email": None, "name": None}
