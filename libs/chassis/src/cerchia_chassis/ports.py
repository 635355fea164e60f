"""The ports every service's use cases share, declared once.

Use cases depend on these Protocols, never on the chassis's classes: the composition root hands
them ``Chassis.transactions``, ``Chassis.outbox`` and ``Chassis.inbox``, and unit tests the
in-memory fakes of ``cerchia_chassis.testing``.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent

#: An open transaction; opaque to the use cases (None outside one).
Session = Any
T = TypeVar("T")


class Transactions(Protocol):
    """Runs a unit of work atomically (retrying transient conflicts): all of it or nothing."""

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T: ...


class EventOutbox(Protocol):
    """Stores events with the state change; publishes them after commit."""

    async def add(self, session: Session, *events: AnyEvent) -> None: ...

    def committed(self) -> None: ...

    async def observe(self, topic: str, key: str) -> None:
        """A read showed ``key`` as of its latest event on ``topic`` (read-your-writes)."""
        ...


class Inbox(Protocol):
    """Applies a consumed event's effect once per consumer, in one transaction with its record."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...
