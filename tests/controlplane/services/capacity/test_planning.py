"""Capacity planning: reservations against capacity over time, from the metering's hours and
the fleet's nodes, and the day the fleet fills at the growth the history shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from controlplane.db.models import Instance
from controlplane.services.capacity.planning import full_at, growth
from tests.conftest import ADMIN_PASSWORD, FakeClock, bearer, sign_in
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.controlplane.api.test_workers import beat

HOUR = 3600
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def test_growth_is_the_least_squares_slope_per_day() -> None:
    line = [(h * 3600.0, 2.0 + 0.5 * h) for h in range(10)]  # 0.5 an hour
    assert growth(line) == pytest.approx(12.0)
    assert growth([(0.0, 3.0)]) == 0.0
    assert growth([(0.0, 1.0), (0.0, 5.0)]) == 0.0  # no spread in time: no slope


def test_the_fleet_fills_when_the_line_reaches_todays_capacity() -> None:
    assert full_at(NOW, 6.0, 10.0, 2.0) == NOW + timedelta(days=2)
    assert full_at(NOW, 10.0, 10.0, 0.0) == NOW  # full already
    assert full_at(NOW, 6.0, 10.0, 0.0) is None  # not growing: never
    assert full_at(NOW, 6.0, 10.0, -1.0) is None
    assert full_at(NOW, 6.0, 10.0, 1e-9) is None  # beyond a century means never


async def test_capacity_shows_reservations_growing_and_when_they_fill_the_fleet(
    platform, admin, services, clock: FakeClock
) -> None:
    nodes = [
        await active_node(platform, admin, "worker-a", cpuCores=4),
        await active_node(platform, admin, "worker-b", cpuCores=4),
    ]
    await customer(platform, "grow@example.com")
    # One more Ghost every hour for four hours: the reservations grow by one a step. The
    # nodes heartbeat and the customer signs in again each hour, as they would.
    for hour in range(4):
        who = bearer((await sign_in(platform, "grow@example.com", "Customer1!x"))["accessToken"])
        assert (await subscribe(platform, who, services["ghost"])).status == 201
        await reconcile(platform)
        clock.advance(HOUR)
        for node in nodes:
            assert (await beat(platform, node, hour + 2)).status == 200
        await reconcile(platform)
    instances = await Instance.filter(node_id__isnull=False)
    assert len(instances) == 4
    admin = bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])
    # A snapshot of our own cluster now: the last bucket shows the pods it counted.
    taken = await platform.post("/api/v1/admin/snapshots", headers=admin)
    assert taken.status == 201, await taken.text()
    counted = (await taken.json())["data"]["objectCounts"].get("pods", 0)
    got = await platform.get(
        "/api/v1/admin/capacity", params={"days": "1", "step": "PT1H"}, headers=admin
    )
    assert got.status == 200, await got.text()
    plans = {p["resource"]: p for p in (await got.json())["data"]["resources"]}
    cpu = plans["cpu"]
    assert cpu["unit"] == "cores" and cpu["capacity"] == 8
    full_hours = [p for p in cpu["series"] if p["requested"] > 0]
    assert len(full_hours) >= 4
    assert all(p["capacity"] == 8 for p in cpu["series"])
    # Each complete hour holds one Ghost more than the one before.
    per_instance = instances[0].cpu
    complete = full_hours[1:-1]
    for before, after in pairwise(complete):
        assert after["requested"] == pytest.approx(before["requested"] + per_instance, abs=0.01)
    assert cpu["growthPerDay"] > 0
    projected = datetime.fromisoformat(cpu["projectedFullAt"])
    assert projected > clock()
    assert plans["pods"]["series"][-1]["requested"] >= 3
    assert plans["pods"]["series"][-1]["observed"] == counted
    assert plans["pods"]["series"][0]["observed"] is None  # no snapshot that hour
    assert all(p["observed"] is None for p in cpu["series"])
    assert plans["memory"]["unit"] == "MiB"


async def test_capacity_is_for_administrators(platform, admin) -> None:
    who = await customer(platform, "curious@example.com", funds=0)
    assert (await platform.get("/api/v1/admin/capacity", headers=who)).status == 403
    bad = await platform.get("/api/v1/admin/capacity", params={"days": "400"}, headers=admin)
    assert bad.status == 400
