"""Paying in through Stripe Checkout: a hosted payment page per top-up, and Stripe's signed
events read into what they mean for that top-up."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import stripe

from controlplane.db.models import TopUp
from controlplane.services.billing.providers import Outcome, PaymentNotice, PaymentStart
from controlplane.services.errors import Invalid, Unavailable
from shared.money import format_amount

log = logging.getLogger("minispod.billing.stripe")

# The Checkout Session events that change a top-up. "completed" is paid at once for cards;
# for delayed methods (SEPA debit) it comes unpaid, and one of the async events follows.
_SETTLING = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
}
_FAILING = {"checkout.session.async_payment_failed": Outcome.FAILED}
_EXPIRING = {"checkout.session.expired": Outcome.EXPIRED}


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str
    webhook_secret: str
    success_url: str
    cancel_url: str
    # Seconds a signed event stays acceptable; older is a replay.
    tolerance: int = 300
    # None: Stripe's own API; the suite names a local stand-in.
    api_base: str | None = None

    def __repr__(self) -> str:
        # Secrets never reach a log line, even one that prints the settings whole.
        return f"StripeSettings(api_base={self.api_base!r}, tolerance={self.tolerance})"


class StripeCheckout:
    """The `stripe` PaymentProvider, over Stripe's official library (asynchronous calls
    on aiohttp, which we run anyway)."""

    name = "stripe"

    def __init__(self, settings: StripeSettings) -> None:
        self._settings = settings
        self._http = stripe.AIOHTTPClient(timeout=20)
        self._client = stripe.StripeClient(
            settings.secret_key,
            base_addresses={"api": settings.api_base} if settings.api_base else None,
            http_client=self._http,
            # The library retries network failures and 409/5xx itself, with the same
            # idempotency key, so a retry cannot make a second session.
            max_network_retries=2,
        )

    async def start(self, top_up: TopUp) -> PaymentStart:
        params: Any = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        # Stripe counts in the currency's smallest unit, as we do.
                        "currency": top_up.currency.lower(),
                        "unit_amount": top_up.amount,
                        "product_data": {"name": f"Wallet top-up {top_up.reference}"},
                    },
                }
            ],
            # Both name the top-up: client_reference_id is what the dashboard shows,
            # metadata is what we read back from the event.
            "client_reference_id": str(top_up.id),
            "metadata": {"top_up_id": str(top_up.id), "reference": top_up.reference},
            "success_url": self._settings.success_url,
            "cancel_url": self._settings.cancel_url,
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params, {"idempotency_key": f"top-up-{top_up.id}"}
            )
        except stripe.StripeError as exc:
            # The library's message names no secret; its user_message is for people.
            log.warning("stripe: creating a checkout session failed: %s", type(exc).__name__)
            raise Unavailable("The payment provider could not be reached; try again") from None
        return PaymentStart(
            f"Pay {format_amount(top_up.amount, top_up.currency)} on Stripe's page; your "
            f"wallet is credited when Stripe confirms the payment. Reference: {top_up.reference}.",
            redirect_url=session.url,
            provider_ref=session.id,
        )

    def read_event(self, payload: bytes, signature: str | None) -> PaymentNotice:
        """The event, once its Stripe-Signature proves it Stripe's and recent (the library's
        own check: HMAC-SHA256 over "t.payload" with the webhook secret, and the
        timestamp within the tolerance). Anything else is refused (400)."""
        try:
            event = stripe.Webhook.construct_event(
                payload,
                signature,
                self._settings.webhook_secret,
                tolerance=self._settings.tolerance,
                api_key=self._settings.secret_key,
            )
        except stripe.SignatureVerificationError:
            raise Invalid("Invalid Stripe-Signature: not signed by Stripe, or too old") from None
        except ValueError:
            raise Invalid("The event is not JSON") from None
        return notice_of(event.to_dict())

    async def close(self) -> None:
        await self._http.close_async()


def notice_of(event: dict[str, Any]) -> PaymentNotice:
    """What a verified event (as plain JSON) means for its top-up."""
    kind = str(event["type"])
    session = event["data"]["object"]
    outcome = Outcome.IGNORED
    if kind in _SETTLING and session.get("payment_status") == "paid":
        outcome = Outcome.PAID
    outcome = _FAILING.get(kind, _EXPIRING.get(kind, outcome))
    metadata = session.get("metadata") or {}
    raw_id = metadata.get("top_up_id") or session.get("client_reference_id")
    top_up_id = None
    if kind.startswith("checkout.session.") and raw_id:
        try:
            top_up_id = uuid.UUID(str(raw_id))
        except ValueError:
            top_up_id = None  # another integration's session on the same Stripe account
    amount = session.get("amount_total")
    currency = session.get("currency")
    return PaymentNotice(
        provider=StripeCheckout.name,
        event_id=str(event["id"]),
        type=kind,
        outcome=outcome if top_up_id else Outcome.IGNORED,
        top_up_id=top_up_id,
        provider_ref=session.get("id"),
        amount=int(amount) if isinstance(amount, int) else None,
        currency=str(currency).upper() if currency else None,
    )
