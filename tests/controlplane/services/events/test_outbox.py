"""The outbox: events exist exactly when their change committed; deliveries retry, give up,
and are never sent by two deliverers at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import OUTBOX
from controlplane.db.models import OutboxDelivery, OutboxEvent, User
from controlplane.services.events.delivery import (
    Deliverer,
    Event,
    PermanentFailure,
    RetryPolicy,
)
from controlplane.services.events.outbox import NotInTransaction, Outbox
from tests.conftest import FakeClock

MAILED = "user.password_changed"  # a type the email channel delivers


async def _user(conn: object | None = None) -> User:
    return await User.create(
        id=uuid.uuid4(),
        name="N",
        email=f"{uuid.uuid4().hex}@x.test",
        password_hash="x",
        using_db=conn,
    )


async def test_an_event_is_written_with_its_change_and_gets_a_due_delivery(
    client: TestClient, clock: FakeClock
) -> None:
    outbox = client.app[OUTBOX]
    async with outbox.transaction() as conn:
        user = await _user(conn)
        event_id = await outbox.emit(conn, MAILED, str(user.id), {"email": user.email})
    event = await OutboxEvent.get(id=event_id)
    assert (event.type, event.subject, event.payload) == (
        MAILED,
        str(user.id),
        {"email": user.email},
    )
    delivery = await OutboxDelivery.get(event_id=event_id)
    assert delivery.channel == "email" and delivery.attempts == 0
    assert delivery.next_attempt_at == clock()


async def test_a_rolled_back_change_emits_nothing(client: TestClient) -> None:
    outbox = client.app[OUTBOX]

    async def change_then_fail() -> None:
        async with outbox.transaction() as conn:
            user = await _user(conn)
            await outbox.emit(conn, MAILED, str(user.id), {"email": user.email})
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        await change_then_fail()
    assert await User.all().count() == 0
    assert await OutboxEvent.all().count() == 0
    assert await OutboxDelivery.all().count() == 0


async def test_an_event_emitted_outside_a_transaction_is_refused(client: TestClient) -> None:
    from tortoise import connections

    conn = connections.get(next(iter(connections.db_config)))
    with pytest.raises(NotInTransaction):
        await client.app[OUTBOX].emit(conn, MAILED, None, {})
    assert await OutboxEvent.all().count() == 0


async def test_secrets_are_sealed_in_the_outbox_and_opened_for_the_deliverer(
    client: TestClient,
) -> None:
    outbox = client.app[OUTBOX]
    async with outbox.transaction() as conn:
        event_id = await outbox.emit(conn, MAILED, None, {"email": "a@x.test"}, {"token": "s3cret"})
    stored = (await OutboxEvent.get(id=event_id)).payload
    assert "s3cret" not in str(stored)
    assert outbox.opened(stored) == {"email": "a@x.test", "token": "s3cret"}


async def test_an_event_no_channel_wants_is_stored_without_deliveries(client: TestClient) -> None:
    outbox = client.app[OUTBOX]
    async with outbox.transaction() as conn:
        event_id = await outbox.emit(conn, "subscription.created", "s-1", {"plan": "x"})
    assert await OutboxEvent.filter(id=event_id).exists()
    assert await OutboxDelivery.filter(event_id=event_id).count() == 0


class Recorder:
    """A channel's sender that records what it was handed and fails as told."""

    def __init__(self, fail_times: int = 0, permanent: bool = False, pause: float = 0.0) -> None:
        self.sent: list[Event] = []
        self.fail_times = fail_times
        self.permanent = permanent
        self.pause = pause

    async def __call__(self, event: Event) -> None:
        if self.pause:
            await asyncio.sleep(self.pause)
        if self.fail_times:
            self.fail_times -= 1
            raise (PermanentFailure("550 no such mailbox") if self.permanent else OSError("down"))
        self.sent.append(event)


async def _emit_many(outbox: Outbox, n: int) -> list[uuid.UUID]:
    async with outbox.transaction() as conn:
        return [await outbox.emit(conn, MAILED, None, {"n": i}) for i in range(n)]


async def test_a_failing_delivery_is_retried_with_exponential_backoff_then_given_up(
    client: TestClient, clock: FakeClock
) -> None:
    outbox = client.app[OUTBOX]
    (event_id,) = await _emit_many(outbox, 1)
    sender = Recorder(fail_times=10)
    deliverer = Deliverer("email", sender, outbox, RetryPolicy(3, first_delay=10), clock)

    waits = []
    for _ in range(2):
        started = clock()
        outcome = await deliverer.run_once()
        assert outcome.retrying == 1
        row = await OutboxDelivery.get(event_id=event_id)
        assert row.last_error == "OSError: down"
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - started).total_seconds())
        assert (await deliverer.run_once()).handled == 0  # not due again before its time
        clock.advance(waits[-1])
    assert waits == [10, 20]

    outcome = await deliverer.run_once()
    row = await OutboxDelivery.get(event_id=event_id)
    assert outcome.failed == 1 and row.attempts == 3
    assert row.failed_at == clock() and row.next_attempt_at is None
    assert row.last_error is not None and row.last_error.startswith("gave up after 3")
    clock.advance(3600)
    assert (await deliverer.run_once()).handled == 0


async def test_a_permanent_refusal_is_recorded_at_once(
    client: TestClient, clock: FakeClock
) -> None:
    outbox = client.app[OUTBOX]
    (event_id,) = await _emit_many(outbox, 1)
    sender = Recorder(fail_times=1, permanent=True)
    deliverer = Deliverer("email", sender, outbox, RetryPolicy(8, first_delay=10), clock)
    assert (await deliverer.run_once()).failed == 1
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.attempts == 1 and row.failed_at is not None and row.next_attempt_at is None
    assert row.last_error == "refused: 550 no such mailbox"


async def test_a_delivery_abandoned_mid_send_is_sent_again_after_its_lease(
    client: TestClient, clock: FakeClock
) -> None:
    outbox = client.app[OUTBOX]
    (event_id,) = await _emit_many(outbox, 1)
    sender = Recorder()
    lease = timedelta(seconds=30)
    deliverer = Deliverer("email", sender, outbox, RetryPolicy(8, 10), clock, lease=lease)
    # A deliverer that claimed it and died: the claim happened, the send never finished.
    await deliverer._claim()
    assert (await deliverer.run_once()).handled == 0
    clock.advance(lease.total_seconds())
    assert (await deliverer.run_once()).delivered == 1
    assert [e.id for e in sender.sent] == [event_id]
    row = await OutboxDelivery.get(event_id=event_id)
    assert row.attempts == 2 and row.delivered_at is not None and row.next_attempt_at is None


async def test_concurrent_deliverers_send_each_event_once(
    client: TestClient, clock: FakeClock, dialect: str
) -> None:
    """On PostgreSQL the claims run side by side on separate connections (SKIP LOCKED);
    on SQLite they take turns. Either way no event is sent twice."""
    outbox = client.app[OUTBOX]
    ids = await _emit_many(outbox, 120)
    senders = [Recorder(pause=0.001) for _ in range(4)]
    deliverers = [
        Deliverer("email", s, outbox, RetryPolicy(8, 10), clock, batch=7) for s in senders
    ]

    async def drain(d: Deliverer) -> None:
        while (await d.run_once()).handled:
            pass

    await asyncio.gather(*(drain(d) for d in deliverers))
    sent = [e.id for s in senders for e in s.sent]
    assert sorted(sent) == sorted(ids)
    assert sum(1 for s in senders if s.sent) > 1  # they did share the work
    assert await OutboxDelivery.filter(delivered_at__isnull=True).count() == 0
