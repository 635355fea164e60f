"""The member directory: search by name or handle, filter by skill and interest, page by name."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cerchia_chassis.domain.cursors import Page, page_of
from membership.domain.paging import string_position
from membership.domain.public_profiles import PublicProfile
from membership.domain.roles import Role

SortKey = tuple[str, str]


@dataclass(frozen=True)
class Listing:
    """One member in the directory."""

    profile: PublicProfile
    role: Role
    joined_at: datetime

    @property
    def sort_key(self) -> SortKey:
        """Alphabetical by name; the id breaks ties so pages never overlap."""
        return (self.profile.display_name.casefold(), self.profile.user_id)


@dataclass(frozen=True)
class DirectoryQuery:
    """What the reader is looking for."""

    text: str | None = None
    skill: str | None = None
    interest: str | None = None
    #: Where the previous page ended (a cursor this directory issued).
    cursor: str | None = None
    limit: int = 20

    def __post_init__(self) -> None:
        # A cursor from elsewhere is refused before anything is read (InvalidCursor).
        string_position(self.cursor, arity=2)


def _has(values: tuple[str, ...], wanted: str) -> bool:
    wanted = wanted.strip().casefold()
    return any(value.casefold() == wanted for value in values)


def matches(listing: Listing, query: DirectoryQuery) -> bool:
    """Whether a member fits the search text and filters."""
    profile = listing.profile
    if query.text:
        needle = query.text.strip().casefold().lstrip("@")
        names = (profile.display_name, profile.handle or "")
        if not any(needle in name.casefold() for name in names):
            return False
    if query.skill and not _has(profile.skills, query.skill):
        return False
    return not (query.interest and not _has(profile.interests, query.interest))


def page(listings: Iterable[Listing], query: DirectoryQuery) -> Page[Listing]:
    """One page of matching members, with the cursor to continue if more remain.

    Raise ``InvalidCursor`` for a cursor that is not a position in this order.
    """
    after = string_position(query.cursor, arity=2)
    found = sorted((entry for entry in listings if matches(entry, query)), key=lambda e: e.sort_key)
    if after is not None:
        found = [entry for entry in found if entry.sort_key > after]
    return page_of(found[: query.limit + 1], query.limit, lambda entry: entry.sort_key)
