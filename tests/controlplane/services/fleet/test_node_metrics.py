"""Usage history and its retention: raw samples, 5-minute roll-ups, bucketed reads, late replays."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from pydantic import TypeAdapter

from controlplane.services.fleet import node_metrics
from controlplane.services.fleet.node_metrics import apply_retention
from shared.wire.workers import BucketOut
from tests.conftest import AppFactory, FakeClock
from tests.controlplane.services.fleet.usage import (
    FIVE_MINUTES_MS,
    Fleet,
    Sample,
    by_hand,
    clock_at,
    epoch_ms,
    iso,
    normalised,
    old_buckets,
    timeline,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> FakeClock:
    return clock_at(12)  # every test's three hours of history fall in one day


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    # Retention runs here only when a test calls it, at the moment it chooses.
    return await make_client(run_jobs=False)


async def test_samples_older_than_the_raw_window_become_five_minute_rollups(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, c = old_buckets(t0)
    recent = [
        Sample(7, now - 20 * 60_000, 30.0, 7000, 9000, 0.75),
        Sample(8, now - 19 * 60_000, 35.0, 7100, 9000, 0.5),
    ]
    await fleet.post(*a, *b, *c, *recent)

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY) == 6

    raw = await fleet.history(t0, now)
    assert [(s["seq"], s["timestamp"]) for s in raw["samples"]] == [
        (7, iso(recent[0].ts)),
        (8, iso(recent[1].ts)),
    ]
    everything = [*a, *b, *c, *recent]
    five = await fleet.history(t0, now + 60_000, step=300)
    assert normalised(five["buckets"]) == by_hand(everything, FIVE_MINUTES_MS)
    # Ten-minute buckets fold the two adjacent roll-ups together, weighted by count.
    ten = await fleet.history(t0, now + 60_000, step=600)
    assert normalised(ten["buckets"]) == by_hand(everything, 600_000)
    assert ten["buckets"][0]["samples"] == 5


async def test_retention_in_small_batches_rolls_up_the_same_buckets_as_in_one(
    client, admin_headers, clock
):
    """Batches of two split buckets across transactions; the upsert folds them together."""
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, c = old_buckets(t0)
    await fleet.post(*a, *b, *c)

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY, batch=2) == 6

    assert (await fleet.history(t0, now))["samples"] == []
    five = await fleet.history(t0, now, step=300)
    assert normalised(five["buckets"]) == by_hand([*a, *b, *c], FIVE_MINUTES_MS)
    assert [b["samples"] for b in five["buckets"]] == [3, 2, 1]


async def test_retention_stopped_between_batches_loses_nothing_and_finishes_later(
    client, admin_headers, clock, dialect
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, c = old_buckets(t0)
    await fleet.post(*a, *b, *c)
    roll = (
        node_metrics._roll_batch_postgres
        if dialect == "postgres"
        else node_metrics._roll_batch_sqlite
    )
    cutoff = (epoch_ms(clock() - HOUR) // FIVE_MINUTES_MS) * FIVE_MINUTES_MS
    assert await roll(cutoff, FIVE_MINUTES_MS, 4) == (4, True)  # one batch, then a stop

    # Every sample is still counted exactly once: rolled up, or raw and waiting.
    mid = await fleet.history(t0, now, step=300)
    assert normalised(mid["buckets"]) == by_hand([*a, *b, *c], FIVE_MINUTES_MS)
    assert sum(b["samples"] for b in mid["buckets"]) == 6

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY, batch=4) == 2
    done = await fleet.history(t0, now, step=300)
    assert normalised(done["buckets"]) == by_hand([*a, *b, *c], FIVE_MINUTES_MS)
    assert (await fleet.history(t0, now))["samples"] == []


async def test_a_late_sample_older_than_the_cutoff_merges_into_its_bucket(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, _, _ = old_buckets(t0)
    await fleet.post(*a)
    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY) == 3

    # The agent replays a spooled sample from inside the already rolled-up bucket.
    late = Sample(9, t0 + 200_000, 90.0, 6000, 9000, 2.0)
    await fleet.post(late)
    expected = by_hand([*a, late], FIVE_MINUTES_MS)
    before = await fleet.history(t0, now, step=300)
    assert normalised(before["buckets"]) == expected  # raw and roll-up read as one bucket

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY) == 1
    assert (await fleet.history(t0, now))["samples"] == []
    after = await fleet.history(t0, now, step=300)
    assert normalised(after["buckets"]) == expected
    assert after["buckets"][0]["samples"] == 4


async def test_rollups_older_than_their_window_are_deleted(client, admin_headers, clock):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, c = old_buckets(t0)
    await fleet.post(*a, *b, *c)
    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY) == 6

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=2 * HOUR) == 0

    kept = await fleet.history(t0, now, step=300)
    assert normalised(kept["buckets"]) == by_hand(c, FIVE_MINUTES_MS)


async def test_retention_does_not_change_a_range_starting_inside_a_bucket(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, c = old_buckets(t0)
    await fleet.post(*a, *b, *c)
    # Ten seconds into C's bucket, before its only sample.
    start = c[0].ts // FIVE_MINUTES_MS * FIVE_MINUTES_MS + 10_000
    before = await fleet.history(start, now, step=300)
    assert normalised(before["buckets"]) == by_hand(c, FIVE_MINUTES_MS)

    assert await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY) == 6

    after = await fleet.history(start, now, step=300)
    assert after["buckets"] == before["buckets"]


async def test_raw_history_lists_samples_in_time_order_with_seq_and_timestamp(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now = epoch_ms(clock()) // 1000 * 1000
    first = [Sample(seq, now - (10 - seq) * 10_000, 10.0 + seq, 2048, 4096, 0.5) for seq in (1, 2)]
    # A second batch whose first sample was taken before the last one above.
    second = [
        Sample(3, now - 95_000, 13.0, 2048, 4096, 0.5),
        Sample(4, now - 5_000, 14.0, 2048, 4096, 0.5),
    ]
    await fleet.post(*first)
    await fleet.post(*second)

    listed = (await fleet.history(now - 600_000, now + 1000))["samples"]

    in_time_order = sorted([*first, *second], key=lambda s: s.ts)
    assert [(s["seq"], s["timestamp"], s["cpuPercent"]) for s in listed] == [
        (s.seq, iso(s.ts), s.cpu) for s in in_time_order
    ]
    assert [s["seq"] for s in listed] == [3, 1, 2, 4]


async def test_buckets_are_the_wire_buckets_the_contract_names_on_both_databases(
    client, admin_headers, clock, dialect
):
    """The database spells the buckets: each one is a BucketOut with every field, the
    timestamp in UTC as the API writes it, the averages rounded as documented."""
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = [
        Sample(1, t0 + 1_000, 12.3456, 2**33 + 1, 2**38 + 3, 0.123),
        Sample(2, t0 + 61_000, 7.0, 2**33 + 2, 2**38 + 4, 0.5),
        Sample(3, t0 + 121_000, 33.25, 2**33 + 4, 2**38 + 4, 1.0),
        Sample(4, t0 + 301_000, 50.0, 3000, 6000, 2.0),
    ]
    await fleet.post(*samples)

    data = await fleet.history(t0, now, step=300)

    assert set(data) == {"nodeId", "step", "samples", "buckets"}
    assert (data["nodeId"], data["step"], data["samples"]) == (fleet.node_id, 300, None)
    buckets = data["buckets"]
    aliases = {f.alias for f in BucketOut.model_fields.values()}
    assert all(set(b) == aliases for b in buckets)
    assert TypeAdapter(list[BucketOut]).validate_python(buckets)
    assert [b["timestamp"] for b in buckets] == [iso(t0), iso(t0 + 300_000)]
    assert [b["samples"] for b in buckets] == [3, 1]
    first = buckets[0]
    assert first["cpuPercent"] == round((12.3456 + 7.0 + 33.25) / 3, 3) == 17.532
    assert first["cpuPercentMax"] == 33.25
    assert first["memoryUsed"] == round(2**33 + 7 / 3, 1)
    assert first["diskUsed"] == round(2**38 + 11 / 3, 1)
    assert first["load1"] == round((0.123 + 0.5 + 1.0) / 3, 3) == 0.541
    assert buckets[1] == {
        "timestamp": iso(t0 + 300_000),
        "samples": 1,
        "cpuPercent": 50.0,
        "cpuPercentMax": 50.0,
        "memoryUsed": 3000.0,
        "diskUsed": 6000.0,
        "load1": 2.0,
    }
    # A range without samples: no buckets, still a list.
    assert (await fleet.history(now + 60_000, now + 120_000, step=300))["buckets"] == []


async def test_history_refuses_from_after_to(client, admin_headers, clock):
    fleet = await Fleet.one_node(client, admin_headers)
    now = epoch_ms(clock())
    resp = await client.get(
        f"/api/v1/workers/{fleet.node_id}/metrics",
        params={"from": iso(now), "to": iso(now - 60_000)},
        headers=admin_headers,
    )
    body = await resp.json()
    assert resp.status == 400, body
    assert body["code"] == "VALIDATION_ERROR"
    assert [e["field"] for e in body["errors"]] == ["from"]


@pytest.mark.parametrize("dialect", ["postgres"])
async def test_a_sample_committed_while_retention_runs_is_never_lost(
    client, admin_headers, clock, database_url
):
    """Retention rolls up and deletes in one step: a sample the ingest commits in
    the middle is rolled up now or on the next run, never deleted unrolled."""
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    a, b, _ = old_buckets(t0)
    await fleet.post(*a)

    blocker = await asyncpg.connect("postgresql://" + database_url.removeprefix("asyncpg://"))
    try:
        # Hold retention up where it writes roll-ups, after it has started reading.
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute("LOCK TABLE node_sample_rollups IN EXCLUSIVE MODE")
        running = asyncio.create_task(apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY))
        for _ in range(200):
            waiting = await blocker.fetchval(
                "SELECT COUNT(*) FROM pg_locks WHERE NOT granted"
                " AND relation = 'node_sample_rollups'::regclass"
            )
            if waiting:
                break
            await asyncio.sleep(0.02)
        assert waiting, "retention never reached the roll-up table"
        await fleet.post(*b)  # committed by the ingest while retention waits
        await tx.commit()
        await asyncio.wait_for(running, timeout=10)
    finally:
        await blocker.close()

    await apply_retention(clock(), raw_keep=HOUR, rollup_keep=DAY)
    rolled = await fleet.history(t0, now, step=300)
    assert normalised(rolled["buckets"]) == by_hand([*a, *b], FIVE_MINUTES_MS)
    assert sum(bucket["samples"] for bucket in rolled["buckets"]) == 5
