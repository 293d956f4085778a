"""Leader election between control-plane replicas: one PostgreSQL advisory lock, real connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from controlplane.jobs.leader import Leadership
from tests.conftest import FakeClock

on_postgres = pytest.mark.parametrize("dialect", ["postgres"])


def plain_url(database_url: str) -> str:
    return "postgresql://" + database_url.removeprefix("asyncpg://")


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[tuple[Leadership, Leadership]]:
    """Two replicas of the control plane pointed at the same database."""
    first, second = Leadership(database_url), Leadership(database_url)
    yield first, second
    await first.release()
    await second.release()


async def lock_holder(admin: asyncpg.Connection) -> int | None:
    """The backend holding an advisory lock in this database, if any."""
    pid = await admin.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return int(pid) if pid is not None else None


@on_postgres
async def test_exactly_one_of_two_replicas_leads(replicas):
    first, second = replicas
    assert [await first.is_leader(), await second.is_leader()] == [True, False]
    # Asking again changes nothing: the lock stays where it is.
    assert [await second.is_leader(), await first.is_leader()] == [False, True]


@on_postgres
async def test_the_other_replica_takes_over_when_the_leader_releases(replicas):
    first, second = replicas
    assert await first.is_leader()
    assert not await second.is_leader()

    await first.release()

    assert await second.is_leader()
    assert not await first.is_leader()


@on_postgres
async def test_the_other_replica_takes_over_when_the_leaders_backend_is_terminated(
    replicas, database_url
):
    first, second = replicas
    assert await first.is_leader()
    assert not await second.is_leader()
    admin = await asyncpg.connect(plain_url(database_url))
    try:
        holder = await lock_holder(admin)
        assert holder is not None
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", holder)
        # Termination is a signal; the lock goes when that backend has exited.
        for _ in range(250):
            if await lock_holder(admin) is None:
                break
            await asyncio.sleep(0.02)
        assert await lock_holder(admin) is None
    finally:
        await admin.close()

    assert await second.is_leader()
    # The old leader finds its lock connection dead and does not claim to lead.
    assert not await first.is_leader()


@on_postgres
async def test_pool_options_in_the_database_url_do_not_stop_a_replica_leading(database_url):
    # The pool reads these; sent to the server as settings they failed every election.
    replica = Leadership(database_url + "?minsize=1&maxsize=20&command_timeout=10")
    try:
        assert await replica.is_leader()
    finally:
        await replica.release()


@on_postgres
async def test_a_replica_leads_since_it_won_the_lock_until_it_loses_it(database_url):
    clock = FakeClock()
    first, second = Leadership(database_url, clock), Leadership(database_url, clock)
    try:
        assert await first.is_leader()
        won = clock()
        clock.advance(60)
        assert await first.is_leader()
        assert not await second.is_leader()
        assert (first.leading_since, second.leading_since) == (won, None)

        await first.release()
        assert first.leading_since is None
        assert await second.is_leader()
        assert second.leading_since == clock()
    finally:
        await first.release()
        await second.release()


async def test_a_sqlite_control_plane_leads_from_its_first_check(tmp_path: Path):
    clock = FakeClock()
    replica = Leadership(f"sqlite://{tmp_path / 'minispod.sqlite3'}", clock)
    assert replica.leading_since is None
    assert await replica.is_leader()
    first_check = clock()
    clock.advance(60)
    assert await replica.is_leader()
    assert replica.leading_since == first_check


async def test_a_sqlite_control_plane_always_leads(tmp_path: Path):
    replica = Leadership(f"sqlite://{tmp_path / 'minispod.sqlite3'}")
    assert await replica.is_leader()
    assert await replica.is_leader()


async def test_jobs_asking_at_once_share_the_lock_connection_safely(postgres):
    """Three jobs due together ask concurrently; one asyncpg connection must not be
    used by two of them at once (it breaks with a protocol error)."""
    import asyncio

    from controlplane.config import normalise_database_url
    from controlplane.jobs.leader import Leadership

    name = await postgres.create_database(template=postgres.template)
    leader = Leadership(normalise_database_url(postgres.url_for(name)))
    try:
        assert await leader.is_leader()
        for _ in range(20):
            answers = await asyncio.gather(*(leader.is_leader() for _ in range(3)))
            assert answers == [True, True, True]
    finally:
        await leader.release()
