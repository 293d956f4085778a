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
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from controlplane.db.models import OutboxDelivery, OutboxEvent, WebhookDelivery
from controlplane.services.clock import Clock
from controlplane.services.sealing import SecretBox

SEALED = "sealed"

# Which webhook endpoints want an event of this type about this subject, asked on the
# change's own connection (`webhooks.endpoints_for`).
Endpoints = Callable[[BaseDBAsyncClient, str, str | None], Awaitable[list[uuid.UUID]]]


async def no_endpoints(conn: BaseDBAsyncClient, type: str, subject: str | None) -> list[uuid.UUID]:
    return []


class NotInTransaction(RuntimeError):
    """emit() was called outside a transaction: the event could outlive a rolled-back change."""


class Outbox:
    def __init__(
        self,
        box: SecretBox,
        channels: Mapping[str, Collection[str]],
        clock: Clock,
        endpoints: Endpoints = no_endpoints,
    ) -> None:
        """`channels`: each channel's name and the event types it delivers; `endpoints`:
        the webhook endpoints an event goes to, each a delivery of its own."""
        self._box = box
        self._channels = channels
        self._clock = clock
        self._endpoints = endpoints
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
        webhooks: Sequence[uuid.UUID] | None = None,
    ) -> uuid.UUID:
        """Writes one event (and its deliveries) on `conn`, which must be the caller's
        open transaction; returns the event's idempotency id. `webhooks`: these endpoints
        instead of those that subscribed to the type (a ping)."""
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
        targets = await self._endpoints(conn, type, subject) if webhooks is None else webhooks
        if targets:
            await WebhookDelivery.bulk_create(
                [
                    WebhookDelivery(
                        id=uuid.uuid4(),
                        event_id=event.id,
                        webhook_id=target,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for target in targets
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

    async def reseal(self) -> int:
        """Every event's sealed secrets sealed under the first key (`reseal-secrets`), so
        a mail still to be sent opens once the old key is dropped."""
        changed = 0
        for event_id, payload in await OutboxEvent.all().values_list("id", "payload"):
            sealed = payload.get(SEALED) if isinstance(payload, dict) else None
            if not sealed:
                continue
            again = self._box.reseal(sealed)
            if again is not None:
                await OutboxEvent.filter(id=event_id).update(payload={**payload, SEALED: again})
                changed += 1
        return changed

    @staticmethod
    def without_secrets(payload: Mapping[str, Any]) -> dict[str, Any]:
        """The payload as a receiver outside may see it: sealed secrets left out."""
        return {k: v for k, v in payload.items() if k != SEALED}

    def opened(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The payload with its sealed secrets readable again, for a deliverer."""
        body = dict(payload)
        sealed = body.pop(SEALED, None)
        if sealed:
            body.update(self._box.open(sealed))
        return body
