"""A PostgreSQL LISTEN channel held open on its own connection: news other replicas send.

NOTIFY is delivered only to sessions listening at commit time, so a replica
whose listening connection dropped may have missed messages. The consumer is
told (`on_gap`) when that happens and when the channel is open again
(`on_open`), and decides what to distrust meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from controlplane.db.database import connect_args

log = logging.getLogger("minispod.listen")

# How often an idle channel proves its connection still answers: a network
# partition leaves a TCP connection open but deaf, and nothing else would notice.
PING_EVERY = 15.0
PING_TIMEOUT = 5.0
RETRY_MIN, RETRY_MAX = 0.5, 30.0


class Channel:
    def __init__(
        self,
        database_url: str,
        name: str,
        on_message: Callable[[str], None],
        on_open: Callable[[], None],
        on_gap: Callable[[], None],
    ) -> None:
        self._url = database_url
        self._name = name
        self._on_message = on_message
        self._on_open = on_open
        self._on_gap = on_gap
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen-{self._name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = RETRY_MIN
        while True:
            try:
                await self._listen()
                delay = RETRY_MIN  # it was open for a while: the next failure starts afresh
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning(
                    "channel %s unavailable (%s); retrying in %.1fs", self._name, exc, delay
                )
            self._on_gap()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _listen(self) -> None:
        conn = await asyncpg.connect(**connect_args(self._url), timeout=PING_TIMEOUT)
        lost = asyncio.Event()

        def message(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            self._on_message(payload)

        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(self._name, message)
            self._on_open()
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), PING_EVERY)
                if not lost.is_set():
                    await conn.fetchval("SELECT 1", timeout=PING_TIMEOUT)
            log.warning("channel %s: connection lost", self._name)
        finally:
            with contextlib.suppress(OSError, asyncpg.InterfaceError, TimeoutError):
                await conn.close(timeout=PING_TIMEOUT)
