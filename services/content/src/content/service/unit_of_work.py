"""The transaction, outbox and inbox every use case runs in."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent

#: An open transaction; opaque to the use cases.
Session = Any
T = TypeVar("T")


class Transactions(Protocol):
    """Runs a unit of work atomically."""

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T: ...


class EventOutbox(Protocol):
    """Stores events with the state change; publishes them after commit."""

    async def add(self, session: Session, *events: AnyEvent) -> None: ...

    def committed(self) -> None: ...


class Inbox(Protocol):
    """Applies a consumed event's effect once."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...
