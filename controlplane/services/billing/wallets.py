"""Ledger accounts: customers' wallets (one per owner and currency) and the platform's own."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from controlplane.db.models import LedgerAccount, LedgerPosting
from controlplane.db.sql import get_by
from controlplane.services.errors import Conflict
from shared.enums import LedgerAccountKind, WalletOwnerType
from shared.money import format_amount
from shared.wire.billing import WalletOut

log = logging.getLogger("minispod.billing")


@dataclass(frozen=True)
class WalletOwner:
    """Who a wallet belongs to: a team (a user alone: their personal team, of their id)."""

    type: WalletOwnerType
    id: uuid.UUID

    @classmethod
    def team(cls, team_id: uuid.UUID) -> WalletOwner:
        return cls(WalletOwnerType.TEAM, team_id)


# What money reaching a wallet sets off: its owner's unpaid subscriptions are tried again
# at once (apps gives this; billing imports no other domain).
AfterCredit = Callable[[WalletOwner], Awaitable[object]]


async def settle(after_credit: AfterCredit | None, owner: WalletOwner) -> None:
    """Lets `after_credit` pay what `owner` owes, once the money that allows it committed."""
    if after_credit is None:
        return
    try:
        await after_credit(owner)
    except Exception:
        # The money is in and committed; the renewal job settles what this could not, so
        # a failure here must not turn a confirmed payment or credit into an error answer
        # (a provider would redeliver an event that changes nothing).
        log.exception("settling what %s %s owes failed", owner.type, owner.id)


def wallet_key(owner: WalletOwner, currency: str) -> str:
    return f"{LedgerAccountKind.WALLET}:{owner.type}:{owner.id}:{currency}"


async def find_wallet(owner: WalletOwner, currency: str) -> LedgerAccount | None:
    return await get_by(LedgerAccount, "key", wallet_key(owner, currency))


async def open_wallet(owner: WalletOwner, currency: str) -> LedgerAccount:
    """The owner's wallet, made empty at first use. Concurrent first uses make one row:
    the insert yields to a key already there instead of failing the caller's transaction."""
    key = wallet_key(owner, currency)
    # Read first: every charge after the first finds it (one query, not two: renewals
    # at scale spend their time in round trips, and in building queries: fixed SQL).
    found = await get_by(LedgerAccount, "key", key)
    if found is not None:
        return found
    await LedgerAccount.bulk_create(
        [
            LedgerAccount(
                id=uuid.uuid4(),
                key=key,
                kind=LedgerAccountKind.WALLET,
                owner_type=owner.type,
                owner_id=owner.id,
                currency=currency,
                balance=0,
                credit_limit=0,
            )
        ],
        ignore_conflicts=True,
    )
    return await LedgerAccount.get(key=key)


async def platform_account(kind: LedgerAccountKind, currency: str) -> LedgerAccount:
    """One of the platform's accounts (revenue, refunds, payment clearing, promotional
    credit). They cache no balance: every charge would queue on the one revenue row."""
    account, _ = await _platform_account(kind, currency)
    return account


async def _platform_account(kind: LedgerAccountKind, currency: str) -> tuple[LedgerAccount, bool]:
    """The account, and whether it was there already (False: made in the caller's
    transaction, which may yet roll back)."""
    if kind is LedgerAccountKind.WALLET:
        raise ValueError("a wallet belongs to an owner: use open_wallet")
    key = f"{kind}:{currency}"
    found = await get_by(LedgerAccount, "key", key)
    if found is not None:
        return found, True
    await LedgerAccount.bulk_create(
        [LedgerAccount(id=uuid.uuid4(), key=key, kind=kind, currency=currency, balance=None)],
        ignore_conflicts=True,
    )
    return await LedgerAccount.get(key=key), False


class PlatformAccounts:
    """The platform's accounts as one pass of many postings (a renewal pass) uses them,
    each read once: a platform account is never changed once made (no cached balance,
    no credit limit, no owner), so what the pass read first stays true to its end.
    An account that had to be made is not kept: it is made in the caller's transaction,
    which may roll back, so the next posting reads it again. Lives as long as its pass
    (never module-wide: a new pass, a new test database, reads afresh)."""

    def __init__(self) -> None:
        self._known: dict[tuple[LedgerAccountKind, str], LedgerAccount] = {}

    async def get(self, kind: LedgerAccountKind, currency: str) -> LedgerAccount:
        known = self._known.get((kind, currency))
        if known is not None:
            return known
        account, existed = await _platform_account(kind, currency)
        if existed:
            self._known[(kind, currency)] = account
        return account


async def postings_sum(account_id: uuid.UUID) -> int:
    """What an account's postings add up to: its balance, by definition."""
    rows = (
        await LedgerPosting.filter(account_id=account_id)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return int(rows[0]["total"] or 0) if rows else 0


async def wallet_of(owner: WalletOwner, currency: str) -> WalletOut:
    """The wallet as its owner reads it; an owner who never paid in has an empty one."""
    wallet = await find_wallet(owner, currency)
    balance = (wallet.balance or 0) if wallet else 0
    limit = wallet.credit_limit if wallet else 0
    return WalletOut(
        owner_type=owner.type,
        owner_id=owner.id,
        currency=currency,
        balance=balance,
        credit_limit=limit,
        available=balance + limit,
    )


async def any_balance(owners: list[WalletOwner]) -> bool:
    """Whether any of these owners' wallets holds money, or owes it (accounts asks before
    it deletes a user: the ledger would keep the rows, but nobody could see the balance)."""
    by_type: dict[WalletOwnerType, list[uuid.UUID]] = {}
    for owner in owners:
        by_type.setdefault(owner.type, []).append(owner.id)
    for owner_type, ids in by_type.items():
        if (
            await LedgerAccount.filter(
                kind=LedgerAccountKind.WALLET, owner_type=owner_type, owner_id__in=ids
            )
            .exclude(balance=0)
            .exists()
        ):
            return True
    return False


async def set_credit_limit(owner: WalletOwner, currency: str, limit: int) -> None:
    """How far below zero an administrator lets the wallet go. Lowered below what the
    wallet already owes, it is refused (Conflict) and nothing changes: the debt stands,
    and the CHECK on the balance would refuse the row anyway."""
    async with in_transaction():
        wallet = await open_wallet(owner, currency)
        locked = await LedgerAccount.filter(id=wallet.id).select_for_update().get()
        balance = locked.balance or 0
        if balance + limit < 0:
            raise Conflict(
                f"The wallet owes {format_amount(-balance, currency)}: the credit limit cannot "
                f"be lower until it is paid"
            )
        await LedgerAccount.filter(id=wallet.id).update(credit_limit=limit)
