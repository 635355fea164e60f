"""What the use cases need of content's projection of membership: communities, members, people."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from content.domain.access import Community, Membership
from content.service.unit_of_work import Session


@dataclass(frozen=True)
class Person:
    """How a member is shown: their name and handle (None once erased)."""

    user_id: str
    display_name: str
    handle: str | None
    erased: bool = False


class Directory(Protocol):
    """Content's projection of membership: communities, members, people."""

    async def community(self, community_id: str, session: Session = None) -> Community | None: ...

    async def community_as_of(
        self, community_id: str, session: Session
    ) -> tuple[Community | None, datetime | None]: ...

    async def save_community(
        self, community: Community, as_of: datetime | None, session: Session
    ) -> None: ...

    async def membership(
        self, community_id: str, user_id: str, session: Session = None
    ) -> Membership | None: ...

    async def save_membership(self, membership: Membership, session: Session) -> None: ...

    async def moderators(self, community_id: str, session: Session = None) -> list[str]: ...

    async def members_by_handles(
        self, community_id: str, handles: Sequence[str], session: Session = None
    ) -> dict[str, str]:
        """handle → user id, for active members of the community only."""
        ...

    async def share_community(self, a: str, b: str) -> bool: ...

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]: ...

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
