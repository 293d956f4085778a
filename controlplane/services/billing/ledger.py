"""The ledger's one writer: transactions of two or more postings that sum to zero, each
idempotency key posted once, wallets' cached balances changed in the same transaction, and
every CHARGE and REFUND documented (an invoice, a credit note) in that transaction too."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import F

from controlplane.db.models import LedgerAccount, LedgerPosting, LedgerTransaction
from controlplane.db.sql import get_by, marks, uuid_value
from controlplane.services.billing.invoices import DOCUMENTS, Billed, issue
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.payers import payers_of
from controlplane.services.errors import PaymentRequired
from shared.enums import LedgerAccountKind, TransactionType
from shared.money import format_amount


@dataclass(frozen=True)
class Reference:
    """What a transaction is about: ("subscription", id), ("top_up", id), ("admin_action", id)."""

    type: str
    id: str


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount: int


@dataclass(frozen=True)
class Entry:
    key: str
    type: TransactionType
    currency: str
    reference: Reference
    legs: tuple[Leg, ...]
    actor_id: uuid.UUID | None = None
    reason: str = ""
    # Required of a CHARGE or REFUND: what its invoice or credit note says beyond the
    # postings. Here, not at each caller, so no path that moves such money goes undocumented.
    document: Billed | None = None


class Unbalanced(ValueError):
    """A bug in the caller: money would appear or vanish."""


def check_balanced(entry: Entry) -> None:
    """Double entry: at least two legs, none zero or fractional, one currency, sum zero."""
    if len(entry.legs) < 2:
        raise Unbalanced(f"{entry.key}: a transaction needs at least two postings")
    for leg in entry.legs:
        # bool is an int to Python, and a float would round: neither is money.
        if type(leg.amount) is not int or leg.amount == 0:
            raise Unbalanced(f"{entry.key}: posting amounts are non-zero integers")
        if leg.account.currency != entry.currency:
            raise Unbalanced(f"{entry.key}: {leg.account.key} is not in {entry.currency}")
    if sum(leg.amount for leg in entry.legs) != 0:
        raise Unbalanced(f"{entry.key}: postings sum to {sum(leg.amount for leg in entry.legs)}")
    if entry.type in DOCUMENTS:
        if entry.document is None:
            raise Unbalanced(f"{entry.key}: a {entry.type} needs its document (Entry.document)")
        if len(_wallet_legs(entry)) != 1:
            raise Unbalanced(f"{entry.key}: a {entry.type} moves money of exactly one wallet")


def _wallet_legs(entry: Entry) -> list[Leg]:
    return [leg for leg in entry.legs if leg.account.kind is LedgerAccountKind.WALLET]


async def post(entry: Entry, notices: Notices) -> tuple[LedgerTransaction, bool]:
    """Posts `entry` inside the caller's database transaction; returns the transaction and
    whether it was posted now (False: its key was posted before, and nothing changed).
    What it does to wallets is told through `notices` in the same transaction (an event
    per wallet moved, and a low balance once per crossing), and a CHARGE's or REFUND's
    document is issued last (its number holds its series' counter until the commit).

    Wallets are locked (in id order, so two transfers between the same wallets cannot
    deadlock) and checked before anything else is written: a wallet that would drop below
    minus its credit limit raises PaymentRequired with the shortfall, and nothing of the
    entry is written. The CHECK constraint on the balance is the last word if a caller
    ever skips this path."""
    check_balanced(entry)
    existing = await get_by(LedgerTransaction, "idempotency_key", entry.key)
    if existing is not None:
        return existing, False
    deltas: dict[uuid.UUID, int] = defaultdict(int)
    for leg in _wallet_legs(entry):
        deltas[leg.account.id] += leg.amount
    wallets, moved = await _take_wallets(entry, deltas)
    transaction = await LedgerTransaction.create(
        id=uuid.uuid4(),
        idempotency_key=entry.key,
        type=entry.type,
        currency=entry.currency,
        reference_type=entry.reference.type,
        reference_id=entry.reference.id,
        actor_id=entry.actor_id,
        reason=entry.reason,
    )
    # Each wallet's balance before this entry, run forward leg by leg.
    running = {w.id: (w.balance or 0) - (deltas[w.id] if moved else 0) for w in wallets.values()}
    postings = []
    for leg in entry.legs:
        balance_after = None
        if leg.account.id in running:
            running[leg.account.id] += leg.amount
            balance_after = running[leg.account.id]
        postings.append(
            LedgerPosting(
                id=uuid.uuid4(),
                transaction_id=transaction.id,
                account_id=leg.account.id,
                amount=leg.amount,
                balance_after=balance_after,
            )
        )
    await LedgerPosting.bulk_create(postings)
    if not moved:
        for wallet_id, delta in deltas.items():
            await LedgerAccount.filter(id=wallet_id).update(balance=F("balance") + delta)
            # The locked row, kept as it now stands: what the notices read.
            wallets[wallet_id].balance = (wallets[wallet_id].balance or 0) + delta
    # The wallets' owners, read once for what is told and what is documented.
    payers = await payers_of(w.owner_id for w in wallets.values() if w.owner_id)
    await notices.posted(transaction, dict(deltas), accounts=wallets, payers=payers)
    if entry.document is not None and entry.type in DOCUMENTS:
        (paid,) = _wallet_legs(entry)
        # Checked above: a wallet's account always has its owner.
        assert paid.account.owner_type is not None
        assert paid.account.owner_id is not None
        # Last: the document's number locks its series' counter until this transaction
        # commits, and every other document waits on it meanwhile.
        await issue(
            transaction,
            paid.account.owner_type,
            paid.account.owner_id,
            abs(paid.amount),
            entry.reason,
            entry.document,
            buyer=payers.get(paid.account.owner_id),
        )
    return transaction, True


async def _take_wallets(
    entry: Entry, deltas: dict[uuid.UUID, int]
) -> tuple[dict[uuid.UUID, LedgerAccount], bool]:
    """Locks the entry's wallets and checks that each can pay its part, or raises
    PaymentRequired with nothing written. Returns their rows, and whether their balances
    are moved already (the rows then hold the balance after the entry; else before it,
    and the caller moves them).

    One wallet (every entry today: a charge, a refund, a top-up, a credit) is moved by one
    UPDATE that checks, locks and changes it at once, and returns the row. Only when that
    finds the wallet short, or for several wallets, are they read under their locks (in
    id order) and checked here: a short wallet is then told with its figures as locked,
    and one that a concurrent credit made able to pay is moved after all."""
    if not deltas:
        return {}, False
    if len(deltas) == 1:
        ((wallet_id, delta),) = deltas.items()
        moved = await _move_if_covered(wallet_id, delta)
        if moved is not None:
            return {wallet_id: moved}, True
    wallets = {
        w.id: w
        for w in await LedgerAccount.filter(id__in=sorted(deltas))
        .order_by("id")
        .select_for_update()
    }
    for wallet_id, delta in deltas.items():
        wallet = wallets[wallet_id]
        after = (wallet.balance or 0) + delta
        if delta < 0 and after < -wallet.credit_limit:
            short = -wallet.credit_limit - after
            available = (wallet.balance or 0) + wallet.credit_limit
            raise PaymentRequired(
                f"Insufficient balance: this needs {format_amount(-delta, entry.currency)}, "
                f"the wallet has {format_amount(available, entry.currency)} available; "
                f"top up at least {format_amount(short, entry.currency)}",
                short,
                entry.currency,
            )
    return wallets, False


async def _move_if_covered(wallet_id: uuid.UUID, delta: int) -> LedgerAccount | None:
    """Adds `delta` to the wallet's balance unless that would take it below minus its
    credit limit (a credit always goes in), in one statement on the caller's transaction,
    which then holds the row's lock; returns the row as it now stands, or None (nothing
    changed, nothing locked) when the wallet cannot pay."""
    conn = LedgerAccount._meta.db
    add, key, need = marks(conn, 3)
    covered = f" AND balance + credit_limit + {need} >= 0" if delta < 0 else ""
    values = [delta, uuid_value(conn, wallet_id)] + ([delta] if delta < 0 else [])
    # RETURNING rows come back through execute_query_dict on both databases.
    rows = await conn.execute_query_dict(
        f"UPDATE ledger_accounts SET balance = balance + {add} "  # noqa: S608 - placeholders and fixed text only
        f"WHERE id = {key} AND kind = '{LedgerAccountKind.WALLET.value}'{covered} RETURNING *",
        values,
    )
    return LedgerAccount._init_from_db(**rows[0]) if rows else None
