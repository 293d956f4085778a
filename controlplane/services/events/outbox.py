"""The outbox: domain events written in the caller's own transaction, delivered later.

Written with the change, an event exists exactly when the change committed: a
rolled-back change leaves none, a crash after the commit loses none (the
transactional outbox pattern). Each channel that wants the event type gets a
delivery row, due at once; the channels' deliverers (`delivery.py`) take it from there.

Events that need a secret in their delivery (a verification link's token) carry it
sealed (`sealing.SecretBox`) under `sealed`: the token's table keeps only its hash, and
the outbox must not become the place where the raw one lies in the clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from controlplane.db.models import OutboxDelivery, OutboxEvent
from controlplane.services.clock import Clock
from controlplane.services.sealing import SecretBox

SEALED = "sealed"


class NotInTransaction(RuntimeError):
    """emit() was called outside a transaction: the event could outlive a rolled-back change."""


class Outbox:
    def __init__(
        self, box: SecretBox, channels: Mapping[str, Collection[str]], clock: Clock
    ) -> None:
        """`channels`: each channel's name and the event types it delivers."""
        self._box = box
        self._channels = channels
        self._clock = clock
        # Set after a commit that wrote events, so this replica's deliverers go at once
        # instead of at their next poll.
        self._news = asyncio.Event()

    async def emit(
        self,
        conn: BaseDBAsyncClient,
        type: str,
        subject: str | None,
        payload: Mapping[str, Any],
        secrets: Mapping[str, str] | None = None,
    ) -> uuid.UUID:
        """Writes one event (and its deliveries) on `conn`, which must be the caller's
        open transaction; returns the event's idempotency id."""
        if not isinstance(conn, TransactionalDBClient):
            raise NotInTransaction(f"event {type} must be emitted inside the change's transaction")
        now = self._clock()
        body = dict(payload)
        if secrets:
            body[SEALED] = self._box.seal(secrets)
        event = await OutboxEvent.create(
            id=uuid.uuid4(),
            type=type,
            subject=subject,
            payload=body,
            occurred_at=now,
            using_db=conn,
        )
        wanted = [name for name, types in self._channels.items() if type in types]
        if wanted:
            await OutboxDelivery.bulk_create(
                [
                    OutboxDelivery(
                        id=uuid.uuid4(), event_id=event.id, channel=name, next_attempt_at=now
                    )
                    for name in wanted
                ],
                using_db=conn,
            )
        return event.id

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[BaseDBAsyncClient]:
        """`in_transaction()` that wakes the deliverers once it has committed."""
        async with in_transaction() as conn:
            yield conn
        self.wake()

    def wake(self) -> None:
        self._news.set()

    async def news(self, within: float) -> None:
        """Returns when events were committed since the last call, or after `within` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._news.wait(), within)
        self._news.clear()

    def opened(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The payload with its sealed secrets readable again, for a deliverer."""
        body = dict(payload)
        sealed = body.pop(SEALED, None)
        if sealed:
            body.update(self._box.open(sealed))
        return body
