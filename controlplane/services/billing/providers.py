"""How money comes in: one small interface per payment provider, chosen by name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from controlplane.db.models import TopUp
from shared.money import format_amount


@dataclass(frozen=True)
class PaymentStart:
    """What the customer is told to do to pay: instructions, and a page to go to when the
    provider has one (a Stripe Checkout Session; a bank transfer has none), with the
    provider's own name for the payment."""

    instructions: str
    redirect_url: str | None = None
    provider_ref: str | None = None


class Outcome(StrEnum):
    """What a provider's event means for its top-up."""

    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    # Nothing to do: an event type we do not act on, or a payment not yet settled.
    IGNORED = "ignored"


@dataclass(frozen=True)
class PaymentNotice:
    """A provider's verified event, in our words: which top-up, and what happened to it.
    `amount` and `currency` are what the provider says was paid, checked against the
    top-up before anything is credited."""

    provider: str
    event_id: str
    type: str
    outcome: Outcome
    top_up_id: uuid.UUID | None = None
    provider_ref: str | None = None
    amount: int | None = None
    currency: str | None = None


class PaymentProvider(Protocol):
    """A provider starts a payment for a pending top-up. Confirmation comes later and
    elsewhere (an administrator for manual transfers, a signed webhook for Stripe), and
    always credits through the top-up's idempotency key, so it counts once."""

    name: str

    async def start(self, top_up: TopUp) -> PaymentStart: ...


class ManualTransfer:
    """A bank transfer quoting the top-up's reference; an administrator confirms it."""

    name = "manual"

    def __init__(self, instructions: str) -> None:
        self._instructions = instructions

    async def start(self, top_up: TopUp) -> PaymentStart:
        return PaymentStart(
            f"{self._instructions} Amount: {format_amount(top_up.amount, top_up.currency)}. "
            f"Reference: {top_up.reference}."
        )
