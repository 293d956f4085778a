"""Cancelling: at the paid period's end by default (undoable until then), or at once with
the unused part refunded when the platform's policy says so; and an administrator's free
renewal, which the ledger records as promotional credit spent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.db.models import Invoice, LedgerAccount, LedgerPosting, LedgerTransaction
from controlplane.services.billing.charges import unused_share
from controlplane.services.billing.wallets import postings_sum
from shared.enums import DocumentKind, LedgerAccountKind, TransactionType
from tests.conftest import FakeClock
from tests.controlplane.api.test_subscriptions import reconcile
from tests.controlplane.services.apps.test_renewals import (
    DAY,
    as_admin,
    as_alice,
    balance,
    fall_behind,
    running_subscription,
    state,
)


@pytest.fixture
def refund_policy() -> str:
    return "none"


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster, refund_policy) -> TestClient:
    """The shared platform fixture, with the refund policy the test names."""
    app = create_app(
        config.replace(run_jobs=False, cancel_refunds=refund_policy), clock=clock, cluster=cluster
    )
    return await aiohttp_client(app)


async def cancel(client: TestClient, subscription_id: str, **body: bool) -> dict:
    resp = await client.post(
        f"/api/v1/subscriptions/{subscription_id}/cancel",
        json=body or None,
        headers=await as_alice(client),
    )
    got = await resp.json()
    assert resp.status == 200, got
    return dict(got["data"])


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def revenue() -> int:
    account = await LedgerAccount.get(kind=LedgerAccountKind.REVENUE)
    return await postings_sum(account.id)


async def test_a_cancel_runs_to_the_period_end_and_the_renewal_ends_it_instead_of_charging(
    platform, admin, services, clock: FakeClock, cluster
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=2)
    got = await cancel(platform, data["id"])
    assert got["status"] == "ACTIVE" and got["instance"]["status"] == "RUNNING"
    assert got["cancelAtPeriodEnd"] is True and got["cancelsAt"] == data["currentPeriodEnd"]
    assert (await cancel(platform, data["id"]))["cancelsAt"] == data["currentPeriodEnd"]

    clock.advance(32 * DAY)
    result = await reconcile(platform)
    assert result.cancelled == 1 and result.renewed == 0
    now = await state(platform, alice, data["id"])
    assert now["status"] == "CANCELLED" and now["instance"]["status"] == "STOPPED"
    assert now["cancelAtPeriodEnd"] is False and now["cancelsAt"] is None
    assert await balance(platform, alice) == price  # the next period was not charged
    assert await LedgerTransaction.filter(type=TransactionType.CHARGE).count() == 1
    assert cluster.objects("Deployment") == []


async def test_the_owner_can_undo_a_cancel_until_the_period_ends(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, _ = await running_subscription(platform, admin, services, periods=3)
    await cancel(platform, data["id"])
    url = f"/api/v1/subscriptions/{data['id']}/reactivate"
    undone = await platform.post(url, headers=await as_alice(platform))
    assert undone.status == 200
    got = (await undone.json())["data"]
    assert got["cancelAtPeriodEnd"] is False and got["cancelsAt"] is None
    assert (await platform.post(url, headers=await as_alice(platform))).status == 409
    clock.advance(32 * DAY)
    assert (await reconcile(platform)).renewed == 1
    events = await (
        await platform.get(
            f"/api/v1/subscriptions/{data['id']}/history?sortOrder=asc",
            headers=await as_alice(platform),
        )
    ).json()
    kept = [(e["fromStatus"], e["toStatus"], e["reason"]) for e in events["data"]["events"]]
    assert kept[-2:] == [
        ("ACTIVE", "ACTIVE", "set to cancel at the end of its period"),
        ("ACTIVE", "ACTIVE", "reactivated: no longer cancels at the end of its period"),
    ]

    await cancel(platform, data["id"])
    clock.advance(32 * DAY)
    await reconcile(platform)
    assert (await platform.post(url, headers=await as_alice(platform))).status == 409
    assert (await state(platform, alice, data["id"]))["status"] == "CANCELLED"


@pytest.mark.parametrize("refund_policy", ["prorated"])
async def test_cancelling_now_refunds_the_unused_part_rounded_down(
    platform, admin, services, clock: FakeClock, cluster
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    clock.advance(10 * DAY + 7)  # an odd moment, so the share is not a whole cent
    got = await cancel(platform, data["id"], immediately=True)
    assert got["status"] == "CANCELLED" and got["instance"]["status"] == "STOPPED"
    start, end = parse(data["currentPeriodStart"]), parse(data["currentPeriodEnd"])
    left_us = (end - clock.now) // timedelta(microseconds=1)
    total_us = (end - start) // timedelta(microseconds=1)
    expected = price * left_us // total_us
    assert 0 < expected < price and (price * left_us) % total_us != 0  # rounding mattered
    assert await balance(platform, alice) == expected
    (refund,) = await LedgerTransaction.filter(type=TransactionType.REFUND)
    assert refund.reference_type == "subscription" and refund.reference_id == data["id"]
    legs = await LedgerPosting.filter(transaction_id=refund.id)
    assert sum(leg.amount for leg in legs) == 0
    assert await revenue() == price - expected  # revenue gave back what the wallet got
    assert cluster.objects("Deployment") == []
    # The refund is documented, as the charge was: a credit note for exactly that amount,
    # in its own gapless series, over the rest of the period it gives back.
    (note,) = await Invoice.filter(kind=DocumentKind.CREDIT_NOTE)
    assert note.transaction_id == refund.id and note.total == expected
    assert note.number.startswith(f"CN-{clock.now.year}-") and note.number.endswith("000001")
    assert note.period_end == end


@pytest.mark.parametrize("refund_policy", ["prorated"])
async def test_an_unpaid_subscription_cancels_at_once_and_refunds_nothing(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, _ = await running_subscription(platform, admin, services, periods=1)
    await fall_behind(platform, clock)
    assert (await state(platform, alice, data["id"]))["status"] == "PAST_DUE"
    got = await cancel(platform, data["id"])  # no period left to run to
    assert got["status"] == "CANCELLED"
    assert await LedgerTransaction.filter(type=TransactionType.REFUND).count() == 0
    assert await balance(platform, alice) == 0


async def test_cancelling_now_without_a_refund_policy_refunds_nothing(
    platform, admin, services, clock: FakeClock
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    clock.advance(DAY)
    assert (await cancel(platform, data["id"], immediately=True))["status"] == "CANCELLED"
    assert await LedgerTransaction.filter(type=TransactionType.REFUND).count() == 0
    assert await balance(platform, alice) == 0 and await revenue() == price


def test_the_unused_share_is_whole_minor_units_rounded_down() -> None:
    t = datetime(2026, 3, 1, tzinfo=UTC)
    three_days = t + timedelta(days=3)
    assert unused_share(1000, t, three_days, t + timedelta(days=1)) == 666  # 666.67
    assert unused_share(1, t, three_days, t + timedelta(days=1)) == 0  # 0.67 of a cent
    assert unused_share(1000, t, three_days, t) == 1000
    assert unused_share(1000, t, three_days, t - timedelta(days=1)) == 1000  # never more
    assert unused_share(1000, t, three_days, three_days) == 0
    assert unused_share(1000, t, three_days, three_days + timedelta(days=1)) == 0
    assert unused_share(1000, t, t, t) == 0


async def test_an_administrators_free_renew_is_promotional_credit_turned_revenue(
    platform, admin, services
) -> None:
    alice, data, price = await running_subscription(platform, admin, services, periods=1)
    resp = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/renew",
        json={"months": 2},
        headers=await as_admin(platform),
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["data"]["currentPeriodEnd"] > data["currentPeriodEnd"]
    (gift,) = await LedgerTransaction.filter(type=TransactionType.ADJUSTMENT).exclude(
        reference_type="test"
    )
    assert gift.reference_type == "subscription" and gift.reference_id == data["id"]
    assert gift.actor_id is not None and "administrator" in gift.reason
    legs = {
        (await LedgerAccount.get(id=leg.account_id)).kind: leg.amount
        for leg in await LedgerPosting.filter(transaction_id=gift.id)
    }
    assert legs == {
        LedgerAccountKind.PROMOTIONAL_CREDIT: -2 * price,
        LedgerAccountKind.REVENUE: 2 * price,
    }
    assert await balance(platform, alice) == 0  # the customer paid nothing
    assert await revenue() == 3 * price  # the first period, and two given
