"""Top-ups through Stripe Checkout, against a local stand-in of Stripe's HTTP API: the
session is made with the official library, and the stand-in's signed events are checked
with the library's own signature check before a wallet is credited, once."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.appkeys import CONFIG
from controlplane.db.models import LedgerTransaction, PaymentEvent, TopUp
from shared.enums import TransactionType
from tests.controlplane.api.test_billing import lines, wallet
from tests.controlplane.api.test_subscriptions import customer
from tests.controlplane.services.apps.test_renewals import (
    as_alice,
    fall_behind,
    running_subscription,
    state,
)
from tests.stripe_standin import StripeStandIn, signature_header

SECRET_KEY = "sk_test_51StandInSecretKeyNeverLogged0000"
WEBHOOK_SECRET = "whsec_StandInWebhookSecretNeverLogged00000"
WEBHOOK = "/api/v1/billing/webhooks/stripe"


@pytest.fixture
async def standin(aiohttp_server) -> StripeStandIn:
    fake = StripeStandIn(SECRET_KEY, WEBHOOK_SECRET)
    server = await aiohttp_server(fake.app())
    fake.base_url = str(server.make_url("/")).rstrip("/")
    return fake


def stripe_settings(standin: StripeStandIn, **overrides: Any) -> dict[str, Any]:
    return {
        "run_jobs": False,
        "stripe_secret_key": SECRET_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_api_base": standin.base_url,
        "stripe_success_url": "http://127.0.0.1:3000/billing?paid={CHECKOUT_SESSION_ID}",
        "stripe_cancel_url": "http://127.0.0.1:3000/billing?cancelled=1",
        **overrides,
    }


@pytest.fixture
async def shop(aiohttp_client, config, clock, cluster, standin) -> TestClient:
    """The real app with Stripe configured against the stand-in, which delivers its events
    to the app's real webhook over loopback."""
    app = create_app(config.replace(**stripe_settings(standin)), clock=clock, cluster=cluster)
    client = await aiohttp_client(app)
    standin.webhook_url = str(client.make_url(WEBHOOK))
    return client


async def start_stripe_top_up(
    client: TestClient, who: dict[str, str], amount: int
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/billing/top-ups", json={"amount": amount, "provider": "stripe"}, headers=who
    )
    body = await resp.json()
    assert resp.status == 201, body
    return dict(body["data"])


def session_of(standin: StripeStandIn, top_up: dict[str, Any]) -> str:
    (session_id,) = [
        s["id"] for s in standin.sessions.values() if s["client_reference_id"] == top_up["id"]
    ]
    return session_id


async def test_a_stripe_top_up_pays_on_checkout_and_its_signed_event_credits_once(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    top_up = await start_stripe_top_up(shop, alice, 4200)
    assert top_up["status"] == "PENDING" and top_up["provider"] == "stripe"
    (asked,) = standin.requests
    assert asked["mode"] == "payment" and asked["client_reference_id"] == top_up["id"]
    assert asked["metadata"]["top_up_id"] == top_up["id"]
    (item,) = asked["line_items"]
    assert item["price_data"]["unit_amount"] == "4200"
    assert item["price_data"]["currency"] == "eur"
    assert asked["success_url"].endswith("paid={CHECKOUT_SESSION_ID}")
    session_id = session_of(standin, top_up)
    assert top_up["redirectUrl"] == standin.sessions[session_id]["url"]
    assert top_up["redirectUrl"].startswith(standin.base_url)
    assert (await wallet(shop, alice))["balance"] == 0  # nothing until Stripe says paid

    status, body = await standin.deliver(standin.completed(session_id))
    assert status == 200, body
    assert body["data"]["outcome"] == "credited"
    assert (await wallet(shop, alice))["balance"] == 4200
    (line,) = await lines(shop, alice)
    assert line["type"] == "TOP_UP" and line["referenceId"] == top_up["id"]
    assert line["actorId"] is None  # the platform, on Stripe's word
    listed = await (await shop.get("/api/v1/billing/top-ups", headers=alice)).json()
    assert listed["data"]["topUps"][0]["status"] == "CONFIRMED"


async def test_the_same_event_delivered_twice_credits_once(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 1500))
    event = standin.completed(session_id)
    assert (await standin.deliver(event))[1]["data"]["outcome"] == "credited"
    # Stripe redelivers what it did not hear answered, and an attacker may replay a
    # recorded delivery: either way 200 (Stripe stops retrying) and nothing changes.
    status, body = await standin.deliver(event)
    assert status == 200 and body["data"]["outcome"] == "duplicate"
    assert (await wallet(shop, alice))["balance"] == 1500
    assert await LedgerTransaction.filter(type=TransactionType.TOP_UP).count() == 1


async def test_two_different_events_for_one_session_credit_once(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 1500))
    first = standin.completed(session_id)
    second = standin.event(session_id, "checkout.session.async_payment_succeeded")
    assert (await standin.deliver(first))[1]["data"]["outcome"] == "credited"
    status, body = await standin.deliver(second)
    assert status == 200 and body["data"]["outcome"] == "ignored: already credited"
    assert (await wallet(shop, alice))["balance"] == 1500
    assert await LedgerTransaction.filter(type=TransactionType.TOP_UP).count() == 1


async def test_a_forged_tampered_or_stale_event_is_refused_and_credits_nothing(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 900))
    event = standin.completed(session_id)
    payload = json.dumps(event).encode()
    tampered = payload.replace(b'"amount_total": 900', b'"amount_total": 900000')
    assert tampered != payload
    refusals = {
        "tampered body": dict(signature=signature_header(payload, WEBHOOK_SECRET)),
        "wrong secret": dict(secret="whsec_" + "x" * 32),
        "outside the tolerance": dict(timestamp=int(time.time()) - 600),
        "no v1 signature": dict(signature=f"t={int(time.time())}"),
    }
    for why, how in refusals.items():
        body_sent = tampered if why == "tampered body" else payload
        status, body = await standin.deliver(body_sent, **how)
        assert status == 400, (why, body)
        assert body["code"] == "VALIDATION_ERROR" and "Stripe-Signature" in body["message"]
    unsigned = await shop.post(WEBHOOK, data=payload, headers={"Content-Type": "application/json"})
    assert unsigned.status == 400
    assert (await wallet(shop, alice))["balance"] == 0
    assert await PaymentEvent.all().count() == 0  # a refusal records nothing...
    # ... so the genuine delivery of the same event still counts.
    assert (await standin.deliver(payload))[1]["data"]["outcome"] == "credited"
    assert (await wallet(shop, alice))["balance"] == 900


@pytest.mark.parametrize("dialect", ["postgres"])
async def test_concurrent_deliveries_of_one_payment_credit_once_on_postgres(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 2500))
    event = standin.completed(session_id)
    other = standin.event(session_id, "checkout.session.async_payment_succeeded")
    answers = await asyncio.gather(
        *(standin.deliver(event) for _ in range(8)), standin.deliver(other)
    )
    assert [status for status, _ in answers] == [200] * 9
    outcomes = sorted(body["data"]["outcome"] for _, body in answers)
    assert outcomes.count("credited") == 1, outcomes
    assert set(outcomes) <= {"credited", "duplicate", "ignored: already credited"}
    assert (await wallet(shop, alice))["balance"] == 2500
    assert await LedgerTransaction.filter(type=TransactionType.TOP_UP).count() == 1
    assert await PaymentEvent.all().count() == 2  # each event recorded once


async def test_an_expired_or_failed_checkout_marks_its_top_up_and_credits_nothing(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    abandoned = session_of(standin, await start_stripe_top_up(shop, alice, 700))
    bounced = session_of(standin, await start_stripe_top_up(shop, alice, 800))
    expired = standin.event(abandoned, "checkout.session.expired", status="expired")
    assert (await standin.deliver(expired))[1]["data"]["outcome"] == "expired"
    # A SEPA debit: completed but unpaid, then failed days later.
    unpaid = standin.event(bounced, "checkout.session.completed", status="complete")
    assert (await standin.deliver(unpaid))[1]["data"]["outcome"].startswith("ignored")
    failed = standin.event(bounced, "checkout.session.async_payment_failed")
    assert (await standin.deliver(failed))[1]["data"]["outcome"] == "failed"
    statuses = {t.amount: t.status.value for t in await TopUp.all()}
    assert statuses == {700: "EXPIRED", 800: "FAILED"}
    assert (await wallet(shop, alice))["balance"] == 0


async def test_an_event_paying_another_amount_than_the_top_up_credits_nothing(shop, standin):
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 1000))
    event = standin.completed(session_id)
    event["data"]["object"]["amount_total"] = 10
    status, body = await standin.deliver(event)
    assert status == 200 and body["data"]["outcome"].startswith("ignored")
    assert (await wallet(shop, alice))["balance"] == 0


async def test_a_stripe_top_up_is_confirmed_by_stripe_never_by_an_administrator(
    shop, standin, admin
):
    alice = await customer(shop, "alice@example.com", funds=0)
    top_up = await start_stripe_top_up(shop, alice, 1000)
    resp = await shop.post(f"/api/v1/admin/billing/top-ups/{top_up['id']}/confirm", headers=admin)
    assert resp.status == 409
    assert (await wallet(shop, alice))["balance"] == 0


async def test_stripe_refusing_the_secret_key_starts_no_top_up(
    aiohttp_client, config, clock, cluster, standin
):
    settings = stripe_settings(standin, stripe_secret_key="sk_test_" + "z" * 30)
    client = await aiohttp_client(create_app(config.replace(**settings), clock=clock))
    alice = await customer(client, "alice@example.com", funds=0)
    resp = await client.post(
        "/api/v1/billing/top-ups", json={"amount": 100, "provider": "stripe"}, headers=alice
    )
    assert resp.status == 503 and (await resp.json())["code"] == "SERVICE_UNAVAILABLE"
    assert await TopUp.all().count() == 0


async def test_without_stripe_configured_neither_the_provider_nor_its_webhook_exists(
    platform, standin
):
    alice = await customer(platform, "alice@example.com", funds=0)
    resp = await platform.post(
        "/api/v1/billing/top-ups", json={"amount": 100, "provider": "stripe"}, headers=alice
    )
    assert resp.status == 400
    standin.webhook_url = str(platform.make_url(WEBHOOK))
    status, body = await standin.deliver({"id": "evt_1", "type": "x", "data": {"object": {}}})
    assert status == 404 and body["code"] == "NOT_FOUND"


async def test_stripe_secrets_never_reach_the_log(shop, standin, caplog):
    caplog.set_level(logging.DEBUG)
    alice = await customer(shop, "alice@example.com", funds=0)
    session_id = session_of(standin, await start_stripe_top_up(shop, alice, 300))
    await standin.deliver(standin.completed(session_id))
    await standin.deliver(standin.completed(session_id), secret="whsec_wrong" + "0" * 24)
    assert caplog.records, "the flow logged nothing: this check would prove nothing"
    assert SECRET_KEY not in caplog.text and WEBHOOK_SECRET not in caplog.text
    settings = repr(shop.app[CONFIG])
    assert SECRET_KEY not in settings and WEBHOOK_SECRET not in settings


async def test_a_paid_checkout_settles_a_past_due_subscription_at_once(
    shop, standin, admin, services, clock
):
    _, data, price = await running_subscription(shop, admin, services, periods=1)
    await fall_behind(shop, clock)
    top_up = await start_stripe_top_up(shop, await as_alice(shop), price)
    status, body = await standin.deliver(standin.completed(session_of(standin, top_up)))
    assert status == 200 and body["data"]["outcome"] == "credited"
    assert (await state(shop, None, data["id"]))["status"] == "ACTIVE"
    assert (await wallet(shop, await as_alice(shop)))["balance"] == 0
