"""Invoices and credit notes: issued with the ledger transaction they document, numbered
without gaps per series and year, never changed afterwards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from controlplane.db.models import DocumentCounter, Invoice, LedgerTransaction
from controlplane.db.sql import marks
from controlplane.services.billing.payers import Payer, payer_of
from controlplane.services.ownership import Acting, find_in_team, in_team
from controlplane.services.paging import page
from shared.enums import DocumentKind, TransactionType, WalletOwnerType
from shared.wire.billing import (
    BuyerOut,
    InvoiceLine,
    InvoiceList,
    InvoiceListQuery,
    InvoiceOut,
    SellerOut,
)

# Which ledger transactions leave a document, of which kind and series.
DOCUMENTS: dict[TransactionType, tuple[DocumentKind, str]] = {
    TransactionType.CHARGE: (DocumentKind.INVOICE, "INV"),
    TransactionType.REFUND: (DocumentKind.CREDIT_NOTE, "CN"),
}
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    vat_id: str


@dataclass(frozen=True)
class Invoicing:
    """Who sells, at what tax (basis points, prices tax-inclusive): from configuration."""

    seller: Seller
    tax_rate: int


@dataclass(frozen=True)
class Billed:
    """What a CHARGE or REFUND must say beyond its postings to be documented: the seller
    and tax in force, the moment of issue (its year picks the numbering) and the period
    the money is for."""

    invoicing: Invoicing
    issued_at: datetime
    period_start: datetime | None = None
    period_end: datetime | None = None


def tax_included(total: int, rate: int) -> int:
    """The tax contained in a tax-inclusive `total` at `rate` basis points, rounded half up
    to the minor unit, in integers only: total * rate / (10000 + rate)."""
    if total < 0:
        return -tax_included(-total, rate)
    divisor = BASIS_POINTS + rate
    return (2 * total * rate + divisor) // (2 * divisor)


def document_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"


async def next_sequence(series: str, year: int) -> int:
    """The next number of `series` in `year`, inside the caller's database transaction.

    A counter row, not a database sequence: a sequence hands out numbers outside the
    transaction, so a rolled-back charge (a 402, a crash) would leave a gap, and invoice
    numbers must have none. One statement makes the year's row or adds one to it and
    returns the number: its row stays locked until the caller commits, so concurrent
    charges take numbers one after another (a concurrent first of the year waits on the
    row the other made, then adds to it), and a rollback undoes the increment with
    everything else. SQLite has no row locks but runs one write transaction at a time,
    which serialises the same way.

    Every document of the year queues on this row until its transaction commits, so
    callers take it as late in their transaction as they can (ledger.post issues the
    document last)."""
    conn = DocumentCounter._meta.db
    key, one = marks(conn, 2)
    # Both databases (SQLite 3.35+) upsert with RETURNING; the driver's rows are read
    # through execute_query_dict, which returns them for an INSERT on both.
    rows = await conn.execute_query_dict(
        f"INSERT INTO document_counters (id, issued) VALUES ({key}, {one}) "  # noqa: S608 - placeholders and fixed text only
        "ON CONFLICT (id) DO UPDATE SET issued = document_counters.issued + 1 "
        "RETURNING issued",
        [f"{series}-{year}", 1],
    )
    return int(rows[0]["issued"])


class _Unread:
    """The buyer was not read by the caller: issue reads it."""


UNREAD = _Unread()


async def _buyer(owner_id: uuid.UUID, payer: Payer | _Unread | None) -> Payer:
    if isinstance(payer, _Unread):
        payer = await payer_of(owner_id)
    # A team gone meanwhile is still billed: by its id, as the ledger knows it.
    return payer or Payer(f"TEAM {owner_id}", "", None)


async def issue(
    transaction: LedgerTransaction,
    owner_type: WalletOwnerType,
    owner_id: uuid.UUID,
    amount: int,
    description: str,
    billed: Billed,
    buyer: Payer | _Unread | None = UNREAD,
) -> Invoice:
    """Issues the document of a CHARGE or REFUND of `amount` (positive) from or to the
    owner's wallet, inside the ledger's transaction: both are committed, or neither.
    `buyer`: the owner as the caller read it in this transaction (None: gone), so it is
    not read twice."""
    kind, series = DOCUMENTS[transaction.type]
    year = billed.issued_at.astimezone(UTC).year
    payer = await _buyer(owner_id, buyer)
    # The number last of all it reads or writes: from here the series' counter is
    # locked until the caller's transaction commits.
    sequence = await next_sequence(series, year)
    seller = billed.invoicing.seller
    tax = tax_included(amount, billed.invoicing.tax_rate)
    line = InvoiceLine(description=description, quantity=1, unit_amount=amount, amount=amount)
    return await Invoice.create(
        id=uuid.uuid4(),
        number=document_number(series, year, sequence),
        kind=kind,
        transaction_id=transaction.id,
        owner_type=owner_type,
        owner_id=owner_id,
        user_id=payer.user_id,
        seller_name=seller.name,
        seller_address=seller.address,
        seller_vat_id=seller.vat_id,
        buyer_name=payer.name,
        buyer_email=payer.email or "",
        currency=transaction.currency,
        subtotal=amount - tax,
        tax=tax,
        total=amount,
        tax_rate=billed.invoicing.tax_rate,
        lines=[line.model_dump(mode="json", by_alias=True)],
        period_start=billed.period_start,
        period_end=billed.period_end,
        issued_at=billed.issued_at,
    )


def out(invoice: Invoice) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.id,
        number=invoice.number,
        kind=invoice.kind,
        transaction_id=invoice.transaction_id,
        user_id=invoice.user_id,
        seller=SellerOut(
            name=invoice.seller_name, address=invoice.seller_address, vat_id=invoice.seller_vat_id
        ),
        buyer=BuyerOut(name=invoice.buyer_name, email=invoice.buyer_email),
        currency=invoice.currency,
        lines=[InvoiceLine.model_validate(line) for line in invoice.lines],
        subtotal=invoice.subtotal,
        tax=invoice.tax,
        tax_rate=invoice.tax_rate,
        total=invoice.total,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issued_at=invoice.issued_at,
    )


async def list_invoices(who: Acting, query: InvoiceListQuery) -> InvoiceList:
    """The team's documents; an administrator's are everyone's, or one user's."""
    qs = in_team(who, Invoice.all(), query.user_id, by="owner_id")
    if query.kind is not None:
        qs = qs.filter(kind=query.kind)
    rows, pagination = await page(qs, query, "issued_at")
    return InvoiceList(invoices=[out(i) for i in rows], pagination=pagination)


async def visible_invoice(who: Acting, raw_id: str) -> InvoiceOut:
    return out(await find_in_team(who, Invoice.all(), raw_id, "Invoice", by="owner_id"))
