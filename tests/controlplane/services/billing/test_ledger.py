"""The ledger's rules, on both databases: balanced entries only, each key once, no
overdraft past the credit limit, and rows that cannot be edited or removed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import LedgerAccount, LedgerPosting, LedgerTransaction
from controlplane.services.billing.charges import charge_period
from controlplane.services.billing.ledger import Entry, Leg, Reference, Unbalanced, post
from controlplane.services.billing.wallets import (
    WalletOwner,
    open_wallet,
    platform_account,
    postings_sum,
)
from controlplane.services.errors import PaymentRequired
from shared.enums import LedgerAccountKind, TransactionType
from shared.money import format_amount
from tests.controlplane.conftest import billed, direct_notices

EUR = "EUR"

NOTICES = direct_notices()


def _entry(*legs: Leg, key: str = "k", currency: str = EUR) -> Entry:
    return Entry(key, TransactionType.ADJUSTMENT, currency, Reference("test", "x"), legs)


async def _accounts() -> tuple[LedgerAccount, LedgerAccount]:
    wallet = await open_wallet(WalletOwner.team(uuid.uuid4()), EUR)
    promotional = await platform_account(LedgerAccountKind.PROMOTIONAL_CREDIT, EUR)
    return wallet, promotional


async def test_unbalanced_entries_are_refused_before_anything_is_written(platform):
    wallet, promotional = await _accounts()
    usd = await platform_account(LedgerAccountKind.REVENUE, "USD")
    refused = [
        _entry(Leg(wallet, 100)),
        _entry(Leg(wallet, 100), Leg(promotional, -99)),
        _entry(Leg(wallet, 0), Leg(promotional, 0)),
        _entry(Leg(wallet, 1.5), Leg(promotional, -1.5)),  # type: ignore[arg-type]
        _entry(Leg(wallet, True), Leg(promotional, -1)),
        _entry(Leg(wallet, 100), Leg(usd, -100)),
    ]
    for entry in refused:
        with pytest.raises(Unbalanced):
            async with in_transaction():
                await post(entry, NOTICES)
    assert await LedgerTransaction.all().count() == 0
    assert await LedgerPosting.all().count() == 0


async def test_a_key_posts_once(platform):
    wallet, promotional = await _accounts()
    entry = _entry(Leg(wallet, 300), Leg(promotional, -300), key="once")
    async with in_transaction():
        first, new = await post(entry, NOTICES)
    async with in_transaction():
        again, again_new = await post(entry, NOTICES)
    assert new and not again_new and again.id == first.id
    assert (await LedgerAccount.get(id=wallet.id)).balance == 300
    assert await postings_sum(wallet.id) == 300
    assert await postings_sum(promotional.id) == -300


async def test_a_wallet_goes_below_zero_only_as_far_as_its_credit_limit(platform):
    owner = WalletOwner.team(uuid.uuid4())
    wallet = await open_wallet(owner, EUR)
    await LedgerAccount.filter(id=wallet.id).update(credit_limit=500)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    async with in_transaction():
        await charge_period(
            NOTICES, owner, 500, EUR, uuid.uuid4(), start, None, "on credit", billed(start)
        )
    with pytest.raises(PaymentRequired) as refused:
        async with in_transaction():
            await charge_period(
                NOTICES, owner, 1, EUR, uuid.uuid4(), start, None, "one too many", billed(start)
            )
    assert refused.value.shortfall == 1 and refused.value.currency == EUR
    assert (await LedgerAccount.get(id=wallet.id)).balance == -500


async def test_the_database_itself_refuses_an_overdrawn_wallet(platform):
    wallet, promotional = await _accounts()
    with pytest.raises(IntegrityError):
        await LedgerAccount.filter(id=wallet.id).update(balance=-1)
    # Platform accounts cache no balance; a wallet always does.
    with pytest.raises(IntegrityError):
        await LedgerAccount.filter(id=promotional.id).update(balance=0)
    with pytest.raises(IntegrityError):
        await LedgerAccount.filter(id=wallet.id).update(balance=None)


async def test_ledger_rows_cannot_be_edited_or_removed(platform):
    wallet, promotional = await _accounts()
    async with in_transaction():
        transaction, _ = await post(_entry(Leg(wallet, 5), Leg(promotional, -5)), NOTICES)
    for attempt in (
        LedgerPosting.filter(transaction_id=transaction.id).update(amount=50),
        LedgerPosting.filter(transaction_id=transaction.id).delete(),
        LedgerTransaction.filter(id=transaction.id).update(reason="edited"),
        LedgerTransaction.filter(id=transaction.id).delete(),
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            await attempt
    assert await postings_sum(wallet.id) == 5


def test_amounts_read_in_their_currency_s_minor_unit() -> None:
    assert format_amount(12345, "EUR") == "123.45 EUR"
    assert format_amount(-5, "EUR") == "-0.05 EUR"
    assert format_amount(1500, "JPY") == "1500 JPY"
    assert format_amount(1, "KWD") == "0.001 KWD"
