"""Rate limits on the `limits` library; in-process memory now, a shared store by URI later."""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.service.ports import RateDecision


class LimitsRateLimiter:
    """A sliding-window counter per key: cheap per request and without fixed-window bursts.

    Each gateway replica counts on its own with the memory store; a shared store (for example
    ``limits.aio.storage.RedisStorage``) passed in makes the limits cluster-wide.
    """

    def __init__(self, storage: Storage | None = None) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(storage or MemoryStorage())
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, limit: str) -> RateLimitItem:
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = parse(limit)
        return item

    async def hit(self, limit: str, *key: str) -> RateDecision:
        """Count one request for ``key`` under ``limit``."""
        item = self._item(limit)
        if await self._limiter.hit(item, *key):
            return RateDecision(allowed=True)
        stats = await self._limiter.get_window_stats(item, *key)
        return RateDecision(
            allowed=False, retry_after_s=max(1, math.ceil(stats.reset_time - time.time()))
        )
