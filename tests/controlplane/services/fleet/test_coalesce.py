"""SingleFlight: concurrent callers share one computation; later callers compute afresh."""

import asyncio

import pytest

from controlplane.services.fleet.coalesce import SingleFlight


async def test_concurrent_callers_share_one_computation():
    flight: SingleFlight[int] = SingleFlight()
    calls = 0
    gate = asyncio.Event()

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return calls

    waiting = [asyncio.create_task(flight.run(compute)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [1, 1, 1, 1, 1]
    assert await flight.run(compute) == 2  # nothing cached once it finished


async def test_a_failure_reaches_every_waiter_and_the_next_call_retries():
    flight: SingleFlight[int] = SingleFlight()
    gate = asyncio.Event()
    attempts = 0

    async def failing() -> int:
        nonlocal attempts
        attempts += 1
        await gate.wait()
        raise RuntimeError("database down")

    waiting = [asyncio.create_task(flight.run(failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and attempts == 1

    async def working() -> int:
        return 7

    assert await flight.run(working) == 7
    with pytest.raises(RuntimeError):
        await flight.run(failing)  # a lone caller gets the failure too (gate is open)
    assert attempts == 2
