"""Renewals: each period charged from the wallet; unpaid, PAST_DUE then SUSPENDED then
EXPIRED; paying again resumes; never a period charged twice, whoever renews."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from tortoise.transactions import in_transaction

from controlplane.appkeys import SUBSCRIPTIONS
from controlplane.db.models import LedgerTransaction, Service, Subscription, WorkerNode
from controlplane.services.billing.wallets import WalletOwner
from tests.conftest import ADMIN_PASSWORD, FakeClock, bearer, sign_in
from tests.controlplane.api.test_subscriptions import (
    NOW,
    active_node,
    customer,
    reconcile,
    subscribe,
)
from tests.controlplane.conftest import fund

DAY = 24 * 3600
GHOST = "alice@example.com"


async def as_alice(client: TestClient) -> dict[str, str]:
    """Signed in afresh: the tests move the clock by weeks, past any access token."""
    return bearer((await sign_in(client, GHOST, "Customer1!x"))["accessToken"])


async def as_admin(client: TestClient) -> dict[str, str]:
    return bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


async def state(client: TestClient, _who: object, subscription_id: str) -> dict[str, Any]:
    who = await as_alice(client)
    body = await (await client.get(f"/api/v1/subscriptions/{subscription_id}", headers=who)).json()
    return dict(body["data"])


async def balance(client: TestClient, _who: object) -> int:
    body = await (await client.get("/api/v1/billing/wallet", headers=await as_alice(client))).json()
    return int(body["data"]["balance"])


async def running_subscription(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], periods: int
) -> tuple[dict[str, str], dict[str, Any], int]:
    """Alice with money for `periods` periods of Ghost, subscribed, its instance RUNNING."""
    await active_node(platform, admin, "worker-a")
    price = (await Service.get(id=services["ghost"])).monthly_price
    alice = await customer(platform, GHOST, funds=periods * price)
    data = (await (await subscribe(platform, alice, services["ghost"])).json())["data"]
    await reconcile(platform)
    await reconcile(platform)
    assert (await state(platform, alice, data["id"]))["instance"]["status"] == "RUNNING"
    return alice, data, price


async def test_a_due_period_is_charged_from_the_wallet_and_the_period_moves_on(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=2)
    assert await balance(platform, alice) == price
    clock.advance(32 * DAY)
    result = await reconcile(platform)
    assert result.renewed == 1
    assert await balance(platform, alice) == 0
    now = await state(platform, alice, data["id"])
    assert now["status"] in ("ACTIVE", "PENDING")
    assert now["currentPeriodStart"] == data["currentPeriodEnd"]  # no gap, no overlap


async def test_an_unpaid_renewal_runs_past_due_then_suspends_then_resumes_when_paid(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    clock.advance(31 * DAY + 60)  # the period ended; the wallet is empty
    result = await reconcile(platform)
    assert result.past_due == 1
    now = await state(platform, alice, data["id"])
    assert now["status"] == "PAST_DUE" and now["instance"]["status"] == "RUNNING"

    clock.advance(3 * DAY)  # the grace period is over
    result = await reconcile(platform)
    assert result.suspended_unpaid == 1
    now = await state(platform, alice, data["id"])
    assert now["status"] == "SUSPENDED" and now["instance"]["status"] == "STOPPED"
    assert "unpaid" in now["instance"]["reason"]
    refused = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/resume", headers=await as_admin(platform)
    )
    assert refused.status == 409  # an unpaid period resumes by paying, not by decree

    await fund(platform, GHOST, price)  # a top-up lands
    result = await reconcile(platform)
    assert result.renewed == 1
    await reconcile(platform)
    now = await state(platform, alice, data["id"])
    assert now["status"] == "ACTIVE" and now["instance"]["status"] == "RUNNING"
    assert await balance(platform, alice) == 0


async def test_an_unpaid_subscription_expires_after_the_retention_period_and_is_removed(
    platform, admin, services, clock: FakeClock, cluster
) -> None:
    alice, data, _ = await running_subscription(platform, admin, services, periods=1)
    clock.advance(31 * DAY + 60)
    await reconcile(platform)
    clock.advance(3 * DAY)
    await reconcile(platform)
    clock.advance(30 * DAY)
    result = await reconcile(platform)
    assert result.expired == 1
    now = await state(platform, alice, data["id"])
    assert now["status"] == "EXPIRED" and now["instance"]["status"] == "STOPPED"
    await reconcile(platform)
    assert cluster.objects("Deployment") == []


async def test_paying_never_resumes_what_an_administrator_suspended(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=3)
    held = await platform.post(f"/api/v1/subscriptions/{data['id']}/suspend", headers=admin)
    assert held.status == 200
    clock.advance(32 * DAY)
    result = await reconcile(platform)
    assert result.renewed == 1  # still subscribed, so still charged
    now = await state(platform, alice, data["id"])
    assert now["status"] == "SUSPENDED"
    assert await balance(platform, alice) == price


async def test_two_replicas_renewing_at_once_charge_each_period_once(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, _, price = await running_subscription(platform, admin, services, periods=3)
    clock.advance(32 * DAY)
    renewals = platform.app[SUBSCRIPTIONS]
    results = await asyncio.gather(*(renewals.renew_due() for _ in range(4)))
    assert sum(r.renewed for r in results) == 1
    charges = await LedgerTransaction.filter(type="CHARGE").count()
    assert charges == 2  # the first period and one renewal
    assert await balance(platform, alice) == price


async def test_a_pass_renews_the_others_while_one_is_held_and_that_one_once_released(
    platform, admin, services, clock: FakeClock, dialect: str
) -> None:
    if dialect != "postgres":
        pytest.skip("SQLite has no row locks: it runs one writer at a time")
    _, held, price = await running_subscription(platform, admin, services, periods=2)
    bob = await customer(platform, "bob@example.com", funds=2 * price)
    free = (await (await subscribe(platform, bob, services["ghost"])).json())["data"]
    clock.advance(32 * DAY)
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        # Another transaction holding the row (a cancel, another replica's pass).
        async with in_transaction():
            await Subscription.filter(id=held["id"]).select_for_update()
            locked.set()
            await release.wait()

    async def charges_of(subscription_id: str) -> int:
        return await LedgerTransaction.filter(type="CHARGE", reference_id=subscription_id).count()

    holder = asyncio.create_task(hold())
    await locked.wait()
    renewing = asyncio.create_task(platform.app[SUBSCRIPTIONS].renew_due())
    for _ in range(200):
        if await charges_of(free["id"]) == 2:
            break
        await asyncio.sleep(0.05)
    # The free one is renewed without queueing behind the held one, which the pass then
    # waits for: every subscription due at its start is decided by its end.
    assert await charges_of(free["id"]) == 2
    assert await charges_of(held["id"]) == 1
    assert not renewing.done()
    release.set()
    await holder
    assert (await renewing).renewed == 2
    assert await charges_of(held["id"]) == 2


async def test_cancelling_a_suspended_subscription_removes_its_objects_and_its_room(
    platform, admin, services, cluster
) -> None:
    alice, data, _ = await running_subscription(platform, admin, services, periods=1)
    assert (
        await platform.post(f"/api/v1/subscriptions/{data['id']}/suspend", headers=admin)
    ).status == 200
    assert cluster.objects("Deployment"), "suspended: scaled to zero, still there"
    cancel = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice
    )
    assert cancel.status == 200
    assert cluster.objects("Deployment") == []
    node = await WorkerNode.get(name="worker-a")
    assert node.reserved_pods == 0


async def fall_behind(client: TestClient, clock: FakeClock, suspended: bool = False) -> None:
    """The period ends with an empty wallet: PAST_DUE; then, past the grace, SUSPENDED."""
    clock.advance(31 * DAY + 60)
    assert (await reconcile(client)).past_due >= 1
    if suspended:
        clock.advance(3 * DAY)
        assert (await reconcile(client)).suspended_unpaid >= 1


async def top_up_confirmed(client: TestClient, amount: int) -> None:
    """Alice tops up by bank transfer and an administrator confirms it."""
    started = await client.post(
        "/api/v1/billing/top-ups",
        json={"amount": amount, "provider": "manual"},
        headers=await as_alice(client),
    )
    top_up = (await started.json())["data"]
    confirm = f"/api/v1/admin/billing/top-ups/{top_up['id']}/confirm"
    done = await client.post(confirm, headers=await as_admin(client))
    assert done.status == 200, await done.text()


async def test_a_top_up_while_suspended_charges_and_resumes_at_once(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    await fall_behind(platform, clock, suspended=True)
    assert (await state(platform, alice, data["id"]))["status"] == "SUSPENDED"

    await top_up_confirmed(platform, price)
    # No renewal pass ran: the confirm itself charged the period and scaled it back up.
    now = await state(platform, alice, data["id"])
    assert now["status"] == "PENDING" and now["instance"]["status"] != "STOPPED"
    assert await balance(platform, alice) == 0
    renewals = await LedgerTransaction.filter(type="CHARGE").count()
    assert renewals == 2  # the first period and this one
    result = await reconcile(platform)
    assert result.renewed == 0  # already paid: the job finds nothing to charge
    now = await state(platform, alice, data["id"])
    assert now["status"] == "ACTIVE" and now["instance"]["status"] == "RUNNING"


async def test_a_top_up_while_past_due_charges_at_once(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    await fall_behind(platform, clock)
    await top_up_confirmed(platform, price + 100)
    now = await state(platform, alice, data["id"])
    assert now["status"] == "ACTIVE" and now["currentPeriodStart"] == data["currentPeriodEnd"]
    assert await balance(platform, alice) == 100


async def test_a_top_up_too_small_for_all_settles_the_oldest_it_can(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, older, price = await running_subscription(platform, admin, services, periods=1)
    clock.advance(DAY)
    await fund(platform, GHOST, price)
    again = await subscribe(platform, await as_alice(platform), services["ghost"])
    newer = (await again.json())["data"]
    clock.advance(31 * DAY)  # both periods ended unpaid
    result = await reconcile(platform)
    assert result.past_due == 2
    await top_up_confirmed(platform, price + price // 2)  # one and a half periods
    assert (await state(platform, alice, older["id"]))["status"] == "ACTIVE"
    assert (await state(platform, alice, newer["id"]))["status"] == "PAST_DUE"
    assert await balance(platform, alice) == price // 2


async def test_a_top_up_confirmed_during_a_renewal_pass_charges_the_period_once(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    await fall_behind(platform, clock)
    await fund(platform, GHOST, price)  # money in, not yet charged
    renewals = platform.app[SUBSCRIPTIONS]
    owner = WalletOwner.team(uuid.UUID(data["userId"]))
    await asyncio.gather(renewals.renew_due(), renewals.settle_owner(owner), renewals.renew_due())
    assert await LedgerTransaction.filter(type="CHARGE").count() == 2
    assert await balance(platform, alice) == 0
    assert (await state(platform, alice, data["id"]))["status"] == "ACTIVE"
