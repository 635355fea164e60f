"""Rate limits, once, on the `limits` library: how many hits a key may make in a window.

Every limit in the platform goes through ``RateLimiter``: the gateway's admission per address
and per user, a member's posting pace, the send rate per email, push and webhook provider. A
limit is written in `limits` notation (``"30/minute"``, ``"20/second"``); the window moves
(no burst at a window's edge). Each process counts on its own with the memory store; a shared
store (say ``limits.aio.storage.RedisStorage``) passed in makes the limits cluster-wide.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Decision:
    """Whether a hit was allowed; if not, how long until there is room (seconds)."""

    allowed: bool
    retry_after_s: float = 0.0

    @property
    def retry_after_header(self) -> str:
        """``Retry-After`` in whole seconds (at least one)."""
        return str(max(1, math.ceil(self.retry_after_s)))


ALLOWED = Decision(allowed=True)


class RateLimiter:
    """Moving-window limits per key, parsed once per limit string."""

    def __init__(self, storage: Storage | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, limit: str) -> RateLimitItem:
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = parse(limit)
        return item

    async def hit(self, limit: str, *key: str) -> Decision:
        """Count one hit for ``key`` under ``limit``, unless the window is full."""
        item = self._item(limit)
        if await self._limiter.hit(item, *key):
            return ALLOWED
        return await self._refused(item, key)

    async def hit_all(self, limit: str, keys: Sequence[Sequence[str]]) -> Decision:
        """One hit for each of ``keys``, or none when any of them has no room (a send that
        goes to several providers takes a slot from each, or from none)."""
        item = self._item(limit)
        unique = list(dict.fromkeys(tuple(key) for key in keys))
        for key in unique:
            if not await self._limiter.test(item, *key):
                return await self._refused(item, key)
        for key in unique:
            await self._limiter.hit(item, *key)
        return ALLOWED

    async def _refused(self, item: RateLimitItem, key: Sequence[str]) -> Decision:
        stats = await self._limiter.get_window_stats(item, *key)
        return Decision(allowed=False, retry_after_s=max(0.05, stats.reset_time - time.time()))
