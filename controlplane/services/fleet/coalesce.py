"""Single flight: concurrent callers of the same expensive read share one computation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """A caller arriving while a computation runs waits for that one instead of starting
    another. Nothing is cached: the next caller after it finishes computes afresh, so an
    answer is never older than the request that received it, minus one computation."""

    def __init__(self) -> None:
        self._running: asyncio.Future[T] | None = None

    async def run(self, compute: Callable[[], Awaitable[T]]) -> T:
        if self._running is not None:
            return await asyncio.shield(self._running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running = future
        try:
            result = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            # The waiters re-raise it; retrieving it here keeps asyncio from warning
            # about an exception nobody read when there were no waiters.
            future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._running = None
