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

    @property
    def busy(self) -> bool:
        return self._running is not None


class Recent(Generic[T]):
    """Answers computed at most once per `ttl` seconds per key, each with when it was
    computed (by `clock`, monotonic): for dashboards' figures, where a hundred readers
    a second asking for the same thing need not have it computed a hundred times.
    Concurrent callers of a key whose answer is stale share one computation. `ttl`
    0 computes every time (still single-flight). At most `keys` keys are kept.

    Writes do not clear it, on purpose: they may come from another replica, which
    this one would not hear of; what is answered from it says so instead."""

    def __init__(self, ttl: float, clock: Callable[[], float], keys: int = 1024) -> None:
        self._ttl = ttl
        self._clock = clock
        self._keys = keys
        self._kept: dict[object, tuple[float, T]] = {}
        self._flights: dict[object, SingleFlight[tuple[float, T]]] = {}

    async def get(self, key: object, compute: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """(the answer, whether it was kept from before this call began)."""
        kept = self._kept.get(key)
        if kept is not None and self._clock() - kept[0] < self._ttl:
            return kept[1], True
        flight = self._flights.setdefault(key, SingleFlight())

        async def fresh() -> tuple[float, T]:
            value = await compute()
            if len(self._kept) >= self._keys:
                self._kept.clear()  # searches are unbounded; a full cache starts over
            self._kept[key] = (self._clock(), value)
            return self._kept[key]

        try:
            _at, value = await flight.run(fresh)
        finally:
            if not flight.busy:
                self._flights.pop(key, None)
        return value, False
