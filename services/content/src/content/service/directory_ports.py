"""What the use cases need to know of people: the communities they belong to, their names."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cerchia_chassis.ports import CommunityView, Session

#: The projection of membership's communities this service reads (the chassis's).
Communities = CommunityView


@dataclass(frozen=True)
class Person:
    """How a member is shown: their name and handle (None once erased)."""

    user_id: str
    display_name: str
    handle: str | None
    erased: bool = False


class People(Protocol):
    """Content's own projection of ``membership.users.v1``: names, handles and whether the
    email address is verified."""

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

    async def mark_verified(self, user_id: str, session: Session) -> None:
        """Membership announced that the person verified their email address."""
        ...

    async def verified(self, user_id: str, session: Session = None) -> bool:
        """Whether the person verified their email address (unknown people did not)."""
        ...


class Eraser(Protocol):
    """Applies the erasure policy to everything content holds about one user."""

    async def erase(self, user_id: str, session: Session) -> None: ...
