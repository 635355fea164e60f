"""What the use cases need from the outside world."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent
from membership.domain.users import User

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


class UserRepository(Protocol):
    """Accounts by id and email."""

    async def add(self, user: User, session: Session) -> None:
        """Store a new user; raise EmailAlreadyRegistered if the email is taken."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
