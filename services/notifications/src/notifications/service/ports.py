"""What the notifications use cases need from the outside world."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from notifications.domain.deliveries import Delivery

Session = Any


class Inbox(Protocol):
    """Applies an event's effect once per consumer."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...


class UserDirectory(Protocol):
    """The local projection of users built from membership events."""

    async def upsert(
        self, *, user_id: str, email: str, display_name: str, locale: str, session: Session
    ) -> None: ...


class DeliveryQueue(Protocol):
    """Deliveries waiting to be sent, claimed one worker at a time."""

    async def enqueue(self, deliveries: Sequence[Delivery], session: Session) -> None: ...

    async def claim_due(self, *, limit: int, now: datetime) -> list[Delivery]: ...

    async def mark_sent(self, key: str, *, now: datetime) -> None: ...

    async def mark_failed(self, key: str, *, error: str, retry_at: datetime | None) -> None: ...

    def wake(self) -> None: ...


class EmailSender(Protocol):
    """Sends one rendered email; the idempotency key travels with it."""

    async def send(self, delivery: Delivery) -> None: ...
