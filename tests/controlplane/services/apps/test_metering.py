"""Metering and usage pricing: the reservation an instance held, recorded per hour to the
second, charged hourly from the wallet with no fraction of a cent lost or charged twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import Instance, LedgerTransaction, OutboxEvent, Subscription
from controlplane.services.apps import metering
from controlplane.services.billing.wallets import WalletOwner, find_wallet, postings_sum
from shared.enums import TransactionType
from tests.conftest import FakeClock, bearer, sign_in
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.controlplane.conftest import fund

HOUR = 3600
EMAIL = "meter@example.com"
# Per core-hour, GiB-hour of memory and of storage, in cents: small enough that an hour
# of a small app costs a fraction of a cent, so the carried remainder is what is tested.
PRICES = {"cpuCoreHour": 3, "memoryGbHour": 1, "storageGbHour": 1}


async def usage_priced(platform: TestClient, admin: dict[str, str], service_id: str) -> None:
    changed = await platform.put(
        f"/api/v1/services/{service_id}",
        json={"pricing": {"monthly": 0, "usage": PRICES}},
        headers=admin,
    )
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert body["data"]["pricing"]["usage"] == PRICES


async def placed(
    platform: TestClient, admin: dict[str, str], services: dict[str, str], funds: int
) -> tuple[dict[str, str], dict[str, Any], Instance]:
    await usage_priced(platform, admin, services["ghost"])
    await active_node(platform, admin, "worker-a")
    who = await customer(platform, EMAIL, funds=funds)
    made = await subscribe(platform, who, services["ghost"])
    assert made.status == 201, await made.text()
    data = (await made.json())["data"]
    await reconcile(platform)
    instance = await Instance.get(subscription_id=data["id"])
    assert instance.node_id is not None
    return who, data, instance


def exact_cost(instance: Instance, seconds: int) -> tuple[int, int]:
    """What `seconds` of the instance's reservation cost: whole cents and the remainder."""
    held = metering.Held.of(instance)
    numerator = (
        held.millicores * seconds * PRICES["cpuCoreHour"] * metering.MIB_PER_GIB
        + held.memory * seconds * PRICES["memoryGbHour"] * 1000
        + held.storage * seconds * PRICES["storageGbHour"] * 1000
    )
    return divmod(numerator, metering.COST_DENOMINATOR)


async def usage_charged(subscription_id: str) -> int:
    charges = await LedgerTransaction.filter(
        type=TransactionType.CHARGE,
        reference_id=subscription_id,
        idempotency_key__contains=":usage-from:",
    ).prefetch_related("postings")
    return sum(p.amount for t in charges for p in t.postings if p.amount > 0)


async def test_held_resources_are_recorded_per_hour_and_read_back_as_resource_hours(
    platform, admin, services, clock: FakeClock
) -> None:
    _, data, instance = await placed(platform, admin, services, funds=10_000)
    placed_at = instance.placed_at
    assert placed_at is not None
    clock.advance(2.5 * HOUR)
    await reconcile(platform)
    held_seconds = int((clock() - placed_at.replace(microsecond=0)).total_seconds())

    got = await platform.get(
        f"/api/v1/subscriptions/{data['id']}/usage",
        params={"from": (placed_at - timedelta(hours=1)).isoformat(), "step": "PT1H"},
        headers=await _owner(platform),
    )
    assert got.status == 200, await got.text()
    report = (await got.json())["data"]
    assert len(report["buckets"]) in (3, 4)  # 2.5 h over 3 or 4 clock hours
    total = report["total"]
    assert abs(total["cpuCoreHours"] - instance.cpu * held_seconds / HOUR) < 1e-5
    assert abs(total["memoryGbHours"] - instance.memory * held_seconds / HOUR / 1024) < 1e-5
    assert abs(total["storageGbHours"] - instance.storage * held_seconds / HOUR / 1024) < 1e-5
    # The hours add up to the total, to the second.
    assert abs(sum(b["cpuCoreHours"] for b in report["buckets"]) - total["cpuCoreHours"]) < 1e-5

    daily = await platform.get(
        f"/api/v1/subscriptions/{data['id']}/usage",
        params={"from": (placed_at - timedelta(days=1)).isoformat(), "step": "P1D"},
        headers=await _owner(platform),
    )
    assert len((await daily.json())["data"]["buckets"]) in (1, 2)


async def test_final_hours_are_charged_with_the_remainder_carried_and_never_twice(
    platform, admin, services, clock: FakeClock
) -> None:
    _, data, instance = await placed(platform, admin, services, funds=100_000)
    start = instance.placed_at
    assert start is not None
    for _ in range(7):
        clock.advance(HOUR)
        await reconcile(platform)
    await reconcile(platform)  # a second pass in the same hour charges nothing more
    subscription = await Subscription.get(id=data["id"])
    charged_until = subscription.usage_charged_until
    assert charged_until is not None
    seconds = int((charged_until - start.replace(microsecond=0)).total_seconds())
    cents, carry = exact_cost(await Instance.get(id=instance.id), seconds)
    assert await usage_charged(data["id"]) == cents
    assert subscription.usage_carry == carry
    # The wallet is what its postings say, and every charge is invoiced.
    wallet = await find_wallet(WalletOwner.team(subscription.user_id), "EUR")
    assert wallet is not None
    assert wallet.balance == await postings_sum(wallet.id) == 100_000 - cents
    told = await OutboxEvent.filter(type="billing.charged", subject=str(subscription.user_id))
    assert (
        len(told)
        == await LedgerTransaction.filter(
            type=TransactionType.CHARGE, reference_id=data["id"]
        ).count()
    )


async def test_the_tail_is_metered_when_the_room_is_given_back(
    platform, admin, services, clock: FakeClock
) -> None:
    _, data, instance = await placed(platform, admin, services, funds=100_000)
    assert instance.placed_at is not None
    clock.advance(1.5 * HOUR)
    await reconcile(platform)
    clock.advance(1234)
    cancelled = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/cancel",
        json={"immediately": True},
        headers=await _owner(platform),
    )
    assert cancelled.status == 200, await cancelled.text()
    gone = await Instance.get(id=instance.id)
    assert gone.node_id is None
    held = int((clock() - instance.placed_at.replace(microsecond=0)).total_seconds())
    assert gone.metered_until == clock().replace(microsecond=0)
    report = await metering.report(
        gone.subscription_id, instance.placed_at - timedelta(hours=1), clock(), "PT1H"
    )
    assert abs(report.total.cpu_core_hours - gone.cpu * held / HOUR) < 1e-5
    # Nothing is held any more: later passes add nothing.
    clock.advance(3 * HOUR)
    await reconcile(platform)
    again = await metering.report(
        gone.subscription_id, instance.placed_at - timedelta(hours=1), clock(), "PT1H"
    )
    assert again.total == report.total


async def test_concurrent_meterings_count_each_second_once(
    platform, admin, services, clock: FakeClock
) -> None:
    _, _, instance = await placed(platform, admin, services, funds=100_000)
    assert instance.placed_at is not None
    clock.advance(HOUR)
    until = clock()
    await asyncio.gather(*(metering.accrue(instance.id, until) for _ in range(8)))
    report = await metering.report(
        instance.subscription_id, instance.placed_at - timedelta(hours=1), until, "PT1H"
    )
    since = instance.placed_at.replace(microsecond=0)
    held = int((until.replace(microsecond=0) - since).total_seconds())
    assert abs(report.total.cpu_core_hours - instance.cpu * held / HOUR) < 1e-5


async def test_unpaid_usage_falls_past_due_once_and_a_top_up_pays_it_at_once(
    platform, admin, services, clock: FakeClock
) -> None:
    _, data, _ = await placed(platform, admin, services, funds=1)
    for _ in range(6):
        clock.advance(HOUR)
        await reconcile(platform)
    subscription = await Subscription.get(id=data["id"])
    assert subscription.status.value == "PAST_DUE"
    failed = await OutboxEvent.filter(type="billing.payment_failed")
    assert len(failed) == 1  # told once, not at every hourly retry
    assert failed[0].payload["subscription_id"] == data["id"]

    await fund(platform, EMAIL, 100_000)  # not a top-up: the next pass settles it
    await reconcile(platform)
    subscription = await Subscription.get(id=data["id"])
    assert subscription.status.value in ("ACTIVE", "PENDING")
    assert await usage_charged(data["id"]) > 0


async def test_usage_of_someone_elses_subscription_is_not_found_and_bad_ranges_are_refused(
    platform, admin, services
) -> None:
    _, data, _ = await placed(platform, admin, services, funds=10_000)
    other = await customer(platform, "other@example.com", funds=1)
    url = f"/api/v1/subscriptions/{data['id']}/usage"
    assert (await platform.get(url, headers=other)).status == 404
    assert (await platform.get(url, headers=admin)).status == 200
    who = await customer(platform, "third@example.com", funds=1)
    assert (await platform.get(url, headers=who)).status == 404
    owner_headers = await _owner(platform)
    bad = await platform.get(url, params={"step": "PT5M"}, headers=owner_headers)
    assert bad.status == 400
    too_long = await platform.get(
        url,
        params={"from": "2026-01-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"},
        headers=owner_headers,
    )
    assert too_long.status == 400
    assert "93 days" in (await too_long.json())["errors"][0]["message"]


async def _owner(platform: TestClient) -> dict[str, str]:
    return bearer((await sign_in(platform, EMAIL, "Customer1!x"))["accessToken"])


async def test_a_pass_soon_after_the_last_meters_nothing_until_an_hour_ends(
    platform, admin, services, clock: FakeClock
) -> None:
    _, _, instance = await placed(platform, admin, services, funds=100_000)
    clock.advance(10 * 60)
    await reconcile(platform)
    first = (await Instance.get(id=instance.id)).metered_until
    assert first == clock().replace(microsecond=0)
    clock.advance(60)  # within STEP and, unless the hour just ended, the same hour
    await reconcile(platform)
    again = (await Instance.get(id=instance.id)).metered_until
    if metering.hour_of(clock()) == metering.hour_of(first):
        assert again == first
    else:
        assert again == clock().replace(microsecond=0)  # an hour ended: metered to close it
    clock.advance(metering.STEP.total_seconds())
    await reconcile(platform)
    assert (await Instance.get(id=instance.id)).metered_until == clock().replace(microsecond=0)
