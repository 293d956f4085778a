"""Tenant locks: changes to one namespace take turns, here and across replicas; other
namespaces do not wait; a change that waits too long for another replica gives up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from controlplane.db import database
from controlplane.services.apps.tenant_locks import LOCK_SPACE, TenantBusy, TenantLocks, lock_key


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    async with database.connected(database_url):
        yield database_url


async def _overlaps(locks: TenantLocks, namespaces: list[str]) -> int:
    """How many changes ran at the same moment, at most."""
    running = peak = 0

    async def change(namespace: str) -> None:
        nonlocal running, peak
        async with locks.hold(namespace):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

    await asyncio.gather(*(change(n) for n in namespaces))
    return peak


async def test_changes_to_one_namespace_take_turns(db: str) -> None:
    assert await _overlaps(TenantLocks(), ["tenant-a"] * 4) == 1


async def test_changes_to_different_namespaces_run_side_by_side(db: str) -> None:
    assert await _overlaps(TenantLocks(), ["tenant-a", "tenant-b", "tenant-c"]) == 3


async def test_a_change_another_replica_holds_too_long_gives_up(db: str, dialect: str) -> None:
    if dialect != "postgres":
        pytest.skip("only PostgreSQL is shared by replicas")
    other = await asyncpg.connect(**database.connect_args(db))
    try:
        # Another replica in the middle of a change to tenant-a.
        await other.execute("BEGIN")
        await other.execute(
            "SELECT pg_advisory_xact_lock($1, $2)", LOCK_SPACE, lock_key("tenant-a")
        )
        locks = TenantLocks(wait_seconds=0.2)
        with pytest.raises(TenantBusy):
            async with locks.hold("tenant-a"):
                pytest.fail("ran while another replica held the namespace")
        async with locks.hold("tenant-b"):
            pass
        await other.execute("COMMIT")
        async with locks.hold("tenant-a"):
            pass
    finally:
        await other.close()
