"""The pooled PostgreSQL connections: how they plan, and what a connection handed back keeps."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.config import normalise_database_url
from controlplane.db.database import connected, unreachable
from controlplane.db.models import User
from shared.enums import Role
from tests.conftest import Postgres


@pytest.fixture
async def pg_url(postgres: Postgres) -> AsyncIterator[str]:
    name = await postgres.fresh_database()
    yield normalise_database_url(postgres.url_for(name))
    await postgres.give_back(name)


async def setting(name: str) -> str:
    _, rows = await Tortoise.get_connection("postgres").execute_query(f"SHOW {name}")
    return str(rows[0][name])


async def test_pooled_connections_price_page_reads_for_ssd_unless_the_url_says(pg_url):
    async with connected(pg_url):
        assert await setting("random_page_cost") == "1.1"
    async with connected(f"{pg_url}?random_page_cost=2"):
        assert await setting("random_page_cost") == "2"
    # Empty: nothing sent (a pooler that refuses unknown parameters), the server's own.
    async with connected(f"{pg_url}?random_page_cost="):
        assert await setting("random_page_cost") == "4"


def user(email: str) -> User:
    return User(
        id=uuid.uuid4(), name="x", email=email, password_hash="x", role=Role.USER, is_active=True
    )


async def test_a_failed_transaction_leaves_the_one_pooled_connection_usable(pg_url):
    # One connection, so every query below runs on the one the failure handed back.
    async with connected(f"{pg_url}?maxsize=1"):
        await user("a@paas.com").save()

        async def two_users_one_taken() -> None:
            async with in_transaction():
                await user("b@paas.com").save()
                await user("a@paas.com").save()  # duplicate email: the transaction aborts

        with pytest.raises(IntegrityError):
            await two_users_one_taken()
        # Nothing of the failed transaction stayed, and the session is not left aborted.
        assert sorted(await User.all().values_list("email", flat=True)) == ["a@paas.com"]
        assert await setting("transaction_isolation") == "read committed"


async def test_worker_search_indexes_take_entries_at_once_not_into_a_pending_list(pg_url):
    async with connected(pg_url):
        _, rows = await Tortoise.get_connection("postgres").execute_query(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'idx_worker_nodes_%_trgm'"
        )
    assert {r["relname"]: r["reloptions"] for r in rows} == {
        f"idx_worker_nodes_{column}_trgm": ["fastupdate=off"]
        for column in ("name", "hostname", "ip")
    }


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.InternalClientError("cannot perform operation: another operation is in progress"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        ConnectionRefusedError(111, "Connect call failed"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_of_a_database_going_away_count_as_an_outage(error: BaseException) -> None:
    wrapped = RuntimeError("while storing a batch")
    wrapped.__cause__ = error
    assert unreachable(error) and unreachable(wrapped)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        ValueError("a bug"),
        asyncpg.exceptions.UndefinedColumnError("column does not exist"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_of_our_own_are_not_taken_for_an_outage(error: BaseException) -> None:
    assert not unreachable(error)
