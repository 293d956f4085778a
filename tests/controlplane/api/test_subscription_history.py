"""A subscription's history: every change of its state, with its reason and who caused it,
written with the change itself and read by its owner or an administrator."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import OutboxEvent, SubscriptionEvent
from tests.conftest import FakeClock
from tests.controlplane.api.test_billing import user_id
from tests.controlplane.api.test_subscriptions import NOW, customer, reconcile, subscribe
from tests.controlplane.services.apps.test_renewals import (
    as_alice,
    fall_behind,
    running_subscription,
    top_up_confirmed,
)


async def history(client: TestClient, who: dict[str, str], subscription_id: str) -> Any:
    return await client.get(
        f"/api/v1/subscriptions/{subscription_id}/history?limit=100&sortOrder=asc", headers=who
    )


async def test_every_change_of_state_is_recorded_with_its_reason_and_actor(
    platform, admin, services, clock: FakeClock
) -> None:
    _, data, price = await running_subscription(platform, admin, services, periods=1)
    await fall_behind(platform, clock, suspended=True)
    await top_up_confirmed(platform, price)  # paid: resumed at once
    await reconcile(platform)  # running again: ACTIVE
    alice = await as_alice(platform)
    cancelled = await platform.post(
        f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice
    )
    assert cancelled.status == 200

    resp = await history(platform, alice, data["id"])
    assert resp.status == 200, await resp.text()
    events = (await resp.json())["data"]["events"]
    assert [(e["fromStatus"], e["toStatus"]) for e in events] == [
        (None, "PENDING"),
        ("PENDING", "ACTIVE"),
        ("ACTIVE", "PAST_DUE"),
        ("PAST_DUE", "SUSPENDED"),
        ("SUSPENDED", "PENDING"),
        ("PENDING", "ACTIVE"),
        ("ACTIVE", "CANCELLED"),
    ]
    reasons = [e["reason"] for e in events]
    assert "subscribed" in reasons[0] and "cannot pay" in reasons[2]
    assert "grace" in reasons[3] and "paid" in reasons[4] and "cancelled" in reasons[6]
    alice_id = await user_id(platform, alice)
    actors = [e["actorId"] for e in events]
    assert actors == [alice_id, None, None, None, None, None, alice_id]
    assert events == sorted(events, key=lambda e: e["at"])


async def test_a_refused_change_records_nothing_and_strangers_see_no_history(
    platform, admin, services
) -> None:
    poor = await customer(platform, "poor@example.com", funds=1)
    assert (await subscribe(platform, poor, services["n8n"])).status == 402
    assert await SubscriptionEvent.all().count() == 0  # rolled back with the subscription

    alice = await customer(platform, "alice@example.com")
    data = (await (await subscribe(platform, alice, services["n8n"])).json())["data"]
    bob = await customer(platform, "bob@example.com")
    assert (await history(platform, bob, data["id"])).status == 404
    seen = await (await history(platform, admin, data["id"])).json()
    assert [e["toStatus"] for e in seen["data"]["events"]] == ["PENDING"]
    assert seen["data"]["pagination"]["total"] == 1


async def test_each_change_of_state_is_told_as_an_event_written_with_it(
    platform, admin, services, clock: FakeClock
) -> None:
    """Each change of state leaves one `subscription.<state>` event in the outbox, in the
    change's own transaction: a subscribe refused for want of money leaves neither the
    subscription nor an event, and a change that keeps the state (a cancel set for the
    period's end) is recorded but not told."""
    poor = await customer(platform, "poor@example.com", funds=1)
    refused = await subscribe(platform, poor, services["ghost"])
    assert refused.status == 402
    assert await OutboxEvent.filter(type__startswith="subscription.").count() == 0

    _, data, _ = await running_subscription(platform, admin, services, periods=1)
    alice = await as_alice(platform)
    at_end = await platform.post(f"/api/v1/subscriptions/{data['id']}/cancel", headers=alice)
    assert at_end.status == 200 and (await at_end.json())["data"]["status"] == "ACTIVE"
    now = await platform.post(f"/api/v1/subscriptions/{data['id']}/cancel", json=NOW, headers=alice)
    assert now.status == 200

    told = await OutboxEvent.filter(type__startswith="subscription.").order_by("occurred_at")
    assert [e.type for e in told] == [
        "subscription.created",
        "subscription.active",
        "subscription.cancelled",
    ]
    alice_id = await user_id(platform, alice)
    assert {e.subject for e in told} == {alice_id}
    last = told[-1].payload
    assert last["subscription_id"] == data["id"] and last["user_id"] == alice_id
    assert (last["from"], last["to"], last["actor_id"]) == ("ACTIVE", "CANCELLED", alice_id)
    recorded = await SubscriptionEvent.filter(subscription_id=data["id"]).count()
    assert recorded == 4  # created, active, set to cancel at the period's end, cancelled
