"""What the use cases need from the outside world."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.membership.tokens import SealedToken, sealing_context
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


class TokenSealer(Protocol):
    """Seals a single-use secret to the one service that delivers it (notifications)."""

    def seal(self, secret: str, *, context: str) -> SealedToken: ...


def seal_token(sealer: TokenSealer, secret: str, *, event_type: str, subject: str) -> SealedToken:
    """``secret`` sealed for the event of ``event_type`` about ``subject``."""
    return sealer.seal(secret, context=sealing_context(event_type, subject))


class UserRepository(Protocol):
    """Accounts by id and email."""

    async def add(self, user: User, session: Session) -> None:
        """Store a new user; raise EmailAlreadyRegistered if the email is taken."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
