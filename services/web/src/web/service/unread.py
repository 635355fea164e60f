"""The unread badge's count, kept a few seconds per session.

Every page a signed-in person opens shows the badge; asking the notifications service on each
of them doubled a simple page's cost. A count is kept for ``fresh_s`` seconds: the person's own
changes forget it (any form they send), the live stream keeps it current on a page with
JavaScript, and without JavaScript a new notification reaches the badge at the next page after
at most ``fresh_s`` seconds. Each process keeps its own counts, bounded in number.
"""

import time
from collections.abc import Callable

from cachetools import TTLCache


class UnreadCounts:
    """Recent unread counts by session key."""

    def __init__(
        self,
        *,
        fresh_s: float = 15.0,
        size: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._counts: TTLCache[str, int] = TTLCache(maxsize=size, ttl=fresh_s, timer=timer)

    def get(self, session_key: str) -> int | None:
        """The count, if one is fresh."""
        return self._counts.get(session_key)

    def keep(self, session_key: str, count: int) -> None:
        """Remember the count just read."""
        self._counts[session_key] = count

    def forget(self, session_key: str) -> None:
        """The count may have changed: ask again next time."""
        self._counts.pop(session_key, None)
