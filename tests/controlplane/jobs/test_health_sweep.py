"""The health sweep moves a whole silent fleet in a few statements, and loses cleanly to heartbeats."""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from controlplane.db import database
from controlplane.db.models import NodeEvent, WorkerNode
from controlplane.jobs.health_sweep import sweep
from controlplane.services.fleet import health
from shared.enums import NodeStatus

GRACE = timedelta(seconds=30)
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
LONG_AGO = NOW - timedelta(hours=2)
SILENT = NOW - GRACE - timedelta(seconds=5)
FRESH = NOW - timedelta(seconds=3)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    async with database.connected(database_url):
        yield database_url


def worker(status: NodeStatus, last_heartbeat: datetime | None) -> WorkerNode:
    name = f"n-{uuid.uuid4().hex[:12]}"
    return WorkerNode(
        id=uuid.uuid4(),
        name=name,
        hostname=name,
        ip_address="10.0.0.1",
        cpu_cores=2,
        cpu_architecture="x86_64",
        total_memory=4096,
        total_storage=50000,
        architecture="amd64",
        operating_system="Linux",
        status=status,
        is_ready=status is NodeStatus.ACTIVE,
        last_heartbeat=last_heartbeat,
        created_at=LONG_AGO,
    )


async def fleet(*groups: tuple[int, NodeStatus, datetime | None]) -> list[list[WorkerNode]]:
    """Stores `count` nodes per (count, status, last heartbeat) group; returns them by group."""
    made = [[worker(status, beat) for _ in range(count)] for count, status, beat in groups]
    await WorkerNode.bulk_create([n for group in made for n in group], batch_size=1000)
    return made


async def rows(nodes: list[WorkerNode]) -> list[WorkerNode]:
    return await WorkerNode.filter(id__in=[n.id for n in nodes]).order_by("id")


async def events_of(nodes: list[WorkerNode]) -> list[NodeEvent]:
    return await NodeEvent.filter(node_id__in=[n.id for n in nodes])


async def test_one_run_moves_every_silent_live_node_with_one_event_each(db):
    active, not_ready, never_beat, maintenance, inactive, beating = await fleet(
        (400, NodeStatus.ACTIVE, SILENT),
        (100, NodeStatus.NOT_READY, LONG_AGO),
        (60, NodeStatus.PENDING, None),  # registered long ago, never heard from
        (25, NodeStatus.MAINTENANCE, LONG_AGO),
        (25, NodeStatus.INACTIVE, LONG_AGO),
        (40, NodeStatus.ACTIVE, FRESH),
    )
    silent = active + not_ready + never_beat
    before = {n.id: n.status for n in silent}

    assert await sweep(NOW, GRACE) == len(silent) == 560

    moved = {n.id: n for n in await rows(silent)}
    rules = {
        i: health.on_sweep(before[i], n.last_heartbeat, n.created_at, NOW, GRACE)
        for i, n in moved.items()
    }
    for node_id, node in moved.items():
        rule = rules[node_id]
        assert rule is not None
        assert node.status is NodeStatus.INACTIVE
        assert (node.status_reason, node.status_changed_at) == (rule.reason, NOW)
        assert node.is_ready is False
    events = await events_of(silent)
    assert sorted(str(e.node_id) for e in events) == sorted(str(i) for i in before)
    for event in events:
        rule = rules[event.node_id]
        assert rule is not None
        assert (event.from_status, event.to_status) == (before[event.node_id], NodeStatus.INACTIVE)
        assert (event.reason, event.created_at) == (rule.reason, NOW)

    untouched = maintenance + inactive + beating
    assert [(n.status, n.status_changed_at) for n in await rows(untouched)] == [
        (n.status, None) for n in sorted(untouched, key=lambda n: n.id)
    ]
    assert await events_of(untouched) == []
    # Nothing is left to move: a second run finds no one.
    assert await sweep(NOW, GRACE) == 0
    assert len(await events_of(silent)) == len(silent)


async def test_a_fleet_larger_than_a_batch_costs_three_statements_per_batch(db, caplog):
    (silent,) = await fleet((350, NodeStatus.ACTIVE, SILENT))
    batch = 100
    statements = logging.getLogger("tortoise.db_client")
    caplog.set_level(logging.DEBUG, logger=statements.name)
    caplog.clear()

    assert await sweep(NOW, GRACE, batch=batch) == 350

    issued = [r for r in caplog.records if r.name == statements.name]
    # Per batch: lock the silent nodes, update them, insert their events; not per node.
    assert 0 < len(issued) <= 3 * math.ceil(350 / batch)
    assert {n.status for n in await rows(silent)} == {NodeStatus.INACTIVE}
    assert len(await events_of(silent)) == 350


async def test_a_node_is_judged_on_its_heartbeat_or_else_its_registration(db):
    registered_recently = worker(NodeStatus.PENDING, None)
    registered_recently.created_at = FRESH
    await registered_recently.save()
    (registered_long_ago,) = await fleet((1, NodeStatus.PENDING, None))

    assert await sweep(NOW, GRACE) == 1

    got = {n.id: n.status for n in await rows([registered_recently, *registered_long_ago])}
    assert got == {
        registered_recently.id: NodeStatus.PENDING,
        registered_long_ago[0].id: NodeStatus.INACTIVE,
    }


def plain_url(database_url: str) -> str:
    return "postgresql://" + database_url.removeprefix("asyncpg://")


async def wait_for_a_blocked_lock(conn: asyncpg.Connection) -> None:
    for _ in range(250):
        if await conn.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the sweep never waited for the row lock")


@pytest.mark.parametrize("dialect", ["postgres"])
async def test_a_heartbeat_committing_while_the_sweep_waits_for_the_row_wins(db):
    (late, other) = await fleet((1, NodeStatus.ACTIVE, SILENT), (3, NodeStatus.ACTIVE, SILENT))
    (node,) = late
    beat = await asyncpg.connect(plain_url(db))
    watcher = await asyncpg.connect(plain_url(db))
    try:
        # A heartbeat in flight: its transaction holds the row and has written it.
        tx = beat.transaction()
        await tx.start()
        await beat.execute(
            "UPDATE worker_nodes SET last_heartbeat = $1 WHERE id = $2", FRESH, node.id
        )
        swept = asyncio.create_task(sweep(NOW, GRACE))
        await wait_for_a_blocked_lock(watcher)
        await tx.commit()
        assert await swept == len(other)
    finally:
        await beat.close()
        await watcher.close()

    (got,) = await rows(late)
    assert (got.status, got.last_heartbeat) == (NodeStatus.ACTIVE, FRESH)
    assert await events_of(late) == []
    assert {n.status for n in await rows(other)} == {NodeStatus.INACTIVE}
