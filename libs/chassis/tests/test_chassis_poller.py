"""The wake-or-poll loop behind the outbox relay and the delivery sender."""

import asyncio
from collections.abc import Callable

import pytest

from cerchia_chassis.poller import WakeablePoller

pytestmark = pytest.mark.unit


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_wake_runs_the_step_without_waiting_for_the_poll() -> None:
    runs = 0

    async def step() -> int:
        nonlocal runs
        runs += 1
        return 0

    poller = WakeablePoller("t", step, interval=3600, batch_size=10)
    poller.start()
    await until(lambda: runs == 1)  # first run at start
    poller.wake()
    await until(lambda: runs == 2)  # the hour-long poll never elapsed: the wake-up did it
    await poller.stop()


async def test_poll_runs_the_step_without_a_wake_up() -> None:
    runs = 0

    async def step() -> int:
        nonlocal runs
        runs += 1
        return 0

    poller = WakeablePoller("t", step, interval=0.05, batch_size=10)
    poller.start()
    await until(lambda: runs >= 3)
    await poller.stop()


async def test_full_batch_runs_again_at_once_and_failures_do_not_kill_the_loop() -> None:
    results: list[int | Exception] = [10, 10, RuntimeError("db down"), 0]
    runs = 0

    async def step() -> int:
        nonlocal runs
        runs += 1
        result = results.pop(0) if results else 0
        if isinstance(result, Exception):
            raise result
        return result

    poller = WakeablePoller("t", step, interval=3600, batch_size=10)
    poller.start()
    await until(lambda: runs == 3)  # two full batches back to back, then the failure
    poller.wake()
    await until(lambda: runs == 4)  # the loop survived the failure
    await poller.stop()
