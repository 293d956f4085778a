"""Which replica runs the periodic jobs: the holder of a PostgreSQL advisory lock.

The lock lives on a dedicated connection: if that replica dies, PostgreSQL
drops the connection and the lock with it, and another replica takes over.
SQLite is single-process by nature, so there the one process always leads.
Each replica also remembers since when it leads: what it has not watched for
long enough (a node's silence, say) it cannot judge yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import asyncpg

from controlplane.db.database import connect_args
from controlplane.services.clock import Clock, utcnow

log = logging.getLogger("minispod.leader")

# An arbitrary, fixed 64-bit key naming "MinisPod jobs" in pg_advisory_lock's space.
JOBS_LOCK_KEY = 0x4D696E6973506F64
# A lock connection that does not answer within this long counts as lost:
# a hung check would otherwise stall every later run of the job.
CHECK_TIMEOUT = 5.0


class Leadership:
    def __init__(self, database_url: str, clock: Clock = utcnow) -> None:
        self._url = database_url
        self._clock = clock
        self._since: datetime | None = None
        self._conn: asyncpg.Connection | None = None
        self._postgres = database_url.startswith("asyncpg://")
        # Jobs due at the same moment all ask; one asyncpg connection takes one
        # query at a time, so the questions are answered one after another.
        self._asking = asyncio.Lock()

    @property
    def leading_since(self) -> datetime | None:
        """When this replica last became leader (its clock), None while it does not lead."""
        return self._since

    async def is_leader(self) -> bool:
        if not self._postgres:
            if self._since is None:
                self._since = self._clock()
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
            self._since = self._clock()
            return True
        with contextlib.suppress(OSError, asyncpg.InterfaceError, TimeoutError):
            await conn.close(timeout=CHECK_TIMEOUT)
        return False

    async def release(self) -> None:
        # Leading again later starts a new watch: what happened between was not seen.
        self._since = None
        if self._conn is not None:
            # A connection the server already dropped (terminated backend) has
            # nothing left to close; the lock went with it.
            with contextlib.suppress(
                OSError, asyncpg.InterfaceError, asyncpg.PostgresError, TimeoutError
            ):
                await self._conn.close(timeout=CHECK_TIMEOUT)
            self._conn = None
