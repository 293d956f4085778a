"""Closed hours packed into chunks (PostgreSQL): read as rows were, replays still stored
once, rolled up alike, never half moved. On SQLite packing is a no-op and the same
reads give the same answers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from tortoise import connections

from controlplane.db import sample_chunks
from controlplane.services.fleet.node_metrics import apply_retention
from tests.conftest import AppFactory, FakeClock
from tests.controlplane.services.fleet.usage import (
    FIVE_MINUTES_MS,
    Fleet,
    Sample,
    by_hand,
    epoch_ms,
    normalised,
    timeline,
)

HOUR_MS = 3_600_000
on_postgres = pytest.mark.parametrize("dialect", ["postgres"])


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    return await make_client(run_jobs=False)


def hours_of_samples(t0: int, hours: int, every_ms: int = 600_000, seq0: int = 1) -> list[Sample]:
    """A sample every `every_ms` from `t0` on, with values that differ per sample."""
    count = hours * HOUR_MS // every_ms
    return [
        Sample(
            seq0 + i,
            t0 + i * every_ms + (i * 37) % 1000,
            round(5.0 + (i * 7.3) % 90, 1),
            2**33 + i * 4096,
            2**38 + i * 12,
            round(0.1 * (i % 17), 2),
        )
        for i in range(count)
    ]


async def table_rows(table: str) -> int:
    conn = connections.get(next(iter(connections.db_config)))
    rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
    return int(rows[0]["n"])


async def packed_samples() -> int:
    conn = connections.get(next(iter(connections.db_config)))
    rows = await conn.execute_query_dict(
        "SELECT COALESCE(SUM(samples), 0) AS n, COALESCE(SUM(cardinality(seq)), 0) AS seqs "
        "FROM node_sample_chunks"
    )
    assert rows[0]["n"] == rows[0]["seqs"]  # the count says what the arrays hold
    return int(rows[0]["n"])


def compact(clock: FakeClock, nodes_per_batch: int = sample_chunks.COMPACT_NODES):
    return sample_chunks.compact(epoch_ms(clock()), nodes_per_batch)


async def test_packed_hours_read_exactly_as_the_rows_did(client, admin_headers, clock, dialect):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 3)
    recent = [Sample(1000, now - 60_000, 12.5, 2**33, 2**38, 0.5)]
    await fleet.post(*samples, *recent)
    raw_before = await fleet.history(t0, now)
    buckets_before = await fleet.history(t0, now, step=300)
    wide_before = await fleet.history(t0 + 25 * 60_000, now - 70 * 60_000, step=1200)

    moved = await compact(clock)

    if dialect == "postgres":
        # Every hour that ended a quarter of an hour ago moved; the rest are still rows.
        horizon = sample_chunks.horizon(now)
        assert moved == sum(1 for s in samples if s.ts < horizon) > 0
        assert await packed_samples() == moved
        assert await table_rows("node_samples") == len(samples) + len(recent) - moved
    else:
        assert moved == 0
    assert await fleet.history(t0, now) == raw_before
    assert await fleet.history(t0, now, step=300) == buckets_before
    assert normalised(buckets_before["buckets"]) == by_hand([*samples, *recent], FIVE_MINUTES_MS)
    # A range starting and ending inside packed hours takes only its own samples.
    assert await fleet.history(t0 + 25 * 60_000, now - 70 * 60_000, step=1200) == wide_before
    assert [s["seq"] for s in raw_before["samples"]] == [s.seq for s in [*samples, *recent]]


@on_postgres
async def test_a_replay_of_a_packed_sample_is_a_duplicate_and_a_late_new_one_is_stored_once(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 2)
    await fleet.post(*samples)
    assert await compact(clock) == len(samples)

    # The agent replays two it already sent (lost acknowledgements) and one it spooled
    # but never sent, taken between two packed ones.
    late = Sample(500, samples[3].ts + 1, 77.7, 2**34, 2**39, 1.25)
    answer = await fleet.send(samples[2], late, samples[9])
    assert (answer["accepted"], answer["duplicates"]) == (1, 2)
    # Sent again before and after the hour is packed once more: a duplicate every time.
    assert (await fleet.send(late))["duplicates"] == 1
    assert await compact(clock) == 1
    assert (await fleet.send(late, samples[0]))["duplicates"] == 2

    everything = sorted([*samples, late], key=lambda s: s.ts)
    raw = (await fleet.history(t0, now))["samples"]
    assert [s["seq"] for s in raw] == [s.seq for s in everything]
    assert await packed_samples() == len(everything)
    assert await table_rows("node_samples") == 0
    buckets = await fleet.history(t0, now, step=300)
    assert normalised(buckets["buckets"]) == by_hand(everything, FIVE_MINUTES_MS)


async def test_retention_rolls_packed_hours_into_the_buckets_the_rows_made(
    client, admin_headers, clock, dialect
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 3)
    await fleet.post(*samples)
    await compact(clock)

    # A raw window of 70 minutes ends inside the last packed hour: the whole hours
    # before it roll up, the one it cuts stays raw until it has wholly passed.
    rolled = await apply_retention(
        clock(), raw_keep=timedelta(minutes=70), rollup_keep=timedelta(days=1), batch=100
    )

    cutoff = (now - 70 * 60_000) // FIVE_MINUTES_MS * FIVE_MINUTES_MS
    if dialect == "postgres":
        ended = [s for s in samples if s.ts // HOUR_MS * HOUR_MS + HOUR_MS <= cutoff]
        assert rolled == len(ended) > 0
        assert await packed_samples() + await table_rows("node_samples") == len(samples) - rolled
    else:
        assert rolled == sum(1 for s in samples if s.ts < cutoff)
    buckets = await fleet.history(t0, now, step=300)
    assert normalised(buckets["buckets"]) == by_hand(samples, FIVE_MINUTES_MS)


@on_postgres
async def test_packing_in_one_node_batches_moves_every_node_once(client, admin_headers, clock):
    fleets = [await Fleet.one_node(client, admin_headers, f"node-{i}") for i in range(3)]
    now, t0 = timeline(clock)
    for i, fleet in enumerate(fleets):
        await fleet.post(*hours_of_samples(t0 + i * 1000, 2))

    moved = await compact(clock, nodes_per_batch=1)

    assert moved == 3 * len(hours_of_samples(t0, 2))
    hours = {s.ts // HOUR_MS for i in range(3) for s in hours_of_samples(t0 + i * 1000, 2)}
    assert await table_rows("node_sample_chunks") == 3 * len(hours)  # one per node and hour
    for i, fleet in enumerate(fleets):
        listed = (await fleet.history(t0, now))["samples"]
        assert [s["seq"] for s in listed] == [s.seq for s in hours_of_samples(t0 + i * 1000, 2)]


@on_postgres
async def test_replays_racing_the_packing_are_stored_exactly_once(client, admin_headers, clock):
    """The move holds its lock exclusively and late samples hold it shared: a replay never
    passes the packed-hour check while its hour is half moved."""
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 2, every_ms=30_000)
    await fleet.post(*samples[::2])

    async def replay() -> None:
        # Each batch: samples stored already and samples sent for the first time, which
        # the other replayer sends too, while their hours move.
        for k in range(0, len(samples), 6):
            await fleet.send(*samples[k : k + 6])

    async def pack() -> None:
        for _ in range(30):
            await compact(clock)

    await asyncio.gather(replay(), pack(), replay())
    await compact(clock)

    listed = (await fleet.history(t0, now))["samples"]
    assert [s["seq"] for s in listed] == [s.seq for s in samples]
    assert await packed_samples() == len(samples)


@on_postgres
async def test_a_replay_waits_for_a_move_of_its_hour_in_progress_and_is_a_duplicate_after(
    client, admin_headers, clock, database_url
):
    """Without the lock, the replay's check would not see the uncommitted chunk, and its
    insert would go in once the move's delete committed: the sample stored twice."""
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 2)
    await fleet.post(*samples)
    mover = await asyncpg.connect("postgresql://" + database_url.removeprefix("asyncpg://"))
    try:
        tx = mover.transaction()
        await tx.start()
        # A compaction half done: its hours deleted from the rows, its chunks not committed.
        await mover.execute("SELECT pg_advisory_xact_lock($1, $2)", *sample_chunks.LOCK)
        await mover.execute(
            sample_chunks._COMPACT, [uuid.UUID(fleet.node_id)], sample_chunks.horizon(now)
        )
        replay = asyncio.create_task(fleet.send(samples[1], samples[4]))
        fresh = Sample(900, now - 1000, 1.0, 2**33, 2**38, 0.1)
        await fleet.post(fresh)  # a fresh sample does not wait for the move
        for _ in range(100):
            waiting = await mover.fetchval(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if waiting:
                break
            await asyncio.sleep(0.02)
        assert waiting and not replay.done()
        await tx.commit()
        answer = await asyncio.wait_for(replay, timeout=10)
    finally:
        await mover.close()

    assert (answer["accepted"], answer["duplicates"]) == (0, 2)
    listed = (await fleet.history(t0, now))["samples"]
    assert [s["seq"] for s in listed] == [s.seq for s in [*samples, fresh]]


@on_postgres
async def test_deleting_a_node_deletes_its_packed_hours(client, admin_headers, clock):
    keep = await Fleet.one_node(client, admin_headers, "keep")
    gone = await Fleet.one_node(client, admin_headers, "gone")
    _, t0 = timeline(clock)
    kept = hours_of_samples(t0, 2)
    await keep.post(*kept)
    await gone.post(*hours_of_samples(t0, 2))
    await compact(clock)

    resp = await client.delete(f"/api/v1/workers/{gone.node_id}", headers=admin_headers)
    assert resp.status in (200, 204), await resp.text()

    assert await table_rows("node_sample_chunks") == len({s.ts // HOUR_MS for s in kept})
    assert await packed_samples() == len(hours_of_samples(t0, 2))
