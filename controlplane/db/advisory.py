"""PostgreSQL advisory locks held for one transaction: work serialised across replicas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from controlplane.db.database import main_connection
from controlplane.db.sql import is_postgres


class LockTimeout(Exception):
    """The lock stayed taken by someone else for longer than we were willing to wait."""


@asynccontextmanager
async def transaction_lock(space: int, key: int, wait_seconds: float) -> AsyncIterator[None]:
    """Holds `pg_advisory_xact_lock(space, key)` while the block runs.

    Two 32-bit keys live apart from the one 64-bit key of the jobs leader's lock.
    The lock is the transaction's, on a pooled connection held for the block: it
    goes with the commit, with the rollback of a block that raised, and with the
    connection if this process dies. Waiting longer than `wait_seconds` raises
    LockTimeout. On SQLite this holds nothing: it serves one process only.
    """
    client = main_connection()
    if not is_postgres(client):
        yield
        return
    async with client.acquire_connection() as conn, conn.transaction():
        # lock_timeout counts for advisory locks too; kept under the pool's command
        # timeout so the server gives up first and says so.
        await conn.execute(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'")
        try:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", space, key)
        except asyncpg.LockNotAvailableError as exc:
            raise LockTimeout(f"advisory lock ({space}, {key}) still held") from exc
        yield
