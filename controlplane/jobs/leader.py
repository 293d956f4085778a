"""Which replica runs the periodic jobs: the holder of a PostgreSQL advisory lock.

The lock lives on a dedicated connection: if that replica dies, PostgreSQL
drops the connection and the lock with it, and another replica takes over.
SQLite is single-process by nature, so there the one process always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from controlplane.db.database import tortoise_config

log = logging.getLogger("minispod.leader")

# An arbitrary, fixed 64-bit key naming "MinisPod jobs" in pg_advisory_lock's space.
JOBS_LOCK_KEY = 0x4D696E6973506F64
# A lock connection that does not answer within this long counts as lost:
# a hung check would otherwise stall every later run of the job.
CHECK_TIMEOUT = 5.0


def connect_args(database_url: str) -> dict[str, Any]:
    """Where the database is, read as the pool reads it, minus the pool's own options.

    asyncpg sends URL query keys it does not know to the server as settings, so
    `?maxsize=20` in the URL made every election fail and no replica ran jobs."""
    creds = tortoise_config(database_url)["connections"]["postgres"]["credentials"]
    args = {k: creds[k] for k in ("host", "port", "user", "password", "database")}
    if "ssl" in creds:
        args["ssl"] = creds["ssl"]
    return args


class Leadership:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._conn: asyncpg.Connection | None = None
        self._postgres = database_url.startswith("asyncpg://")
        # Jobs due at the same moment all ask; one asyncpg connection takes one
        # query at a time, so the questions are answered one after another.
        self._asking = asyncio.Lock()

    async def is_leader(self) -> bool:
        if not self._postgres:
            return True
        async with self._asking:
            return await self._check()

    async def _check(self) -> bool:
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.fetchval("SELECT 1", timeout=CHECK_TIMEOUT)
                return True
            except (
                asyncpg.PostgresError,
                OSError,
                asyncpg.InterfaceError,
                asyncpg.InternalClientError,
                TimeoutError,
            ):
                # Also a timed-out check: the connection is mid-query and unusable,
                # and the lock (if it still exists) goes when it is closed.
                await self.release()
        try:
            conn = await asyncpg.connect(**connect_args(self._url), timeout=CHECK_TIMEOUT)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("cannot reach the database to elect a leader: %s", exc)
            return False
        try:
            won = await conn.fetchval(
                "SELECT pg_try_advisory_lock($1)", JOBS_LOCK_KEY, timeout=CHECK_TIMEOUT
            )
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("leader election failed: %s", exc)
            won = False
        if won:
            log.info("this replica now runs the periodic jobs")
            self._conn = conn
            return True
        with contextlib.suppress(OSError, asyncpg.InterfaceError, TimeoutError):
            await conn.close(timeout=CHECK_TIMEOUT)
        return False

    async def release(self) -> None:
        if self._conn is not None:
            # A connection the server already dropped (terminated backend) has
            # nothing left to close; the lock went with it.
            with contextlib.suppress(
                OSError, asyncpg.InterfaceError, asyncpg.PostgresError, TimeoutError
            ):
                await self._conn.close(timeout=CHECK_TIMEOUT)
            self._conn = None
