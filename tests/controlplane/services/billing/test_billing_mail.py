"""Billing's news reaches its customer by real mail: a renewal the wallet could not pay and
a runway below the threshold, each once, through the outbox and a real SMTP server."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.appkeys import DELIVERY
from controlplane.db.models import Service
from tests.conftest import FakeClock
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe
from tests.controlplane.services.apps.test_renewals import DAY
from tests.smtp import MailServer

EMAIL = "cleo@example.com"


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster, mail_server: MailServer) -> TestClient:
    """The app of the other tests, mailing through a real SMTP server."""
    app = create_app(
        config.replace(run_jobs=False, smtp_url=mail_server.url, eviction_timeout=60),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def test_a_failed_renewal_and_a_low_balance_are_each_mailed_once(
    platform, admin, services, clock: FakeClock, mail_server: MailServer
) -> None:
    price = (await Service.get(id=services["ghost"])).monthly_price
    await active_node(platform, admin, "worker-a")
    bea = await customer(platform, EMAIL, funds=price + 1)
    assert (await subscribe(platform, bea, services["ghost"])).status == 201
    clock.advance(31 * DAY + 60)
    await reconcile(platform)
    clock.advance(DAY)
    await reconcile(platform)
    await platform.app[DELIVERY].drain()

    subjects = sorted(m.subject for m in mail_server.to(EMAIL))
    amount = f"{price / 100:.2f}"
    assert any("runs out in" in s for s in subjects), subjects
    failed = [m for m in mail_server.to(EMAIL) if "could not be made" in m.subject]
    assert len(failed) == 1, subjects
    assert amount in failed[0].subject
    assert "/billing" in failed[0].part("plain")
    assert len([s for s in subjects if "runs out in" in s]) == 1
