"""Credit an administrator (or the development seed) puts in a wallet, with its reason; and
the credit limit an administrator grants a wallet."""

from __future__ import annotations

import uuid

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import LedgerTransaction, Team, User
from controlplane.services.billing.ledger import Entry, Leg, Reference, post
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.statement import line_of
from controlplane.services.billing.wallets import (
    AfterCredit,
    WalletOwner,
    open_wallet,
    platform_account,
    set_credit_limit,
    settle,
    wallet_of,
)
from controlplane.services.errors import Conflict, Invalid, NotFound, PaymentRequired
from controlplane.services.ids import parse_id
from shared.enums import LedgerAccountKind, TransactionType
from shared.wire.billing import CreditRequest, TransactionLine, WalletOut


async def credit(
    notices: Notices,
    owner: WalletOwner,
    amount: int,
    currency: str,
    key: str,
    reference: Reference,
    actor_id: uuid.UUID | None,
    reason: str,
) -> tuple[LedgerTransaction, bool]:
    """An ADJUSTMENT between the wallet and promotional credit: positive gives, negative
    takes back (a correction is a new transaction, never an edit). Its own transaction."""
    async with in_transaction():
        wallet = await open_wallet(owner, currency)
        promotional = await platform_account(LedgerAccountKind.PROMOTIONAL_CREDIT, currency)
        return await post(
            Entry(
                key=key,
                type=TransactionType.ADJUSTMENT,
                currency=currency,
                reference=reference,
                legs=(Leg(wallet, amount), Leg(promotional, -amount)),
                actor_id=actor_id,
                reason=reason,
            ),
            notices,
        )


class Credits:
    """What administrators give: credit (or a correction) with its reason, and the credit
    limit a wallet may draw on. Either can let the owner pay what is overdue, which is
    settled at once, as a top-up does."""

    def __init__(
        self, notices: Notices, currency: str, after_credit: AfterCredit | None = None
    ) -> None:
        self._notices = notices
        self._currency = currency
        self._after_credit = after_credit

    async def grant(self, actor: User, body: CreditRequest) -> tuple[TransactionLine, bool]:
        """`POST /admin/billing/credits`: returns the wallet's line and whether it was new."""
        if body.amount == 0:
            raise Invalid.field("amount", "A credit of zero moves no money")
        owner = await _team_wallet(body.user_id)
        currency = self._currency
        action = uuid.uuid4()
        # Without a key from the caller every request is its own grant.
        key = f"admin-credit:{body.idempotency_key or action}"
        try:
            transaction, new = await credit(
                self._notices,
                owner,
                body.amount,
                currency,
                key,
                Reference("admin_action", str(action)),
                actor.id,
                body.reason,
            )
        except PaymentRequired as exc:
            raise Conflict(
                f"Taking this back would leave the wallet below its credit limit: {exc.message}"
            ) from None
        except IntegrityError:
            # The same key granted at the same moment by another request: that one posted.
            existing = await LedgerTransaction.get_or_none(idempotency_key=key)
            if existing is None:
                raise
            transaction, new = existing, False
        line = await line_of(transaction, owner, currency)
        if not new and (line is None or line.amount != body.amount or line.reason != body.reason):
            raise Conflict("This idempotency key was used for another credit")
        assert line is not None  # a credit just posted has its wallet's leg
        if new and body.amount > 0:
            await settle(self._after_credit, owner)
        return line, new

    async def allow_credit(self, raw_user_id: str, limit: int) -> WalletOut:
        """`PUT /admin/billing/wallets/:userId/credit-limit`: the user's (or team's) wallet
        may go `limit` below zero (subscriptions and renewals then draw on it)."""
        owner = await _team_wallet(parse_id(raw_user_id, "User"))
        await set_credit_limit(owner, self._currency, limit)
        await settle(self._after_credit, owner)
        return await wallet_of(owner, self._currency)


async def _team_wallet(team_id: uuid.UUID) -> WalletOwner:
    """The wallet of a team, named by its id or, for a personal one, by its user's (the
    same id)."""
    if not await Team.exists(id=team_id):
        raise NotFound("User or team not found")
    return WalletOwner.team(team_id)
