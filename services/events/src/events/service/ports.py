"""What the use cases need from the outside world."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent
from events.domain.access import Community, CommunityVisibility, Role
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.reminders import ReminderJob
from events.domain.rsvps import Rsvp, RsvpStatus
from events.domain.series import Series

#: An open transaction; opaque to the use cases.
Session = Any
T = TypeVar("T")


class Transactions(Protocol):
    """Runs a unit of work atomically (retrying transient conflicts)."""

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


@dataclass(frozen=True)
class Page:
    """Where a list continues: after this start time and id."""

    starts_at: datetime
    id: str


class GatheringRepository(Protocol):
    """Gatherings by id, community and series."""

    async def add(self, gatherings: Sequence[Gathering], session: Session) -> None: ...

    async def get(self, gathering_id: str, session: Session | None = None) -> Gathering | None: ...

    async def save(self, gathering: Gathering, session: Session) -> None: ...

    async def in_community(
        self,
        community_id: str,
        *,
        public_only: bool,
        since: datetime | None,
        after: Page | None,
        limit: int,
    ) -> list[Gathering]:
        """Ordered by start then id; ``since`` drops gatherings that ended before it."""
        ...

    async def in_series(self, series_id: str, session: Session) -> list[Gathering]:
        """Every occurrence ever filed in the series (cancelled ones too), by slot."""
        ...

    async def by_ids(self, ids: Sequence[str]) -> list[Gathering]: ...

    async def involving(self, user_id: str, session: Session) -> list[Gathering]:
        """Gatherings ``user_id`` hosts or created."""
        ...

    async def since(
        self, ids: Sequence[str], *, community_ids: Sequence[str], ended_after: datetime
    ) -> list[Gathering]:
        """Of ``ids``, those in ``community_ids`` that ended after ``ended_after``, by start."""
        ...


class SeriesRepository(Protocol):
    """Recurring series: their rule, skipped dates and first occurrence."""

    async def get(self, series_id: str, session: Session | None = None) -> Series | None: ...

    async def save(self, series: Series, session: Session) -> None: ...


class UserZones(Protocol):
    """People's own time zones, projected from their membership profiles."""

    async def of(self, user_ids: Sequence[str], session: Session | None = None) -> dict[str, str]:
        """The known zones of ``user_ids`` (people without one are left out)."""
        ...

    async def put(self, user_id: str, time_zone: str, session: Session) -> None: ...

    async def forget(self, user_id: str, session: Session) -> None: ...


class RsvpRepository(Protocol):
    """RSVPs by gathering and person; the waitlist in FIFO order."""

    async def get(
        self, gathering_id: str, user_id: str, session: Session | None = None
    ) -> Rsvp | None: ...

    async def save(self, rsvp: Rsvp, session: Session) -> None: ...

    async def waitlist(
        self, gathering_id: str, *, limit: int | None = None, session: Session | None = None
    ) -> list[Rsvp]: ...

    async def position(self, rsvp: Rsvp, session: Session | None = None) -> int:
        """1-based place of a waitlisted RSVP."""
        ...

    async def with_status(
        self,
        gathering_id: str,
        statuses: Sequence[RsvpStatus],
        *,
        after_user: str | None = None,
        limit: int | None = None,
        session: Session | None = None,
    ) -> list[Rsvp]: ...

    async def of_user(
        self, user_id: str, statuses: Sequence[RsvpStatus], session: Session | None = None
    ) -> list[Rsvp]: ...

    async def anonymize(self, user_id: str, replacement: str, session: Session) -> None: ...


class Directory(Protocol):
    """This service's projection of communities and memberships."""

    async def community(self, community_id: str) -> Community | None: ...

    async def role(self, community_id: str, user_id: str) -> Role | None: ...

    async def roles(self, community_id: str, user_ids: Sequence[str]) -> dict[str, Role]: ...

    async def communities_of(self, user_id: str) -> list[str]: ...

    async def put_community(
        self,
        *,
        community_id: str,
        name: str,
        visibility: CommunityVisibility,
        session: Session,
    ) -> None: ...

    async def archive(self, community_id: str, session: Session) -> None: ...

    async def put_member(
        self, community_id: str, user_id: str, role: Role, session: Session
    ) -> None: ...

    async def remove_member(self, community_id: str, user_id: str, session: Session) -> None: ...

    async def forget_user(self, user_id: str, session: Session) -> None: ...


class ReminderStore(Protocol):
    """Durable reminder jobs, claimed with a lease."""

    async def replace_for(
        self, gathering_id: str, jobs: Sequence[ReminderJob], session: Session
    ) -> None:
        """Drop the gathering's pending jobs and schedule ``jobs`` instead."""
        ...

    async def claim_due(
        self, *, now: datetime, lease: timedelta, owner: str, limit: int
    ) -> list[ReminderJob]: ...

    async def complete(self, job_id: str, *, owner: str, outcome: str, session: Session) -> bool:
        """Mark a job done if ``owner`` still holds it; False if the lease was lost."""
        ...


class RecapRepository(Protocol):
    """Recaps by gathering."""

    async def get(self, gathering_id: str, session: Session | None = None) -> Recap | None: ...

    async def save(self, recap: Recap, session: Session) -> None: ...


class FeedTokens(Protocol):
    """Secret calendar-feed tokens, stored as hashes."""

    async def issue(self, user_id: str, token_hash: str, *, now: datetime) -> None: ...

    async def revoke(self, user_id: str, session: Session | None = None) -> bool: ...

    async def user_for(self, token_hash: str) -> str | None: ...
