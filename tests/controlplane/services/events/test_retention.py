"""The outbox's retention: finished events go after a while, with their deliveries and
their attempts; an event with a delivery still due stays however old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.appkeys import DELIVERY, OUTBOX
from controlplane.db.models import (
    OutboxDelivery,
    OutboxEvent,
    User,
    WebhookAttempt,
    WebhookDelivery,
)
from controlplane.services.events import retention
from tests.conftest import FakeClock
from tests.controlplane.api.test_subscriptions import customer
from tests.controlplane.api.test_webhooks import make_hook
from tests.webhook_receiver import Receiver

KEEP = timedelta(days=30)


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster) -> TestClient:
    """The app with this machine's loopback allowed as a webhook target."""
    app = create_app(
        config.replace(run_jobs=False, webhook_allow_networks="127.0.0.1/32"),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def emit(client: TestClient, subject: str) -> None:
    outbox = client.app[OUTBOX]
    async with outbox.transaction() as conn:
        payload = {"email": "x@example.com", "name": "X", "reset": False}
        await outbox.emit(conn, "user.password_changed", subject, payload)


async def test_finished_events_go_after_the_retention_and_pending_ones_stay(
    platform,
    receiver: Receiver,
    clock: FakeClock,
) -> None:
    who = await customer(platform, "ret@example.com", funds=0)
    await make_hook(platform, who, receiver.url(), ["user.password_changed"])
    user = str((await User.get(email="ret@example.com")).id)
    await emit(platform, user)  # delivered: mail and webhook
    await platform.app[DELIVERY].drain()
    receiver.answers = [500]
    await emit(platform, user)  # its webhook delivery fails once: a retry is due
    await platform.app[DELIVERY].drain()
    assert await WebhookAttempt.all().count() == 2

    assert await retention.prune(clock(), KEEP) == 0  # nothing is old yet
    clock.advance(KEEP.total_seconds() + 60)
    everything = await OutboxEvent.all().count()
    assert await retention.prune(clock(), KEEP) == everything - 1  # all but the pending one
    [kept] = await OutboxEvent.all()
    pending = await WebhookDelivery.get(event_id=kept.id)
    assert pending.next_attempt_at is not None and pending.delivered_at is None
    # The removed event's deliveries and attempts went with it.
    assert await OutboxDelivery.exclude(event_id=kept.id).count() == 0
    assert await WebhookDelivery.exclude(event_id=kept.id).count() == 0
    assert await WebhookAttempt.all().count() == 1
