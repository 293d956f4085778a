"""Ledger invariants over generated histories: whatever sequence of top-ups, credits,
corrections and charges runs, every transaction balances, every cached balance is the sum of
its postings, and each wallet holds exactly what a plain model of the history says."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.transactions import in_transaction

from controlplane.appkeys import TOP_UPS
from controlplane.db.models import LedgerAccount, LedgerPosting, User
from controlplane.services.billing.charges import charge_period
from controlplane.services.billing.credits import credit
from controlplane.services.billing.ledger import Reference
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.errors import PaymentRequired
from controlplane.services.ownership import personal
from shared.enums import LedgerAccountKind, Role
from shared.wire.billing import TopUpRequest
from tests.controlplane.conftest import billed, direct_notices

EUR = "EUR"
OWNERS = 3
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["top_up", "credit", "take_back", "charge"]),
        st.integers(0, OWNERS - 1),
        st.integers(1, 40_000),
    ),
    min_size=1,
    max_size=15,
)

NOTICES = direct_notices()


async def _run(platform, owners: list[User], admin: User, op: str, who: int, amount: int) -> bool:
    """Applies one operation; whether the ledger accepted it."""
    owner = WalletOwner.team(owners[who].id)
    try:
        if op == "top_up":
            top_ups = platform.app[TOP_UPS]
            started = await top_ups.start(
                personal(owners[who]), TopUpRequest(amount=amount, provider="manual")
            )
            await top_ups.confirm(admin, str(started.id))
        elif op in ("credit", "take_back"):
            signed = amount if op == "credit" else -amount
            key = f"prop:{uuid.uuid4()}"
            await credit(NOTICES, owner, signed, EUR, key, Reference("test", key), admin.id, op)
        else:
            async with in_transaction():
                start = datetime.now(UTC)
                await charge_period(
                    NOTICES,
                    owner,
                    amount,
                    EUR,
                    uuid.uuid4(),
                    start,
                    owners[who].id,
                    op,
                    billed(start),
                )
    except PaymentRequired:
        return False
    return True


async def _check_invariants() -> None:
    legs: dict[uuid.UUID, list[int]] = defaultdict(list)
    by_account: dict[uuid.UUID, list[LedgerPosting]] = defaultdict(list)
    for posting in await LedgerPosting.all().order_by("created_at", "id"):
        legs[posting.transaction_id].append(posting.amount)
        by_account[posting.account_id].append(posting)
    for transaction_id, amounts in legs.items():
        assert len(amounts) >= 2, transaction_id
        assert sum(amounts) == 0, (transaction_id, amounts)
    for account in await LedgerAccount.all():
        postings = by_account[account.id]
        if account.kind is LedgerAccountKind.WALLET:
            assert account.balance == sum(p.amount for p in postings), account.key
            assert account.balance is not None and account.balance >= -account.credit_limit
            # The running balance a statement shows: each line is the one before plus its
            # amount (the operations ran one after another, so time orders them).
            running = 0
            for p in postings:
                running += p.amount
                assert p.balance_after == running, account.key
        else:
            assert account.balance is None, account.key


@settings(
    max_examples=60,
    # No example database in the working tree; a failure prints its case to rerun.
    database=None,
    deadline=None,
    # One app and database serve every example: histories pile up, and the invariants
    # must hold over all of them together, which is stronger than one at a time.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
async def test_any_history_balances_and_every_wallet_is_its_postings(platform, operations):
    owners = [User(id=uuid.uuid4(), role=Role.USER) for _ in range(OWNERS)]
    admin = User(id=uuid.uuid4(), role=Role.ADMINISTRATOR)
    expected = [0] * OWNERS
    for op, who, amount in operations:
        accepted = await _run(platform, owners, admin, op, who, amount)
        # A plain model of a wallet: money in always lands, money out only if it is there.
        gives = op in ("top_up", "credit")
        assert accepted == (gives or expected[who] >= amount), (op, who, amount, expected)
        if accepted:
            expected[who] += amount if gives else -amount
    for i, user in enumerate(owners):
        wallet = await LedgerAccount.get_or_none(owner_id=user.id)
        assert (wallet.balance if wallet else 0) == expected[i]
    await _check_invariants()
