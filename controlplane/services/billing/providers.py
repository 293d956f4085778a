"""How money comes in: one small interface per payment provider, chosen by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from controlplane.db.models import TopUp
from shared.money import format_amount


@dataclass(frozen=True)
class PaymentStart:
    """What the customer is told to do to pay: instructions, and a page to go to when the
    provider has one (a Stripe Checkout Session will; a bank transfer has none)."""

    instructions: str
    redirect_url: str | None = None


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
