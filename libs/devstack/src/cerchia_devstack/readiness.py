"""Waiting for servers to answer, from async code or from plain blocking code."""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class StartupError(RuntimeError):
    """A server exited or did not become ready in time."""


async def wait_until(
    probe: Callable[[], Awaitable[bool]],
    *,
    what: str,
    # A polling deadline (not asyncio.timeout) so the error can say what it waited for.
    timeout: float,  # noqa: ASYNC109
    interval: float = 0.25,
    still_alive: Callable[[], bool] | None = None,
    diagnostics: Callable[[], str] | None = None,
) -> float:
    """Call ``probe`` until it returns True; return the seconds waited.

    Raises StartupError as soon as ``still_alive`` says the process died, or after ``timeout``;
    ``diagnostics`` (typically the log tail) is appended to the message.
    """
    started = time.monotonic()
    deadline = started + timeout
    while True:
        if await probe():
            return time.monotonic() - started
        problem = None
        if still_alive is not None and not still_alive():
            problem = f"{what} exited before it was ready"
        elif time.monotonic() >= deadline:
            problem = f"{what} was not ready after {timeout:.0f}s"
        if problem is not None:
            details = diagnostics() if diagnostics is not None else ""
            raise StartupError(f"{problem}\n{details}".rstrip())
        await asyncio.sleep(interval)


def run_blocking(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from blocking code, even while an event loop is running.

    It runs on a fresh loop in its own thread, so it never touches the caller's loop (pytest's
    session loop, for instance) and leaves nothing bound to it.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(factory()))
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=target, name="cerchia-devstack-wait", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
