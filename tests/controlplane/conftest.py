"""Fixtures of the control plane's tests: the real app on the in-memory cluster, its catalog
and its administrator (the subscription, instance and sealing tests share them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from cryptography.fernet import Fernet

from controlplane.app import create_app
from controlplane.appkeys import CONFIG, NOTICES
from controlplane.blobs.s3 import S3Settings
from controlplane.cluster.memory import InMemoryCluster
from controlplane.db.models import Service, User
from controlplane.services.billing.credits import credit
from controlplane.services.billing.invoices import Billed, Invoicing, Seller
from controlplane.services.billing.ledger import Reference
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.wallets import WalletOwner
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from controlplane.services.clock import utcnow
from controlplane.services.events.outbox import Outbox
from controlplane.services.sealing import SecretBox
from tests.conftest import ADMIN_PASSWORD, bearer, create_account, sign_in
from tests.processes import S3Server

# What tests that post charges directly (not through the app) put on their invoices.
TEST_INVOICING = Invoicing(Seller("Test Seller Ltd", "1 Test Street, Testville", "EU123"), 2000)


def billed(at: datetime) -> Billed:
    return Billed(TEST_INVOICING, at)


def direct_notices() -> Notices:
    """Billing's notices for tests that post to the ledger directly (not through the app):
    their events are written to the outbox like any others; no channel delivers them, and
    no subscription spends, so no wallet runs low."""
    return Notices(Outbox(SecretBox([Fernet.generate_key().decode()]), {}, utcnow), DAY, utcnow)


DAY = timedelta(days=1)


@pytest.fixture
def cluster() -> InMemoryCluster:
    return InMemoryCluster()


@pytest.fixture
async def platform(aiohttp_client, config, clock, cluster) -> TestClient:
    """The real app on the in-memory cluster; jobs are run by hand, so tests are deterministic."""
    app = create_app(
        config.replace(run_jobs=False, max_subscriptions_per_team=500, eviction_timeout=60),
        clock=clock,
        cluster=cluster,
    )
    return await aiohttp_client(app)


async def seed_services(client: TestClient) -> dict[str, str]:
    ids = {}
    for entry in DEFAULT_CATALOG:
        service = await Service.create(
            name=entry["name"],
            slug=entry["slug"],
            description=entry["description"],
            category=entry["category"],
            version=entry["version"],
            monthly_price=entry["pricing"]["monthly"],
            template=entry["template"].wire(),
        )
        ids[entry["slug"]] = str(service.id)
    return ids


async def fund(client: TestClient, email: str, amount: int) -> None:
    """Money in a test account's wallet the honest way: a credit through the ledger."""
    user = await User.get(email=email)
    await credit(
        client.app[NOTICES],
        WalletOwner.team(user.id),
        amount,
        client.app[CONFIG].currency,
        f"test-funds:{uuid.uuid4()}",
        Reference("test", "funds"),
        None,
        "test funds",
    )


@pytest.fixture
async def services(platform) -> dict[str, str]:
    return await seed_services(platform)


@pytest.fixture
async def admin(platform) -> dict[str, str]:
    await create_account(platform, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR")
    return bearer((await sign_in(platform, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One moto S3 server for the session; each test makes a bucket of its own."""
    server = S3Server(tmp_path_factory.mktemp("moto") / "moto.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_settings(s3_server: S3Server) -> S3Settings:
    import botocore.session

    settings = S3Settings(
        bucket=f"snapshots-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_server.url,
        access_key_id=S3Server.ACCESS_KEY,
        secret_access_key=S3Server.SECRET_KEY,
    )
    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=s3_server.url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
    )
    client.create_bucket(Bucket=settings.bucket)
    client.close()
    return settings


@pytest.fixture(params=["dir", "s3"])
def store_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The snapshot blob store's settings: the directory, or S3 on the suite's moto."""
    if request.param == "dir":
        return {"snapshot_store": "dir"}
    s3: S3Settings = request.getfixturevalue("s3_settings")
    return {
        "snapshot_store": "s3",
        "snapshot_s3_bucket": s3.bucket,
        "snapshot_s3_endpoint": s3.endpoint_url,
        "snapshot_s3_access_key_id": s3.access_key_id,
        "snapshot_s3_secret_access_key": s3.secret_access_key,
    }
