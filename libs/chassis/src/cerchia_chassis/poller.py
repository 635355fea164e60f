"""A background loop that runs a step when woken and at least every interval."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class WakeablePoller:
    """Runs ``step`` right after ``wake()`` and every ``interval`` seconds otherwise.

    ``step`` returns how many items it handled; a full batch means more may be waiting, so the
    loop runs again at once. A failing step is logged and retried at the next tick: the poll is
    what recovers from crashes and outages, the wake-up is only for latency.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[int]],
        *,
        interval: float,
        batch_size: int,
    ) -> None:
        self.name = name
        self._step = step
        self._interval = interval
        self._batch_size = batch_size
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Ask for a run as soon as possible."""
        self._wakeup.set()

    def start(self) -> None:
        """Start the loop in the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop the loop, letting a step in progress be cancelled."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                handled = await self._step()
            except Exception:
                logger.exception("%s step failed; retrying at the next tick", self.name)
                handled = 0
            if handled >= self._batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._interval)
