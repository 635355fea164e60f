"""Per-provider send rates on the `limits` library, so a flood cannot get the sender blocked."""

import time
from collections.abc import Mapping

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from notifications.domain.deliveries import ThrottledDelivery


class ProviderRateLimits:
    """At most so many sends per provider (an SMTP server, a push service or webhook host) in
    any window: a moving window, so no burst at a window's edge exceeds what a provider allows.

    Each replica counts on its own with the memory store (divide the rates by the replicas);
    a shared ``limits`` store passed in makes them cluster-wide.
    """

    def __init__(self, rates: Mapping[str, str], storage: Storage | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
        self._items: dict[str, RateLimitItem] = {kind: parse(rate) for kind, rate in rates.items()}

    async def take(self, kind: str, *providers: str) -> None:
        """Count one send to each provider, or none and raise ``ThrottledDelivery`` when one
        of them has no room left in its window."""
        item = self._items[kind]
        for provider in dict.fromkeys(providers):
            if not await self._limiter.test(item, kind, provider):
                stats = await self._limiter.get_window_stats(item, kind, provider)
                wait = max(0.05, stats.reset_time - time.time())
                raise ThrottledDelivery(f"{kind} {provider}", wait)
        for provider in dict.fromkeys(providers):
            await self._limiter.hit(item, kind, provider)
