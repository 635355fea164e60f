"""What the use cases need to know of people: the communities they belong to, their names."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cerchia_chassis.domain.community import Change, CommunityState, MemberState
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent


class Communities(Protocol):
    """The projection of ``membership.communities.v1`` (the chassis's ``CommunityProjection``)."""

    async def apply(self, event: AnyEvent, session: Session) -> list[Change]: ...

    async def community(
        self, community_id: str, session: Session | None = None
    ) -> CommunityState | None: ...

    async def member(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> MemberState | None: ...

    async def members(
        self,
        community_id: str,
        *,
        roles: Iterable[str] | None = None,
        session: Session | None = None,
    ) -> list[MemberState]: ...

    async def roles(
        self, community_id: str, user_ids: Iterable[str], session: Session | None = None
    ) -> dict[str, str]: ...

    async def memberships_of(
        self, user_id: str, *, active: bool = True, session: Session | None = None
    ) -> list[MemberState]: ...

    async def forget_user(self, user_id: str, session: Session) -> None: ...


@dataclass(frozen=True)
class Person:
    """How a member is shown: their name and handle (None once erased)."""

    user_id: str
    display_name: str
    handle: str | None
    erased: bool = False


class People(Protocol):
    """Content's own projection of ``membership.users.v1``: names and handles."""

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]:
        """How each is shown; unknown people get a neutral name."""
        ...

    async def by_handles(self, handles: Sequence[str], session: Session = None) -> dict[str, str]:
        """handle → user id, for the handles someone holds (lower-case)."""
        ...

    async def save_person(
        self,
        user_id: str,
        *,
        display_name: str,
        handle: str | None,
        initial: bool,
        session: Session,
    ) -> None:
        """Record a person's name; ``initial`` facts never overwrite later ones, and an erased
        person is never brought back."""
        ...

    async def erase_person(self, user_id: str, session: Session) -> None: ...


class Eraser(Protocol):
    """Applies the erasure policy to everything content holds about one user."""

    async def erase(self, user_id: str, session: Session) -> None: ...
