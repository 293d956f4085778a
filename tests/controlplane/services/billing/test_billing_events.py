"""What billing tells: each movement of a wallet's money, a renewal that could not be paid,
and a runway that falls below the threshold, once per crossing; all written with the
money's movement in its transaction. And what a wallet's owner reads of it."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import LedgerAccount, OutboxEvent, Service, User
from tests.conftest import FakeClock, bearer, sign_in
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.controlplane.services.apps.test_renewals import DAY, as_admin

EMAIL = "bea@example.com"


async def told(type: str) -> list[dict[str, Any]]:
    return [dict(e.payload) for e in await OutboxEvent.filter(type=type).order_by("occurred_at")]


async def as_bea(client: TestClient) -> dict[str, str]:
    return bearer((await sign_in(client, EMAIL, "Customer1!x"))["accessToken"])


async def grant(client: TestClient, amount: int, reason: str = "goodwill") -> Any:
    user = await User.get(email=EMAIL)
    return await client.post(
        "/api/v1/admin/billing/credits",
        json={"userId": str(user.id), "amount": amount, "reason": reason},
        headers=await as_admin(client),
    )


async def test_every_movement_of_a_wallet_is_told_with_its_amount_and_a_402_tells_nothing(
    platform, admin, services
) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    bea = await customer(platform, EMAIL, funds=0)
    started = await platform.post(
        "/api/v1/billing/top-ups", json={"amount": price, "provider": "manual"}, headers=bea
    )
    top_up = (await started.json())["data"]
    confirmed = await platform.post(
        f"/api/v1/admin/billing/top-ups/{top_up['id']}/confirm", headers=admin
    )
    assert confirmed.status == 200, await confirmed.text()
    assert (await subscribe(platform, bea, services["ghost"])).status == 201
    assert (await subscribe(platform, bea, services["ghost"])).status == 402

    (topped,) = await told("billing.topped_up")
    assert topped["amount"] == price and topped["email"] == EMAIL
    (charged,) = await told("billing.charged")  # the 402 left no event
    assert charged["amount"] == -price and charged["balance"] == 0
    assert charged["reference_type"] == "subscription"
    assert await told("billing.adjusted") == []  # nobody gave credit


async def test_a_renewal_that_cannot_be_paid_is_told_once_not_at_every_retry(
    platform, admin, services, clock: FakeClock
) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    bea = await customer(platform, EMAIL, funds=price)
    assert (await subscribe(platform, bea, services["ghost"])).status == 201
    clock.advance(31 * DAY + 60)
    for _ in range(3):
        await reconcile(platform)
        clock.advance(DAY // 2)
    (failed,) = await told("billing.payment_failed")
    assert failed["amount"] == price and failed["shortfall"] == price
    assert failed["email"] == EMAIL
    assert len(await told("subscription.past_due")) == 1
    clock.advance(3 * DAY)  # past the grace: suspended, still told once as a failed payment
    await reconcile(platform)
    assert len(await told("billing.payment_failed")) == 1
    assert len(await told("subscription.suspended")) == 1


async def test_a_low_balance_is_told_once_per_crossing(platform, admin, services) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    # After the first period is paid, 5 % of a month's price is left: under 3 days of runway.
    bea = await customer(platform, EMAIL, funds=price + price // 20)
    assert (await subscribe(platform, bea, services["ghost"])).status == 201
    (low,) = await told("wallet.low_balance")
    assert low["available"] == price // 20 and low["runway_days"] < 3
    assert low["email"] == EMAIL

    assert (await grant(platform, 1)).status == 201  # still low: not told again
    assert len(await told("wallet.low_balance")) == 1
    assert (await grant(platform, price)).status == 201  # back above: the warning clears
    wallet = await LedgerAccount.get(owner_id=(await User.get(email=EMAIL)).id)
    assert wallet.low_balance_at is None
    assert len(await told("wallet.low_balance")) == 1
    assert (await grant(platform, -price, "correction")).status == 201  # down again: told
    assert len(await told("wallet.low_balance")) == 2


async def test_an_administrators_credit_pays_what_is_overdue_at_once(
    platform, admin, services, clock: FakeClock
) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    bea = await customer(platform, EMAIL, funds=price)
    made = await subscribe(platform, bea, services["ghost"])
    subscription_id = (await made.json())["data"]["id"]
    await reconcile(platform)
    await reconcile(platform)
    clock.advance(31 * DAY + 60)
    await reconcile(platform)

    async def status() -> str:
        got = await platform.get(
            f"/api/v1/subscriptions/{subscription_id}", headers=await as_bea(platform)
        )
        return str((await got.json())["data"]["status"])

    assert await status() == "PAST_DUE"
    assert (await grant(platform, price, "an outage")).status == 201
    assert await status() == "ACTIVE"  # no renewal pass ran in between


async def test_the_wallet_shows_its_daily_spend_runway_and_next_charges(
    platform, admin, services
) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    bea = await customer(platform, EMAIL, funds=3 * price)
    empty = (await (await platform.get("/api/v1/billing/wallet", headers=bea)).json())["data"]
    assert empty["dailySpend"] == 0 and empty["runwayDays"] is None
    assert empty["nextCharges"] == [] and empty["lowBalance"] is False

    made = (await (await subscribe(platform, bea, services["ghost"])).json())["data"]
    wallet = (await (await platform.get("/api/v1/billing/wallet", headers=bea)).json())["data"]
    # A monthly price over the mean month (2,629,746 s), rounded up.
    assert wallet["dailySpend"] == -(-price * 86_400 // 2_629_746)
    assert abs(wallet["runwayDays"] - 2 * price / wallet["dailySpend"]) < 0.01
    (upcoming,) = wallet["nextCharges"]
    assert upcoming["subscriptionId"] == made["id"] and upcoming["amount"] == price
    assert upcoming["dueAt"] == made["currentPeriodEnd"]

    cancelled = await platform.post(f"/api/v1/subscriptions/{made['id']}/cancel", headers=bea)
    assert cancelled.status == 200
    after = (await (await platform.get("/api/v1/billing/wallet", headers=bea)).json())["data"]
    assert after["nextCharges"] == [] and after["dailySpend"] == 0  # it will not renew
