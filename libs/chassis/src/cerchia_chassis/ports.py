"""The ports every service's use cases share, declared once.

Use cases depend on these Protocols, never on the chassis's classes: the composition root hands
them ``Chassis.transactions``, ``Chassis.outbox`` and ``Chassis.inbox``, and unit tests the
in-memory fakes of ``cerchia_chassis.testing``.
"""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from cerchia_chassis.domain.community import Change, CommunityState, MemberState
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

    async def forget_person(self, session: Session, person_id: str) -> None:
        """The person is erased: destroy this service's key to their personal data on Kafka."""
        ...

    async def observe(self, topic: str, key: str) -> None:
        """A read showed ``key`` as of its latest event on ``topic`` (read-your-writes)."""
        ...


class Inbox(Protocol):
    """Applies a consumed event's effect once per consumer, in one transaction with its record."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...


class CommunityView(Protocol):
    """The consuming services' projection of ``membership.communities.v1``: communities and who
    stands where with which role, folded by the time things happened (implemented by
    ``cerchia_chassis.community_projection.CommunityProjection``; in memory by
    ``cerchia_chassis.testing.FakeCommunityProjection``)."""

    async def apply(self, event: AnyEvent, session: Session) -> list[Change]:
        """Fold one event in the caller's transaction; return the changes it stated."""
        ...

    async def community(
        self, community_id: str, session: Session | None = None
    ) -> CommunityState | None:
        """The community, if announced."""
        ...

    async def communities(self, ids: Iterable[str]) -> dict[str, CommunityState]:
        """The announced communities among ``ids``."""
        ...

    async def member(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> MemberState | None:
        """The person's place, whatever their standing."""
        ...

    async def members(
        self,
        community_id: str,
        *,
        roles: Iterable[str] | None = None,
        session: Session | None = None,
    ) -> list[MemberState]:
        """The active members (with one of ``roles``)."""
        ...

    async def roles(
        self, community_id: str, user_ids: Iterable[str], session: Session | None = None
    ) -> dict[str, str]:
        """Roles of the active members among ``user_ids``."""
        ...

    async def memberships_of(
        self, user_id: str, *, active: bool = True, session: Session | None = None
    ) -> list[MemberState]:
        """The person's places."""
        ...

    async def forget_user(self, user_id: str, session: Session) -> None:
        """Erasure: every place the person held is forgotten."""
        ...
