"""Node tokens on the hot path: how long a cached token is trusted, and how a revocation
reaches every replica (PostgreSQL NOTIFY, heard on a LISTEN channel that survives its
connection being cut)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from tortoise.transactions import in_transaction

from controlplane.db.listen import Channel
from controlplane.db.models import NodeToken
from controlplane.services.errors import Unauthorized
from controlplane.services.fleet.node_auth import REVOCATIONS, NodeAuth
from tests.controlplane.api.test_workers import join_token, register

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def a_node(client: TestClient, admin: dict[str, str]) -> tuple[uuid.UUID, str]:
    """A newly registered node (its own name) and its token."""
    name = f"worker-{uuid.uuid4().hex[:8]}"
    node = await register(client, await join_token(client, admin), name=name)
    return uuid.UUID(node["nodeId"]), str(node["nodeToken"])


async def revoke_behind_its_back(node_id: uuid.UUID) -> None:
    """A revocation this NodeAuth is not told about (as by another replica, unheard)."""
    await NodeToken.filter(node_id=node_id).update(revoked_at=NOW)


async def test_a_replica_that_hears_revocations_trusts_its_cache_for_the_long_ttl(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node_id, token = await a_node(client, admin_headers)
    ticker = Ticker()
    auth = NodeAuth(shared=True, ttl=600, unheard_ttl=30, monotonic=ticker, spread=lambda: 1.0)
    auth.heard()
    assert await auth.node_for(token) == node_id
    await revoke_behind_its_back(node_id)

    ticker.now += 300
    assert await auth.node_for(token) == node_id  # still cached: nobody said otherwise
    auth.forget_node(node_id)  # what hearing the NOTIFY does
    with pytest.raises(Unauthorized):
        await auth.node_for(token)


async def test_a_replica_that_cannot_hear_trusts_its_cache_briefly(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node_id, token = await a_node(client, admin_headers)
    ticker = Ticker()
    auth = NodeAuth(shared=True, ttl=600, unheard_ttl=30, monotonic=ticker, spread=lambda: 1.0)
    assert not auth.hearing  # shared and not yet listening
    assert await auth.node_for(token) == node_id
    await revoke_behind_its_back(node_id)

    ticker.now += 29
    assert await auth.node_for(token) == node_id
    ticker.now += 2
    with pytest.raises(Unauthorized):
        await auth.node_for(token)


async def test_losing_the_channel_drops_every_cached_token(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node_id, token = await a_node(client, admin_headers)
    auth = NodeAuth(shared=True, monotonic=Ticker())
    auth.heard()
    await auth.node_for(token)
    await revoke_behind_its_back(node_id)

    auth.unheard()  # revocations sent meanwhile may be lost

    assert not auth.hearing
    with pytest.raises(Unauthorized):
        await auth.node_for(token)


async def test_cached_lifetimes_are_spread_so_a_fleet_does_not_expire_at_once(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node_id, token = await a_node(client, admin_headers)
    ticker = Ticker()
    auth = NodeAuth(shared=False, ttl=600, monotonic=ticker, spread=lambda: 0.0)
    await auth.node_for(token)
    await revoke_behind_its_back(node_id)

    ticker.now += 449  # the earliest an entry may expire is at three quarters of the ttl
    assert await auth.node_for(token) == node_id
    ticker.now += 2
    with pytest.raises(Unauthorized):
        await auth.node_for(token)


async def test_revoking_refuses_the_token_at_once_on_this_replica(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node_id, token = await a_node(client, admin_headers)
    auth = NodeAuth(shared=False)
    await auth.node_for(token)

    await auth.revoke(node_id, NOW)

    with pytest.raises(Unauthorized):
        await auth.node_for(token)
    assert await NodeToken.filter(node_id=node_id, revoked_at__isnull=True).count() == 0


class Heard:
    """What a Channel reported, for the test to wait on."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.opened = 0
        self.gaps = 0
        self.changed = asyncio.Event()

    def message(self, payload: str) -> None:
        self.messages.append(payload)
        self.changed.set()

    def open(self) -> None:
        self.opened += 1
        self.changed.set()

    def gap(self) -> None:
        self.gaps += 1
        self.changed.set()

    async def until(self, what: str, check: Callable[[], bool]) -> None:
        try:
            async with asyncio.timeout(10):
                while not check():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}: {vars(self)}") from None


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
async def test_a_committed_revocation_reaches_listeners_and_a_rolled_back_one_does_not(
    client: TestClient, admin_headers: dict[str, str], database_url: str
) -> None:
    kept_id, _ = await a_node(client, admin_headers)
    rolled_back_id, _ = await a_node(client, admin_headers)
    heard = Heard()
    channel = Channel(database_url, REVOCATIONS, heard.message, heard.open, heard.gap)
    channel.start()
    try:
        await heard.until("the channel to open", lambda: heard.opened == 1)
        auth = NodeAuth(shared=True)

        class Abandon(Exception):
            pass

        async def revoke_then_fail() -> None:
            async with in_transaction():
                await auth.revoke(rolled_back_id, NOW)
                raise Abandon

        with pytest.raises(Abandon):
            await revoke_then_fail()
        await auth.revoke(kept_id, NOW)

        await heard.until("the revocation", lambda: str(kept_id) in heard.messages)
        assert str(rolled_back_id) not in heard.messages
        assert await NodeToken.filter(node_id=rolled_back_id, revoked_at__isnull=True).count() == 1
    finally:
        await channel.stop()


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
async def test_a_channel_whose_connection_is_cut_reports_the_gap_and_listens_again(
    client: TestClient, admin_headers: dict[str, str], database_url: str
) -> None:
    node_id, _ = await a_node(client, admin_headers)
    heard = Heard()
    channel = Channel(database_url, REVOCATIONS, heard.message, heard.open, heard.gap)
    channel.start()
    try:
        await heard.until("the channel to open", lambda: heard.opened == 1)
        from controlplane.db.database import connect_args

        admin_conn = await asyncpg.connect(**connect_args(database_url))
        try:
            cut = await admin_conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
            )
        finally:
            await admin_conn.close()
        assert cut >= 1  # ours, and the app's own listener

        await heard.until(
            "the gap and the reopening", lambda: heard.gaps >= 1 and heard.opened >= 2
        )
        await NodeAuth(shared=True).revoke(node_id, NOW)
        await heard.until("the revocation after reopening", lambda: str(node_id) in heard.messages)
    finally:
        await channel.stop()
