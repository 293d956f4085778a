"""Reading the ledger: a wallet's lines (its postings, with their transactions), paged."""

from __future__ import annotations

from tortoise.expressions import Subquery

from controlplane.db.models import LedgerAccount, LedgerPosting, LedgerTransaction
from controlplane.services.billing.wallets import WalletOwner, find_wallet
from controlplane.services.ownership import Acting
from controlplane.services.paging import page
from shared.enums import LedgerAccountKind
from shared.wire.billing import TransactionLine, TransactionList, TransactionListQuery
from shared.wire.common import Pagination


def _line(
    posting: LedgerPosting, transaction: LedgerTransaction, wallet: LedgerAccount
) -> TransactionLine:
    # Only wallets have postings listed, and every wallet has an owner.
    assert wallet.owner_type is not None
    assert wallet.owner_id is not None
    return TransactionLine(
        id=transaction.id,
        type=transaction.type,
        amount=posting.amount,
        balance_after=posting.balance_after or 0,
        currency=transaction.currency,
        reference_type=transaction.reference_type,
        reference_id=transaction.reference_id,
        reason=transaction.reason,
        actor_id=transaction.actor_id,
        owner_type=wallet.owner_type,
        owner_id=wallet.owner_id,
        created_at=transaction.created_at,
    )


async def line_of(
    transaction: LedgerTransaction, owner: WalletOwner, currency: str
) -> TransactionLine | None:
    """The transaction as it touched the owner's wallet; None if it did not."""
    wallet = await find_wallet(owner, currency)
    if wallet is None:
        return None
    posting = await LedgerPosting.get_or_none(transaction_id=transaction.id, account_id=wallet.id)
    return _line(posting, transaction, wallet) if posting else None


async def list_transactions(
    who: Acting, query: TransactionListQuery, currency: str
) -> TransactionList:
    """The team's wallet; an administrator's view is every wallet, or one team's (named,
    or a user's personal one)."""
    owner = who.team_id if not who.administrator or who.named else query.user_id
    # Subqueries, not joins: paging counts the rows of `qs`, and a join's GROUP BY would
    # give it one count per group.
    wallets_only = LedgerAccount.filter(kind=LedgerAccountKind.WALLET).values("id")
    qs = LedgerPosting.filter(account_id__in=Subquery(wallets_only))
    if owner is not None:
        wallet = await find_wallet(WalletOwner.team(owner), currency)
        if wallet is None:
            return TransactionList(
                transactions=[], pagination=Pagination.of(query.page, query.limit, 0)
            )
        qs = LedgerPosting.filter(account_id=wallet.id)
    if query.type is not None:
        of_type = LedgerTransaction.filter(type=query.type).values("id")
        qs = qs.filter(transaction_id__in=Subquery(of_type))
    rows, pagination = await page(qs, query, "created_at")
    transactions = {
        t.id: t for t in await LedgerTransaction.filter(id__in=[p.transaction_id for p in rows])
    }
    wallets = {a.id: a for a in await LedgerAccount.filter(id__in=[p.account_id for p in rows])}
    return TransactionList(
        transactions=[
            _line(p, transactions[p.transaction_id], wallets[p.account_id]) for p in rows
        ],
        pagination=pagination,
    )
