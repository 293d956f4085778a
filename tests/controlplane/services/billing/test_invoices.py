"""The documents the ledger issues: tax arithmetic in minor units, a credit note for every
refund, no CHARGE or REFUND without its document, and documents nobody can edit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import Invoice, LedgerAccount, LedgerTransaction, User
from controlplane.services.billing.invoices import tax_included
from controlplane.services.billing.ledger import Entry, Leg, Reference, Unbalanced, post
from controlplane.services.billing.wallets import WalletOwner, open_wallet, platform_account
from shared.enums import DocumentKind, LedgerAccountKind, Role, TransactionType
from tests.controlplane.conftest import billed, direct_notices

EUR = "EUR"
AT = datetime(2026, 6, 30, 23, 59, tzinfo=UTC)

NOTICES = direct_notices()


@pytest.mark.parametrize(
    ("total", "rate", "tax"),
    [
        (12000, 2000, 2000),  # 100.00 + 20 % = 120.00: exactly 20.00 of it is tax
        (15000, 1900, 2395),  # 2394.957… rounds up
        (999, 1900, 160),  # 159.504… rounds up
        (100, 700, 7),  # 6.542… rounds up
        (1, 2000, 0),  # 0.1666… rounds down
        (3, 2000, 1),  # 0.5 exactly: half up
        (5000, 0, 0),  # no tax configured
        (-15000, 1900, -2395),  # symmetric for negative amounts
    ],
)
def test_tax_is_the_part_of_a_tax_inclusive_total_rounded_half_up_to_the_cent(
    total: int, rate: int, tax: int
) -> None:
    assert tax_included(total, rate) == tax
    assert isinstance(tax_included(total, rate), int)


async def _customer() -> User:
    return await User.create(
        id=uuid.uuid4(), name="Carol", email="carol@example.com", password_hash="x", role=Role.USER
    )


async def _refund(user: User, amount: int, key: str, document: bool = True) -> LedgerTransaction:
    wallet = await open_wallet(WalletOwner.team(user.id), EUR)
    refunds = await platform_account(LedgerAccountKind.REFUNDS, EUR)
    async with in_transaction():
        transaction, _ = await post(
            Entry(
                key=key,
                type=TransactionType.REFUND,
                currency=EUR,
                reference=Reference("test", key),
                legs=(Leg(wallet, amount), Leg(refunds, -amount)),
                reason="unused days refunded",
                document=billed(AT) if document else None,
            ),
            NOTICES,
        )
    return transaction


async def test_every_refund_issues_a_credit_note_in_its_own_series(platform):
    carol = await _customer()
    first = await _refund(carol, 1190, "refund-1")
    await _refund(carol, 500, "refund-2")
    note = await Invoice.get(transaction_id=first.id)
    assert note.kind is DocumentKind.CREDIT_NOTE and note.number == "CN-2026-000001"
    assert (note.total, note.tax, note.subtotal) == (1190, 198, 992)
    assert note.user_id == carol.id and note.buyer_name == "Carol"
    assert note.seller_name == "Test Seller Ltd" and note.tax_rate == 2000
    assert note.lines == [
        {"description": "unused days refunded", "quantity": 1, "unitAmount": 1190, "amount": 1190}
    ]
    numbers = await Invoice.all().order_by("number").values_list("number", flat=True)
    assert numbers == ["CN-2026-000001", "CN-2026-000002"]
    # The same key again posts nothing, and so issues nothing.
    await _refund(carol, 1190, "refund-1")
    assert await Invoice.all().count() == 2


async def test_a_refund_without_its_document_is_refused_before_anything_is_written(platform):
    carol = await _customer()
    with pytest.raises(Unbalanced, match="needs its document"):
        await _refund(carol, 100, "undocumented", document=False)
    assert await LedgerTransaction.all().count() == 0
    assert await Invoice.all().count() == 0


async def test_an_issued_invoice_cannot_be_edited_or_removed(platform):
    carol = await _customer()
    transaction = await _refund(carol, 700, "refund-edit")
    for attempt in (
        Invoice.filter(transaction_id=transaction.id).update(total=1),
        Invoice.filter(transaction_id=transaction.id).delete(),
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            await attempt
    assert (await Invoice.get(transaction_id=transaction.id)).total == 700


async def test_a_charge_rolled_back_gives_its_number_back(platform):
    carol = await _customer()
    wallet = await open_wallet(WalletOwner.team(carol.id), EUR)
    await LedgerAccount.filter(id=wallet.id).update(credit_limit=10_000)
    revenue = await platform_account(LedgerAccountKind.REVENUE, EUR)

    async def charge(key: str) -> LedgerTransaction:
        async with in_transaction():
            return await charged(key)

    async def charged(key: str) -> LedgerTransaction:
        transaction, _ = await post(
            Entry(
                key=key,
                type=TransactionType.CHARGE,
                currency=EUR,
                reference=Reference("test", key),
                legs=(Leg(wallet, -100), Leg(revenue, 100)),
                reason="a period",
                document=billed(AT),
            ),
            NOTICES,
        )
        return transaction

    class Abandoned(Exception):
        pass

    async def abandon() -> None:
        async with in_transaction():
            await charged("abandoned")
            raise Abandoned  # whatever failed after the charge, in its transaction

    with pytest.raises(Abandoned):
        await abandon()
    kept = await charge("kept")
    assert (await Invoice.get(transaction_id=kept.id)).number == f"INV-{AT.year}-000001"
    assert not await LedgerTransaction.exists(idempotency_key="abandoned")
