"""The telemetry write path: heartbeats and spooled samples, coalesced into batched transactions.

A request hands its samples to the batcher and waits; the batcher commits
everything that arrived meanwhile at once, then answers each waiter with what was
committed for it. A heartbeat is acknowledged only once it is durable. On
PostgreSQL a batch is one statement, its own transaction (bulk.write_batch), and
a second transaction only for the rare heartbeat that moves its node to another
state; on SQLite, and for samples late enough to meet a packed hour, it is one
transaction of a few statements.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from controlplane.db import bulk
from controlplane.db.database import main_connection, unreachable
from controlplane.db.models import NodeEvent
from controlplane.metrics import Metrics
from controlplane.services.clock import Clock
from controlplane.services.errors import FieldError, Invalid, NotFound, Unavailable
from controlplane.services.fleet import health, node_events
from controlplane.services.fleet.hearing import Hearing
from shared.enums import NodeStatus
from shared.wire.nodes import Heartbeat, IngestResult, NodeCondition, UsageSample

log = logging.getLogger("minispod.ingest")

# A sample from further in the future than this is a broken clock, not telemetry.
MAX_CLOCK_SKEW = timedelta(minutes=5)

# A heartbeat's conditions as the JSON text the node row stores, in one call: a model_dump
# per condition cost twice as much, and dicts encoded again a fifth more.
_CONDITIONS = TypeAdapter(list[NodeCondition])

# What a request is answered with: IngestResult's wire form, built straight from the
# counts this code made. Constructing a model per heartbeat only for the envelope to
# dump it again cost 2.4 us of the route's ~120.
IngestAnswer = dict[str, int]
_ANSWER_KEYS = tuple(f.serialization_alias or n for n, f in IngestResult.model_fields.items())


def _answer(accepted: int, duplicates: int, last_seq: int) -> IngestAnswer:
    return dict(zip(_ANSWER_KEYS, (accepted, duplicates, last_seq), strict=True))


@dataclass
class _Item:
    node_id: uuid.UUID
    rows: list[bulk.Sample]
    heartbeat: Heartbeat | None
    done: asyncio.Future[IngestAnswer]
    accepted: int = 0
    duplicates: int = 0


def _check_timestamps(rows: Sequence[bulk.Sample], now: datetime, fields: Sequence[str]) -> None:
    """`fields` names each sample's timestamp as the body spells it."""
    # Compared as the epoch milliseconds the rows store: comparing aware
    # datetimes asks both time zones for their offsets, on every heartbeat.
    limit = _epoch_ms(now + MAX_CLOCK_SKEW)
    late = [f for f, row in zip(fields, rows, strict=True) if row[2] > limit]
    if late:
        raise Invalid(
            "Sample timestamps are in the future; check the node's clock",
            [FieldError(field, "more than 5 minutes ahead") for field in late],
        )


# A batch this full commits without lingering: under load batches fill while the last
# commits, and waiting would only add latency.
LINGER_UNTIL = 8


class TelemetryIngest:
    """`in_flight` batches may commit at once: while one waits on the database the
    next is being written, so the event loop is not left idle between batches.

    A fleet heartbeating at its normal pace sends one request at a time: 10,000 nodes
    every 10 s is one heartbeat a millisecond, and committing each alone cost a whole
    transaction each (five round trips and a WAL flush: ~450 us of this process's CPU
    and ~300 us of the database's per heartbeat, bench/workers_read.py). So a batch of
    fewer than LINGER_UNTIL waits `linger` seconds for company first, as group commit
    does: 2 ms gather ~3 heartbeats at that pace, for a third less CPU here and half
    the database's, at 2 ms more latency on a request answered every 10 s."""

    def __init__(
        self,
        clock: Clock,
        metrics: Metrics,
        hearing: Hearing,
        max_batch: int = 2000,
        in_flight: int = 2,
        linger: float = 0.0,
    ) -> None:
        self._clock = clock
        self._metrics = metrics
        self._hearing = hearing
        self._max_batch = max_batch
        self._linger = linger
        self._queue: list[_Item] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(in_flight)
        self._flushing: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telemetry-ingest")

    async def stop(self) -> None:
        """Commits what is queued, then stops."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task

    # heartbeat() and replay() check what they can at once (raising) and hand back the
    # future their batch resolves once committed: plain functions rather than coroutines,
    # two fewer frames to resume per heartbeat.

    def heartbeat(self, node_id: uuid.UUID, heartbeat: Heartbeat) -> asyncio.Future[IngestAnswer]:
        rows = [_sample_row(node_id, heartbeat.sample)]
        _check_timestamps(rows, self._clock(), ["sample.timestamp"])
        return self._submit(node_id, rows, heartbeat)

    def replay(
        self, node_id: uuid.UUID, samples: Sequence[UsageSample]
    ) -> asyncio.Future[IngestAnswer]:
        """Spooled samples: stored once each; they say nothing about the node's health now."""
        rows = [_sample_row(node_id, s) for s in samples]
        _check_timestamps(rows, self._clock(), [f"samples.{i}.timestamp" for i in range(len(rows))])
        if len({row[1] for row in rows}) != len(rows):
            raise Invalid.field("samples", "a batch must not repeat a seq")
        return self._submit(node_id, rows, None)

    def _submit(
        self, node_id: uuid.UUID, rows: list[bulk.Sample], heartbeat: Heartbeat | None
    ) -> asyncio.Future[IngestAnswer]:
        if self._closing or self._task is None:
            raise Unavailable("Control plane is shutting down", 2)
        done: asyncio.Future[IngestAnswer] = asyncio.get_running_loop().create_future()
        self._queue.append(_Item(node_id, rows, heartbeat, done))
        self._wakeup.set()
        # Not shielded: if the agent hangs up, its future is cancelled and the
        # batch still commits the samples (the agent will replay them, stored once).
        return done

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            if self._linger and len(self._queue) < LINGER_UNTIL and not self._closing:
                await asyncio.sleep(self._linger)
            self._wakeup.clear()
            while self._queue:
                await self._slots.acquire()
                # Taken only once a slot is free: everything that arrived
                # meanwhile joins this batch.
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                task = asyncio.create_task(self._commit(batch))
                self._flushing.add(task)
                task.add_done_callback(self._flushing.discard)
            if self._closing:
                await asyncio.gather(*self._flushing)
                return

    async def _commit(self, batch: list[_Item]) -> None:
        try:
            await self._flush(batch)
        except Exception as exc:
            self._metrics.ingest_batches.labels("failed").inc()
            log.warning("telemetry batch of %d failed: %s", len(batch), exc)
            if unreachable(exc):
                # These heartbeats were sent and not heard: their nodes' silence is ours.
                self._hearing.deaf("heartbeats could not be stored", self._clock())
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(exc)
        finally:
            self._slots.release()

    async def _flush(self, batch: list[_Item]) -> None:
        started = time.perf_counter()
        now = self._clock()
        # One row per (node, seq): the first item to carry it owns it.
        rows: dict[tuple[uuid.UUID, int], bulk.Sample] = {}
        for item in batch:
            for row in item.rows:
                rows.setdefault((row[0], row[1]), row)
        samples = list(rows.values())
        client = main_connection()
        if bulk.writes_at_once(client, samples, _epoch_ms(now)):
            nodes = await self._write_at_once(client, batch, samples, now)
        else:
            nodes = await self._write_in_steps(batch, samples, now)
        m = self._metrics
        m.ingest_batches.labels("committed").inc()
        m.ingest_batch_size.observe(len(batch))
        m.ingest_commit.observe(time.perf_counter() - started)
        m.ingest_samples.labels("stored").inc(sum(i.accepted for i in batch))
        m.ingest_samples.labels("duplicate").inc(sum(i.duplicates for i in batch))
        for item in batch:
            if item.done.done():
                continue
            node = nodes.get(item.node_id)
            if node is None:
                item.done.set_exception(NotFound("Worker node not found; register again"))
            else:
                item.done.set_result(_answer(item.accepted, item.duplicates, node.last_seq))

    async def _write_in_steps(
        self, batch: list[_Item], samples: list[bulk.Sample], now: datetime
    ) -> dict[uuid.UUID, bulk.NodeState]:
        """The batch as one transaction of a few statements: SQLite's way (in-process, no
        round trips), and PostgreSQL's for samples late enough to meet a packed hour."""
        node_ids = list({i.node_id for i in batch})  # locked in id order by the query
        async with in_transaction() as conn:
            nodes = await bulk.lock_nodes(conn, node_ids)
            found = [r for r in samples if r[0] in nodes]
            known = await bulk.insert_samples(conn, found, _epoch_ms(now))
            _count(batch, nodes, known)
            touched = {i.node_id: nodes[i.node_id] for i in batch if i.node_id in nodes}
            beating = _beat(batch, nodes)
            moved, events = _move(batch, nodes, now)
            # Heartbeats rewrite the live columns; replays only move last_seq.
            for node in touched.values():
                node.updated_at = now
            await bulk.update_nodes(conn, [n for i, n in touched.items() if i in beating], now)
            await bulk.update_status(conn, moved)
            await bulk.advance_seq(conn, [n for i, n in touched.items() if i not in beating])
            if events:
                await NodeEvent.bulk_create(events, using_db=conn)
        return nodes

    async def _write_at_once(
        self,
        client: BaseDBAsyncClient,
        batch: list[_Item],
        samples: list[bulk.Sample],
        now: datetime,
    ) -> dict[uuid.UUID, bulk.NodeState]:
        """The batch in one statement (bulk.write_batch), and then, only where a heartbeat
        moves its node to another state (rare: a fleet's heartbeats mostly say "still
        healthy"), a second transaction for the move. The live columns do not depend on
        the node's state, so they are sent before it is known.

        Between the two the node may have changed (an administrator, another batch):
        the move is judged again under the row's lock, from the state it is in then,
        and given up if a later heartbeat has reached the node, which decides instead
        (its batch read the state after this one's write). A replay's write does not
        count: it says nothing of the node's health. If the second transaction fails,
        the agents are answered with the failure and send again: their samples come
        back as duplicates and their heartbeats judge the move anew."""
        nodes = {i.node_id: bulk.NodeState(i.node_id, NodeStatus.PENDING, 0) for i in batch}
        beating = _beat(batch, nodes)
        written = await bulk.write_batch(client, samples, list(nodes.values()), beating, now)
        found = {}
        for node_id, status in written.statuses.items():
            node = found[node_id] = nodes[node_id]
            node.status = status
            node.last_seq = written.last_seqs[node_id]
        _count(batch, found, written.duplicates)
        # Judged here only to learn whether any node moves: _settle_moves judges again.
        moving = {n.id for n in _move(batch, found, now)[0]}
        if moving:
            await self._settle_moves([i for i in batch if i.node_id in moving], now)
        return found

    async def _settle_moves(self, batch: list[_Item], now: datetime) -> None:
        """The moves of the heartbeats in `batch`, written by a batch stamped `now`:
        each judged from its node's state under the row's lock, unless a later
        heartbeat has been written since."""
        async with in_transaction() as conn:
            current = await bulk.lock_last_heard(conn, list({i.node_id for i in batch}))
            nodes = {
                node_id: bulk.NodeState(node_id, status, 0)
                for node_id, (status, heard) in current.items()
                if heard == now  # else a later heartbeat has the last word
            }
            moved, events = _move(batch, nodes, now)
            await bulk.update_status(conn, moved)
            if events:
                await NodeEvent.bulk_create(events, using_db=conn)


def _count(
    batch: list[_Item], nodes: dict[uuid.UUID, bulk.NodeState], known: set[tuple[uuid.UUID, int]]
) -> None:
    """Each item's stored and duplicate samples, and its node's last seq: `known` are the
    samples stored before this batch; each new one counts for the first item with it."""
    known = set(known)
    for item in batch:
        node = nodes.get(item.node_id)
        if node is None:
            continue
        for row in item.rows:
            key = (row[0], row[1])
            if key in known:
                item.duplicates += 1
            else:
                known.add(key)
                item.accepted += 1
                node.last_seq = max(node.last_seq, row[1])


def _beat(batch: list[_Item], nodes: dict[uuid.UUID, bulk.NodeState]) -> set[uuid.UUID]:
    """Writes each heartbeat's live columns on its node (the batch's last heartbeat of a
    node wins); returns the nodes that beat."""
    beating = set()
    for item in batch:
        node = nodes.get(item.node_id)
        if node is not None and item.heartbeat is not None:
            beating.add(node.id)
            _apply_live(node, item.heartbeat)
    return beating


def _move(
    batch: list[_Item], nodes: dict[uuid.UUID, bulk.NodeState], now: datetime
) -> tuple[list[bulk.NodeState], list[NodeEvent]]:
    """Each heartbeat's transition, in the batch's order, from its node's state: the
    nodes moved and the events that tell it."""
    moved: dict[uuid.UUID, bulk.NodeState] = {}
    events: list[NodeEvent] = []
    for item in batch:
        node = nodes.get(item.node_id)
        if node is None or item.heartbeat is None:
            continue
        hb = item.heartbeat
        transition = health.on_heartbeat(node.status, hb.conditions, hb.shutting_down)
        if transition is not None:
            events.append(node_events.apply(node, transition, now))
            moved[node.id] = node
    return list(moved.values()), events


def _epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _sample_row(node_id: uuid.UUID, s: UsageSample) -> bulk.Sample:
    return (
        node_id,
        s.seq,
        _epoch_ms(s.timestamp),
        s.cpu_percent,
        s.memory_used,
        s.disk_used,
        s.load1,
        s.load5,
        s.load15,
    )


def _apply_live(node: bulk.NodeState, hb: Heartbeat) -> None:
    s = hb.sample
    node.cpu_percent = s.cpu_percent
    node.memory_used = s.memory_used
    node.disk_used = s.disk_used
    node.load1, node.load5, node.load15 = s.load1, s.load5, s.load15
    node.conditions = _CONDITIONS.dump_json(hb.conditions, by_alias=True).decode()
    node.is_ready = health.is_ready(hb.conditions) and not hb.shutting_down
