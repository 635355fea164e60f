"""In-memory stand-ins of chassis ports for unit tests of services' use cases."""

from collections.abc import Awaitable, Callable
from typing import Any


class InMemoryInbox:
    """``Inbox.process_once`` without a database: each event's effect runs once."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Any], Awaitable[None]]
    ) -> bool:
        """Apply ``effect`` (with no session) unless ``event_id`` was already applied."""
        if event_id in self.seen:
            return False
        await effect(None)
        self.seen.add(event_id)
        return True
