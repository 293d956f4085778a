"""Wire types of billing: wallets, their ledger lines, credits and top-ups.

Every amount is an integer in the minor unit of `currency` (ISO 4217): 1234 EUR is 12.34 EUR.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.enums import DocumentKind, TopUpStatus, TransactionType, WalletOwnerType
from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

# A trillion minor units (ten billion euros): beyond it an amount is a typo, not a payment.
MAX_AMOUNT = 10**12
MINOR_UNITS = "in the minor unit of `currency` (cents for EUR)"


class WalletOut(WireOut):
    owner_type: WalletOwnerType
    owner_id: UUID
    currency: str
    balance: int = Field(description=f"what the wallet's postings sum to, {MINOR_UNITS}")
    credit_limit: int = Field(description="how far below zero an administrator lets it go")
    available: int = Field(description="balance + creditLimit: what can be spent now")


class CreditLimitRequest(WireModel):
    credit_limit: int = Field(
        ge=0, le=MAX_AMOUNT, description=f"how far below zero the wallet may go, {MINOR_UNITS}"
    )


class TransactionLine(WireOut):
    """One transaction as it touched one wallet."""

    id: UUID = Field(description="the ledger transaction")
    type: TransactionType
    amount: int = Field(description=f"added to the wallet (negative: taken), {MINOR_UNITS}")
    balance_after: int
    currency: str
    reference_type: str = Field(description="subscription, top_up, admin_action or seed")
    reference_id: str
    reason: str
    actor_id: UUID | None = Field(description="who caused it; null for the platform")
    owner_type: WalletOwnerType
    owner_id: UUID
    created_at: datetime


class TransactionListQuery(PageQuery):
    type: TransactionType | None = None
    user_id: UUID | None = Field(default=None, description="administrators only")


class TransactionList(WireOut):
    transactions: list[TransactionLine]
    pagination: Pagination


class CreditRequest(WireModel):
    user_id: UUID = Field(
        description="the wallet's team: a user's id names their personal team, or a team's id"
    )
    amount: int = Field(
        ge=-MAX_AMOUNT,
        le=MAX_AMOUNT,
        description=f"promotional credit when positive, a correction when negative; {MINOR_UNITS}",
    )
    reason: str = Field(min_length=3, max_length=500)
    idempotency_key: str | None = Field(
        default=None,
        min_length=8,
        max_length=100,
        description="the same key grants once: a retried request changes nothing",
    )


class TopUpRequest(WireModel):
    amount: int = Field(ge=1, le=MAX_AMOUNT, description=MINOR_UNITS)
    provider: Literal["manual", "stripe"] = Field(
        description="manual: bank transfer, confirmed by an administrator; stripe: Stripe "
        "Checkout (when the platform has it configured), confirmed by Stripe's signed event"
    )


class TopUpOut(WireOut):
    id: UUID
    user_id: UUID
    owner_type: WalletOwnerType
    owner_id: UUID
    amount: int
    currency: str
    provider: str
    status: TopUpStatus
    reference: str = Field(description="to quote on the payment")
    instructions: str
    redirect_url: str | None = Field(
        description="the provider's payment page to send the customer to (Stripe Checkout)"
    )
    transaction_id: UUID | None = Field(description="the ledger transaction, once confirmed")
    confirmed_at: datetime | None
    created_at: datetime


class TopUpListQuery(PageQuery):
    status: TopUpStatus | None = None
    reference: str | None = Field(default=None, max_length=32, description="as quoted on a payment")
    user_id: UUID | None = Field(default=None, description="administrators only")


class TopUpList(WireOut):
    top_ups: list[TopUpOut]
    pagination: Pagination


class PaymentReceipt(WireOut):
    """What a provider's event did: credited, failed, expired, ignored (and why), or
    duplicate (seen before: nothing changed)."""

    event_id: str
    outcome: str


class SellerOut(WireOut):
    name: str
    address: str
    vat_id: str


class BuyerOut(WireOut):
    name: str = Field(description="the account's name when the document was issued")
    email: str


class InvoiceLine(WireOut):
    description: str
    quantity: int
    unit_amount: int = Field(description=f"tax included, {MINOR_UNITS}")
    amount: int = Field(description="quantity * unitAmount, tax included")


class InvoiceOut(WireOut):
    """An invoice (for a charge) or a credit note (for a refund); amounts are positive."""

    id: UUID
    number: str = Field(description="INV-2026-000123 or CN-2026-000007: gapless per year")
    kind: DocumentKind
    transaction_id: UUID = Field(description="the ledger transaction it documents")
    user_id: UUID | None
    seller: SellerOut
    buyer: BuyerOut
    currency: str
    lines: list[InvoiceLine]
    subtotal: int = Field(description="total less tax")
    tax: int = Field(description="the tax contained in total")
    tax_rate: int = Field(description="basis points: 2000 is 20 %")
    total: int = Field(description=f"what the wallet paid (or got back), {MINOR_UNITS}")
    period_start: datetime | None
    period_end: datetime | None
    issued_at: datetime


class InvoiceListQuery(PageQuery):
    kind: DocumentKind | None = None
    user_id: UUID | None = Field(default=None, description="administrators only")


class InvoiceList(WireOut):
    invoices: list[InvoiceOut]
    pagination: Pagination


class ChurnOut(WireOut):
    window_days: int
    churned: int = Field(description="paying subscriptions cancelled or expired in the window")
    active_at_start: int = Field(description="paying subscriptions live when the window began")
    rate: float = Field(description="churned / activeAtStart (0 when none were live)")


class PastDueOut(WireOut):
    subscriptions: int
    amount: int = Field(description=f"the unpaid renewals' total, {MINOR_UNITS}")


class MonthRevenue(WireOut):
    month: str = Field(description="YYYY-MM, UTC")
    amount: int = Field(description=f"revenue posted in the month, {MINOR_UNITS}")


class BillingStats(WireOut):
    currency: str
    mrr: int = Field(
        description="monthly recurring revenue: paying subscriptions' prices, per month"
    )
    active_paying_subscriptions: int
    churn: ChurnOut
    past_due: PastDueOut
    revenue_by_month: list[MonthRevenue] = Field(description="the last 12 months, oldest first")


class UpcomingCharge(WireOut):
    subscription_id: UUID
    service_name: str
    amount: int = Field(description=f"the next period's price, {MINOR_UNITS}")
    currency: str
    due_at: datetime = Field(description="when the renewal charges it")


class WalletView(WalletOut):
    """The wallet as its owner reads it at GET /billing/wallet: what it holds, how fast it
    is spent, how long that lasts, and what it will be charged next."""

    daily_spend: int = Field(
        description="what live subscriptions cost per day (monthly prices spread over the"
        f" billing period, plus the last day's metered usage), {MINOR_UNITS}"
    )
    runway_days: float | None = Field(
        description="available ÷ dailySpend: days until the wallet is empty; null when"
        " nothing is spent"
    )
    low_balance: bool = Field(description="whether the runway is below the warning threshold")
    next_charges: list[UpcomingCharge]
