"""One channel's deliverer: claims due deliveries, sends them, records the outcome.

A channel's deliveries are rows of a queue: the outbox's own table for channels that
deliver an event once (email), `webhook_deliveries` for the webhook channel, which
delivers it once per endpoint. Both have the same columns, so one deliverer serves both.

At least once: a delivery is marked done only after its send returned, so a
deliverer that dies between the two sends it again after restart (the event's id
lets the receiver see the repeat). No two deliverers send one delivery at once: a
claim moves the row a lease ahead in one transaction, and on PostgreSQL the rows are
picked with `FOR UPDATE SKIP LOCKED`, so replicas claiming side by side take
different rows instead of queueing on the same ones. SQLite serves one process,
whose deliverer claims alone.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from controlplane.db.models import OutboxDelivery, OutboxEvent, WebhookDelivery
from controlplane.db.sql import is_postgres
from controlplane.services.clock import Clock
from controlplane.services.events.outbox import Outbox

log = logging.getLogger("minispod.events")

ERROR_LENGTH = 500


class PermanentFailure(Exception):
    """The receiver refused for good (an address that does not exist): retrying cannot help."""


@dataclass(frozen=True)
class Event:
    """What a channel's sender gets: the event with its secrets opened."""

    id: uuid.UUID
    type: str
    subject: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    attempt: int
    delivery_id: uuid.UUID
    # The endpoint a webhook delivery goes to; None for channels without endpoints.
    target: uuid.UUID | None = None


Send = Callable[[Event], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    first_delay: float
    max_delay: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        """Exponential: first_delay after the first failure, doubling, capped."""
        return timedelta(seconds=min(self.max_delay, self.first_delay * 2 ** (attempts - 1)))


@dataclass(frozen=True)
class Outcome:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.failed


@dataclass(frozen=True)
class Queue:
    """Where a channel's deliveries are: a table with the outbox delivery's columns, and
    the rows of it that are the channel's."""

    model: type[Model]
    scope: Mapping[str, Any] = field(default_factory=dict)
    # Whether the sender gets the event's sealed secrets opened (a mail's reset link) or
    # never sees them (a webhook: its body leaves for a URL a user chose).
    opens_secrets: bool = True

    @classmethod
    def outbox(cls, channel: str) -> Queue:
        return cls(OutboxDelivery, {"channel": channel})


WEBHOOKS = Queue(WebhookDelivery, opens_secrets=False)


class Deliverer:
    def __init__(
        self,
        channel: str,
        send: Send,
        outbox: Outbox,
        retry: RetryPolicy,
        clock: Clock,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 20,
        queue: Queue | None = None,
        parallel: int = 1,
    ) -> None:
        """`lease` must outlast one batch's sends: past it, a claimed delivery counts as
        abandoned and another deliverer may send it again. `parallel`: how many of a
        batch are sent at once (one slow endpoint must not hold up the others)."""
        self.channel = channel
        self.batch = batch
        self._send = send
        self._outbox = outbox
        self._retry = retry
        self._clock = clock
        self._lease = lease
        self._queue = queue or Queue.outbox(channel)
        self._parallel = asyncio.Semaphore(parallel)

    async def run_once(self) -> Outcome:
        """Claims up to one batch of due deliveries and sends them, `parallel` at a time."""
        claimed = await self._claim()
        if not claimed:
            return Outcome()
        events = {e.id: e for e in await OutboxEvent.filter(id__in=[d.event_id for d in claimed])}
        results = await asyncio.gather(
            *(self._deliver(delivery, events[delivery.event_id]) for delivery in claimed)
        )
        # The batch's deliveries marked delivered in one statement, once every send of it
        # returned: one commit a batch rather than one a delivery. A deliverer that dies
        # before it sends them again after its lease (at least once, as ever).
        sent = [d.id for d, r in zip(claimed, results, strict=True) if r == "delivered"]
        if sent:
            await self._rows(*sent).update(
                delivered_at=self._clock(), next_attempt_at=None, last_error=None
            )
        return Outcome(
            delivered=results.count("delivered"),
            retrying=results.count("retrying"),
            failed=results.count("failed"),
        )

    async def _deliver(self, delivery: Any, row: OutboxEvent) -> str:
        if self._queue.opens_secrets:
            payload = self._outbox.opened(row.payload)
        else:
            payload = self._outbox.without_secrets(row.payload)
        event = Event(
            row.id,
            row.type,
            row.subject,
            row.occurred_at,
            payload,
            delivery.attempts,
            delivery.id,
            getattr(delivery, "webhook_id", None),
        )
        async with self._parallel:
            try:
                await self._send(event)
            except PermanentFailure as exc:
                await self._finish_failed(delivery, f"refused: {exc}")
                return "failed"
            except Exception as exc:
                if delivery.attempts >= self._retry.max_attempts:
                    await self._finish_failed(delivery, f"gave up after {delivery.attempts}: {exc}")
                    return "failed"
                await self._retry_later(delivery, exc)
                return "retrying"
        return "delivered"

    def _rows(self, *ids: Any) -> Any:
        return self._queue.model.filter(id__in=ids)

    async def _claim(self) -> list[Any]:
        now = self._clock()
        async with in_transaction() as conn:
            due = (
                self._queue.model.filter(**self._queue.scope, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .limit(self.batch)
                .using_db(conn)
            )
            if is_postgres(conn):
                due = due.select_for_update(skip_locked=True)
            rows: list[Any] = list(await due)
            if not rows:
                return []
            ids = [r.id for r in rows]
            await (
                self._rows(*ids)
                .using_db(conn)
                .update(next_attempt_at=now + self._lease, attempts=F("attempts") + 1)
            )
        for row in rows:
            row.attempts += 1
        return rows

    async def _retry_later(self, delivery: Any, exc: Exception) -> None:
        wait = self._retry.delay(delivery.attempts)
        log.warning(
            "%s delivery of event %s failed (attempt %d), retrying in %.0fs: %s",
            self.channel,
            delivery.event_id,
            delivery.attempts,
            wait.total_seconds(),
            exc,
        )
        await self._rows(delivery.id).update(
            next_attempt_at=self._clock() + wait, last_error=_words(exc)
        )

    async def _finish_failed(self, delivery: Any, why: str) -> None:
        log.error(
            "%s delivery of event %s failed for good: %s", self.channel, delivery.event_id, why
        )
        await self._rows(delivery.id).update(
            failed_at=self._clock(), next_attempt_at=None, last_error=why[:ERROR_LENGTH]
        )


def _words(exc: Exception) -> str:
    return (f"{type(exc).__name__}: {exc}")[:ERROR_LENGTH]
