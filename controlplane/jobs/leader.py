"""Which replica runs the periodic jobs: the holder of a PostgreSQL advisory lock.

The lock lives on a dedicated connection: if that replica dies, PostgreSQL
drops the connection and the lock with it, and another replica takes over.
SQLite is single-process by nature, so there the one process always leads.
"""

from __future__ import annotations

import contextlib
import logging

import asyncpg

log = logging.getLogger("minispod.leader")

# An arbitrary, fixed 64-bit key naming "MinisPod jobs" in pg_advisory_lock's space.
JOBS_LOCK_KEY = 0x4D696E6973506F64


class Leadership:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._conn: asyncpg.Connection | None = None
        self._postgres = database_url.startswith("asyncpg://")

    async def is_leader(self) -> bool:
        if not self._postgres:
            return True
        if self._conn is not None and not self._conn.is_closed():
            try:
                await self._conn.fetchval("SELECT 1")
                return True
            except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
                await self.release()
        try:
            conn = await asyncpg.connect(
                "postgresql://" + self._url[len("asyncpg://") :], timeout=5
            )
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot reach the database to elect a leader: %s", exc)
            return False
        if await conn.fetchval("SELECT pg_try_advisory_lock($1)", JOBS_LOCK_KEY):
            log.info("this replica now runs the periodic jobs")
            self._conn = conn
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, asyncpg.InterfaceError):
                await self._conn.close()
            self._conn = None
