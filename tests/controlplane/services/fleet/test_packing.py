"""Closed hours packed into chunks (PostgreSQL): read as rows were, replays still stored
once, rolled up alike, never half moved. On SQLite packing is a no-op and the same
reads give the same answers."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from tortoise import connections

from controlplane.db import packing
from controlplane.services.fleet.node_metrics import apply_retention
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
    timeline,
)

HOUR_MS = 3_600_000
on_postgres = pytest.mark.parametrize("dialect", ["postgres"])


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FakeClock:
    # At noon every test's three hours of history fall in one day; a test that means to
    # cross midnight names its hour (parametrize "clock", indirect).
    return clock_at(getattr(request, "param", 12))


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
        "SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(cardinality(seq)), 0) AS seqs "
        "FROM node_sample_chunks"
    )
    assert rows[0]["n"] == rows[0]["seqs"]  # the count says what the arrays hold
    return int(rows[0]["n"])


PACKING = "25_20261203140000_packed_telemetry"
CHUNK_SUMS = "26_20261204190000_chunk_sums"


def _migration(name: str):
    return importlib.import_module(f"controlplane.db.migrations.postgres.models.{name}")


def compact(clock: FakeClock, nodes_per_move: int = packing.NODES_PER_MOVE):
    return packing.compact(epoch_ms(clock()), nodes_per_move)


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
        horizon = packing.horizon(now)
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

    moved = await compact(clock, nodes_per_move=1)

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
        await mover.execute("SELECT pg_advisory_xact_lock($1, $2)", *packing.SAMPLES_LOCK)
        await mover.execute(
            packing.SAMPLES._move, [uuid.UUID(fleet.node_id)], 0, packing.horizon(now)
        )
        fresh = Sample(900, now - 1000, 1.0, 2**33, 2**38, 0.1)
        await fleet.post(fresh)  # a fresh sample does not wait for the move
        # Sent after it, not beside it: a replay's batch holds its node's row while it
        # waits, and a fresh sample of the same node flushed after or with it waits too
        # (the test failed so when both reached the ingest before its first flush).
        replay = asyncio.create_task(fleet.send(samples[1], samples[4]))
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


@pytest.mark.parametrize("clock", [2], indirect=True)
async def test_a_day_of_rollups_is_packed_once_the_day_is_rolled_up_and_reads_alike(
    client, admin_headers, clock, dialect
):
    """At 02:00 with a raw window of an hour, yesterday's samples are all rolled up: on
    PostgreSQL its roll-ups become one packed row; the buckets read the same on both."""
    fleet = await Fleet.one_node(client, admin_headers)
    now = epoch_ms(clock())
    t0 = now - 5 * HOUR_MS  # 21:00 yesterday
    samples = hours_of_samples(t0, 3, every_ms=300_000)  # until midnight
    await fleet.post(*samples)
    await compact(clock)

    assert await apply_retention(
        clock(), raw_keep=timedelta(hours=1), rollup_keep=timedelta(days=30)
    ) == len(samples)
    expected = by_hand(samples, FIVE_MINUTES_MS)
    assert normalised((await fleet.history(t0, now, step=300))["buckets"]) == expected
    if dialect == "postgres":
        assert await table_rows("node_rollup_chunks") == 1
        assert await table_rows("node_sample_rollups") == 0

    # A late sample for one of yesterday's buckets: rolled up as a row beside the packed
    # day, packed next to its bucket's entry, read as one bucket throughout.
    late = Sample(10_000, samples[4].ts + 1000, 99.0, 2**35, 2**39, 3.0)
    await fleet.post(late)
    both = by_hand([*samples, late], FIVE_MINUTES_MS)
    await apply_retention(clock(), raw_keep=timedelta(hours=1), rollup_keep=timedelta(days=30))
    assert normalised((await fleet.history(t0, now, step=300))["buckets"]) == both
    if dialect == "postgres":
        assert await table_rows("node_sample_rollups") == 0
        conn = connections.get(next(iter(connections.db_config)))
        rows = await conn.execute_query_dict("SELECT n FROM node_rollup_chunks")
        assert [r["n"] for r in rows] == [len(expected) + 1]

    # Rows go by the bucket; packed days go whole, kept while any of the day is inside
    # the window (from 23:00 yesterday), dropped once all of it is older (01:00 today).
    await apply_retention(clock(), raw_keep=timedelta(hours=1), rollup_keep=timedelta(hours=3))
    kept = (await fleet.history(t0, now, step=300))["buckets"]
    if dialect == "postgres":
        assert normalised(kept) == both
    else:
        assert normalised(kept) == [b for b in both if b["timestamp"] >= iso(now - 3 * HOUR_MS)]
    await apply_retention(clock(), raw_keep=timedelta(hours=1), rollup_keep=timedelta(hours=1))
    assert (await fleet.history(t0, now, step=300))["buckets"] == []
    if dialect == "postgres":
        assert await table_rows("node_rollup_chunks") == 0


@on_postgres
@pytest.mark.parametrize("clock", [2], indirect=True)
async def test_going_back_before_packing_turns_every_packed_value_into_rows_again(
    client, admin_headers, clock
):
    """The migration's downgrade unpacks samples and roll-ups (a late roll-up beside its
    packed bucket merged by count); after it, the rows alone read as everything did."""
    fleet = await Fleet.one_node(client, admin_headers)
    now = epoch_ms(clock())
    t0 = now - 5 * HOUR_MS  # 21:00 yesterday
    yesterday = hours_of_samples(t0, 3, every_ms=300_000)
    today = hours_of_samples(now - 2 * HOUR_MS, 1, every_ms=120_000, seq0=5000)
    await fleet.post(*yesterday)
    keep = timedelta(days=30)
    await apply_retention(clock(), raw_keep=timedelta(hours=1), rollup_keep=keep)
    late = Sample(9000, yesterday[4].ts + 1000, 99.0, 2**35, 2**39, 3.0)
    await fleet.post(late, *today)
    await compact(clock)
    # A raw window to 00:30: the late sample's hour rolls up, today's packed hour stays.
    await apply_retention(clock(), raw_keep=timedelta(minutes=90), rollup_keep=keep)
    conn = connections.get(next(iter(connections.db_config)))
    packed_days = await conn.execute_query_dict("SELECT n FROM node_rollup_chunks")
    # Yesterday's 36 buckets and the late sample's bucket once more.
    assert [r["n"] for r in packed_days] == [len(by_hand(yesterday, FIVE_MINUTES_MS)) + 1]
    assert await packed_samples() == len(today)
    raw = await fleet.history(t0, now)
    buckets = await fleet.history(t0, now, step=300)

    migrations = [_migration(PACKING), _migration(CHUNK_SUMS)]
    for migration in reversed(migrations):
        await conn.execute_script(await migration.downgrade(conn))
    for migration in migrations:
        await conn.execute_script(await migration.upgrade(conn))  # empty again: rows only

    assert await table_rows("node_sample_chunks") == await table_rows("node_rollup_chunks") == 0
    assert await fleet.history(t0, now) == raw
    assert normalised((await fleet.history(t0, now, step=300))["buckets"]) == normalised(
        buckets["buckets"]
    )
    assert normalised(buckets["buckets"]) == by_hand([*yesterday, late, *today], FIVE_MINUTES_MS)


@on_postgres
async def test_a_backlog_is_packed_an_hour_at_a_time_skipping_the_empty_hours(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    _, t0 = timeline(clock)
    early = hours_of_samples(t0 - 8 * HOUR_MS, 1, seq0=1)  # then seven hours of silence
    late = hours_of_samples(t0, 2, seq0=100)
    await fleet.post(*early, *late)

    moves: list[float] = []
    moved = await packing.compact(epoch_ms(clock()), on_move=moves.append)

    assert moved == len(early) + len(late)
    # One transaction per hour holding samples (one node: one batch each), none for the gap.
    assert len(moves) == len({s.ts // HOUR_MS for s in [*early, *late]})


def near(
    buckets: list[dict[str, Any]], expected: list[dict[str, Any]], bytes_off: float = 0.05
) -> bool:
    """The API's buckets are `expected` within its rounding (3 decimals, memory and disk
    to a tenth of a byte, or `bytes_off`); timestamps, counts and maxima exactly."""
    off = bytes_off + 1e-3
    tolerance = {"cpuPercent": 6e-4, "load1": 6e-4, "memoryUsed": off, "diskUsed": off}
    got = [
        {
            **b,
            "timestamp": iso(epoch_ms(datetime.fromisoformat(b["timestamp"]))),
            **{k: pytest.approx(b[k], abs=tol) for k, tol in tolerance.items()},
        }
        for b in buckets
    ]
    return got == expected


@pytest.mark.parametrize("step", [300, 900, 3600, 420])
async def test_buckets_of_packed_hours_agree_with_their_samples_at_every_step_and_edge(
    client, admin_headers, clock, dialect, step
):
    # Samples 37 s apart: buckets of several samples, none aligned to a bucket's edge.
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 3, every_ms=37_000)
    await fleet.post(*samples)
    await compact(clock)
    # A late sample into a packed hour: that hour's sums now name its bucket twice.
    late = Sample(90_000, samples[5].ts + 1, 91.5, 2**34, 2**39, 2.5)
    await fleet.post(late)
    await compact(clock)
    everything = [*samples, late]

    for start, end in [
        (t0, now),  # from a bucket's edge to now, the last hour still rows
        (t0 + 7 * 60_000 + 123, now - 65 * 60_000 - 4_321),  # inside buckets, packed hours
        (t0 + 1_000, t0 + 200_000),  # inside one bucket
        (t0 + HOUR_MS - 150_000, t0 + HOUR_MS + 150_000),  # across two chunks' edge
    ]:
        got = (await fleet.history(start, end, step=step))["buckets"]
        within = sorted((s for s in everything if start <= s.ts < end), key=lambda s: s.ts)
        assert near(got, by_hand(within, step * 1000)), (start, end)


@on_postgres
async def test_a_whole_bucket_reads_its_chunks_sums_and_a_cut_one_its_values(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    await fleet.post(*hours_of_samples(t0, 2, every_ms=60_000))
    assert await compact(clock) > 0
    whole = (await fleet.history(t0, now, step=300))["buckets"]
    cut = (await fleet.history(t0 + 60_000, now, step=300))["buckets"]

    # The packed values change, their sums do not: whole buckets still read the sums,
    # the bucket the range cuts reads the values.
    conn = connections.get(next(iter(connections.db_config)))
    await conn.execute_query(
        "UPDATE node_sample_chunks SET cpu_percent = array_fill(0.0::float8, ARRAY[n])"
    )
    assert (await fleet.history(t0, now, step=300))["buckets"] == whole
    after = (await fleet.history(t0 + 60_000, now, step=300))["buckets"]
    assert after[0]["cpuPercent"] == 0.0 != cut[0]["cpuPercent"]
    assert after[1:] == cut[1:]
    # Buckets not made of whole 5-minute ones read the values throughout.
    assert all(b["cpuPercent"] == 0.0 for b in (await fleet.history(t0, now, step=420))["buckets"])


@on_postgres
async def test_retention_rolls_packed_hours_up_from_their_sums(client, admin_headers, clock):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 3, every_ms=37_000)
    await fleet.post(*samples)
    await compact(clock)
    late = Sample(90_000, samples[5].ts + 1, 91.5, 2**34, 2**39, 2.5)  # its bucket twice
    await fleet.post(late)
    await compact(clock)
    # The values change, their sums do not: the roll-ups show the sums.
    conn = connections.get(next(iter(connections.db_config)))
    await conn.execute_query(
        "UPDATE node_sample_chunks SET cpu_percent = array_fill(0.0::float8, ARRAY[n])"
    )

    rolled = await apply_retention(
        clock(), raw_keep=timedelta(minutes=70), rollup_keep=timedelta(days=1)
    )

    gone = [s for s in [*samples, late] if s.ts // HOUR_MS * HOUR_MS + HOUR_MS <= now - 70 * 60_000]
    assert rolled == len(gone) > 0
    end = max(s.ts for s in gone) // HOUR_MS * HOUR_MS + HOUR_MS
    buckets = (await fleet.history(t0, end, step=300))["buckets"]
    # Roll-ups keep memory and disk in whole bytes.
    assert near(buckets, by_hand(sorted(gone, key=lambda s: s.ts), FIVE_MINUTES_MS), bytes_off=0.5)


@on_postgres
async def test_chunks_written_without_their_sums_get_them_from_the_database(
    client, admin_headers, clock
):
    """The previous release, packing while the new one rolls out, writes chunks without
    sums and merges late values without theirs: the database makes them."""
    fleet = await Fleet.one_node(client, admin_headers)
    _, t0 = timeline(clock)
    hour = t0 // HOUR_MS * HOUR_MS
    first = hours_of_samples(hour, 1, every_ms=37_000)
    second = hours_of_samples(hour + HOUR_MS, 1, every_ms=37_000, seq0=1000)
    conn = connections.get(next(iter(connections.db_config)))
    node = uuid.UUID(fleet.node_id)

    async def insert_as_before(start: int, samples: list[Sample]) -> None:
        """An INSERT of a chunk naming only the columns migration 25 made."""
        await conn.execute_query(
            "INSERT INTO node_sample_chunks (node_id, start, n, seq, ts, cpu_percent, "
            "memory_used, disk_used, load1, load5, load15) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            [
                node,
                start,
                len(samples),
                [s.seq for s in samples],
                [s.ts - start for s in samples],
                [s.cpu for s in samples],
                [s.memory for s in samples],
                [s.disk for s in samples],
                [s.load1 for s in samples],
                [0.0] * len(samples),
            ],
        )

    await insert_as_before(hour, first)
    await fleet.post(*second)
    await compact(clock)  # the second hour packed by this release
    # A late value merged into the first hour as the previous release merges it.
    late = Sample(90_000, first[3].ts + 1, 91.5, 2**34, 2**39, 2.5)
    await conn.execute_query(
        "UPDATE node_sample_chunks SET n = n + 1, seq = seq || $2::bigint, "
        "ts = ts || $3::int, cpu_percent = cpu_percent || $4::float8, "
        "memory_used = memory_used || $5::bigint, disk_used = disk_used || $6::bigint, "
        "load1 = load1 || $7::float8, load5 = load5 || 0.0::float8, "
        "load15 = load15 || 0.0::float8 WHERE node_id = $1 AND start = $8",
        [
            node,
            late.seq,
            late.ts - t0 // HOUR_MS * HOUR_MS,
            late.cpu,
            late.memory,
            late.disk,
            late.load1,
            t0 // HOUR_MS * HOUR_MS,
        ],
    )

    rows = await conn.execute_query_dict(
        "SELECT n, (SELECT SUM(x) FROM unnest(bucket_samples) AS x) AS summed "
        "FROM node_sample_chunks ORDER BY start"
    )
    assert [(r["n"], r["summed"]) for r in rows] == [(len(first) + 1,) * 2, (len(second),) * 2]
    everything = sorted([*first, late, *second], key=lambda s: s.ts)
    buckets = (await fleet.history(hour, hour + 2 * HOUR_MS, step=300))["buckets"]
    assert near(buckets, by_hand(everything, FIVE_MINUTES_MS))


@on_postgres
async def test_chunks_packed_before_their_sums_get_them_from_the_upgrade(
    client, admin_headers, clock
):
    fleet = await Fleet.one_node(client, admin_headers)
    now, t0 = timeline(clock)
    samples = hours_of_samples(t0, 3, every_ms=37_000)
    await fleet.post(*samples)
    await compact(clock)
    conn = connections.get(next(iter(connections.db_config)))
    sums = (
        "SELECT start, bucket_start, bucket_samples, bucket_cpu_sum, bucket_cpu_max, "
        "bucket_memory_sum, bucket_disk_sum, bucket_load1_sum "
        "FROM node_sample_chunks ORDER BY start"
    )
    packed = await conn.execute_query_dict(sums)
    buckets = (await fleet.history(t0, now, step=300))["buckets"]

    migration = _migration(CHUNK_SUMS)
    await conn.execute_script(await migration.downgrade(conn))  # the chunks as 25 left them
    await conn.execute_script(await migration.upgrade(conn))

    upgraded = await conn.execute_query_dict(sums)
    assert len(packed) == len(upgraded) == 2  # the two hours that ended
    for was, now_is in zip(packed, upgraded, strict=True):
        assert len(was["bucket_start"]) == 12
        assert {k: v for k, v in now_is.items() if "cpu_sum" not in k and "load1" not in k} == {
            k: v for k, v in was.items() if "cpu_sum" not in k and "load1" not in k
        }
        for k in ("bucket_cpu_sum", "bucket_load1_sum"):  # summed in another order
            assert now_is[k] == pytest.approx(was[k], rel=1e-12)
    assert near((await fleet.history(t0, now, step=300))["buckets"], normalised_exact(buckets))


def normalised_exact(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**b, "timestamp": iso(epoch_ms(datetime.fromisoformat(b["timestamp"])))} for b in buckets
    ]
