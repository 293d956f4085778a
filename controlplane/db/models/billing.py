"""The ledger: accounts (customers' wallets and the platform's own), transactions, postings;
the top-ups customers start to pay money in; and the invoices and credit notes issued
for charges and refunds."""

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model

from shared.enums import (
    DocumentKind,
    LedgerAccountKind,
    TopUpStatus,
    TransactionType,
    WalletOwnerType,
)


class LedgerAccount(Model):
    """A wallet (owned by a team: one per team and currency) or a platform account.

    The migration adds a CHECK that keeps a wallet's cached balance at or above
    minus its credit limit: the database, not only our code, refuses an overdraft."""

    id = fields.UUIDField(primary_key=True)
    # One row per account and currency: "WALLET:TEAM:<uuid>:EUR", "REVENUE:EUR".
    key = fields.CharField(max_length=120, unique=True)
    kind = fields.CharEnumField(LedgerAccountKind, max_length=24)
    owner_type = fields.CharEnumField(WalletOwnerType, max_length=16, null=True)
    owner_id = fields.UUIDField(null=True, db_index=True)
    currency = fields.CharField(max_length=3)
    # The sum of the account's postings, kept for wallets only and changed in the
    # transaction that posts. Platform accounts leave it NULL and are summed when
    # read, so charges of different customers never queue on one revenue row.
    balance = fields.BigIntField(null=True)
    # How far below zero an administrator lets this wallet go (0: not at all).
    credit_limit = fields.BigIntField(default=0)
    # Since when the wallet's runway is below the warning threshold (NULL: it is not):
    # set and cleared under the wallet's row lock by the posting that crosses it, so a
    # low balance is told once per crossing.
    low_balance_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_accounts"


class LedgerTransaction(Model):
    """One movement of money: two or more postings summing to zero. Never updated."""

    id = fields.UUIDField(primary_key=True)
    # The same key posts once: a retried request, a second confirm, a second replica.
    idempotency_key = fields.CharField(max_length=200, unique=True)
    type = fields.CharEnumField(TransactionType, max_length=16, db_index=True)
    currency = fields.CharField(max_length=3)
    # What it is about: ("subscription", id), ("top_up", id), ("admin_action", id), ...
    reference_type = fields.CharField(max_length=32)
    reference_id = fields.CharField(max_length=64)
    # Who caused it; NULL for the platform itself (the seed, later the renewal job).
    actor_id = fields.UUIDField(null=True)
    reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ledger_transactions"


class LedgerPosting(Model):
    """One leg of a transaction: an amount (never zero) added to one account. Never updated."""

    id = fields.UUIDField(primary_key=True)
    transaction: fields.ForeignKeyRelation[LedgerTransaction] = fields.ForeignKeyField(
        "models.LedgerTransaction", related_name="postings", on_delete=fields.RESTRICT
    )
    account: fields.ForeignKeyRelation[LedgerAccount] = fields.ForeignKeyField(
        "models.LedgerAccount", related_name="postings", on_delete=fields.RESTRICT
    )
    # The foreign keys' columns, as tortoise sets them (declared for the type checker).
    transaction_id: uuid.UUID
    account_id: uuid.UUID
    amount = fields.BigIntField()
    # The wallet's balance right after this posting (NULL on platform accounts): a
    # statement reads it without summing history.
    balance_after = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ledger_postings"


class TopUp(Model):
    """Money a customer said they will pay in, through a provider; credited once, on confirm."""

    id = fields.UUIDField(primary_key=True)
    owner_type = fields.CharEnumField(WalletOwnerType, max_length=16)
    owner_id = fields.UUIDField(db_index=True)
    # Who asked for it.
    user_id = fields.UUIDField(db_index=True)
    amount = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    provider = fields.CharField(max_length=32)
    status = fields.CharEnumField(
        TopUpStatus, max_length=16, default=TopUpStatus.PENDING, db_index=True
    )
    # What the customer quotes on the transfer, so the payment finds its top-up.
    reference = fields.CharField(max_length=32, unique=True)
    instructions = fields.TextField()
    # The provider's name for the payment (a Stripe Checkout Session id), and the page
    # the customer pays on, when the provider has one.
    provider_ref = fields.CharField(max_length=255, null=True, unique=True)
    redirect_url = fields.CharField(max_length=2048, null=True)
    transaction_id = fields.UUIDField(null=True)
    confirmed_by = fields.UUIDField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "top_ups"


class PaymentEvent(Model):
    """A provider's event, by its id, written in the transaction that acted on it: an event
    seen before is a replay (or a provider's redelivery) and changes nothing."""

    id = fields.UUIDField(primary_key=True)
    provider = fields.CharField(max_length=32)
    event_id = fields.CharField(max_length=255)
    type = fields.CharField(max_length=100)
    top_up_id = fields.UUIDField(null=True, db_index=True)
    # What it did: credited, failed, expired, ignored (and why).
    outcome = fields.CharField(max_length=200)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_events"
        unique_together = (("provider", "event_id"),)


class DocumentCounter(Model):
    """How many numbers one series and year ("INV-2026") has issued: locked, incremented and
    committed with the document it numbers, so a rolled-back charge gives its number back."""

    id = fields.CharField(max_length=16, primary_key=True)
    issued = fields.IntField(default=0)

    class Meta:
        table = "document_counters"


class Invoice(Model):
    """An invoice (a CHARGE) or a credit note (a REFUND), issued in the ledger transaction it
    documents. Never updated: seller, buyer, tax and lines are copied in at issue, so a
    later rename, move or tax change leaves the documents already issued as they were."""

    id = fields.UUIDField(primary_key=True)
    # "INV-2026-000123": series, year of issue, and the place in that year's sequence.
    number = fields.CharField(max_length=32, unique=True)
    kind = fields.CharEnumField(DocumentKind, max_length=16)
    transaction_id = fields.UUIDField(unique=True)
    owner_type = fields.CharEnumField(WalletOwnerType, max_length=16)
    owner_id = fields.UUIDField()
    # The account it was issued to: a personal team's user (NULL for a shared team).
    user_id = fields.UUIDField(null=True, db_index=True)
    seller_name = fields.CharField(max_length=200)
    seller_address = fields.CharField(max_length=500)
    seller_vat_id = fields.CharField(max_length=32)
    buyer_name = fields.CharField(max_length=200)
    buyer_email = fields.CharField(max_length=254)
    currency = fields.CharField(max_length=3)
    # Tax-inclusive: total is what moved in the ledger; tax is the part of it owed as
    # tax at tax_rate (basis points), subtotal the rest. All in minor units.
    subtotal = fields.BigIntField()
    tax = fields.BigIntField()
    total = fields.BigIntField()
    tax_rate = fields.IntField()
    lines: list[dict[str, Any]] = fields.JSONField()
    period_start = fields.DatetimeField(null=True)
    period_end = fields.DatetimeField(null=True)
    issued_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "invoices"
