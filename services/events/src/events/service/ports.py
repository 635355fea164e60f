"""What the use cases need from the outside world, and the one bundle they receive it in.

The shared ports (``Session``, ``Transactions``, ``EventOutbox``, ``Inbox``) are the chassis's;
this module declares only the events service's own, and ``Ports``, which the composition root
builds once and every use case takes as its ``ports`` argument.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from cerchia_chassis.ports import CommunityView, EventOutbox, Inbox, Session, Transactions
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.reminders import ReminderJob
from events.domain.rsvps import Rsvp, RsvpStatus
from events.domain.series import Series

#: The projection of membership's communities this service reads (the chassis's).
Directory = CommunityView


@dataclass(frozen=True)
class After:
    """Where a list of gatherings continues: after this start time and id."""

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
        after: After | None,
        limit: int,
    ) -> list[Gathering]:
        """Ordered by start then id; ``since`` drops gatherings that ended before it."""
        ...

    async def in_series(self, series_id: str, session: Session) -> list[Gathering]:
        """Every occurrence ever filed in the series (cancelled ones too), by slot."""
        ...

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

    async def replace_author(self, author_id: str, replacement: str, session: Session) -> None:
        """Credit ``replacement`` with every recap ``author_id`` published (erasure)."""
        ...


class FeedTokens(Protocol):
    """Secret calendar-feed tokens, stored as hashes."""

    async def issue(self, user_id: str, token_hash: str, *, now: datetime) -> None: ...

    async def revoke(self, user_id: str, session: Session | None = None) -> bool: ...

    async def user_for(self, token_hash: str) -> str | None: ...


class CalendarFiles(Protocol):
    """iCalendar documents of gatherings."""

    def calendar(
        self,
        gatherings: Iterable[Gathering],
        *,
        name: str,
        with_link: Callable[[Gathering], bool],
        with_address: Callable[[Gathering], bool],
    ) -> bytes:
        """A ``text/calendar`` document; ``with_link``/``with_address`` say what each shows."""
        ...


class QrCodes(Protocol):
    """QR codes, as SVG."""

    def svg(self, payload: str) -> str: ...


@dataclass(frozen=True)
class Ports:
    """Every port the use cases use, built once by the composition root."""

    transactions: Transactions
    #: Adds the recipients' local times to every event it stores.
    outbox: EventOutbox
    inbox: Inbox
    directory: Directory
    gatherings: GatheringRepository
    series: SeriesRepository
    rsvps: RsvpRepository
    reminders: ReminderStore
    recaps: RecapRepository
    feeds: FeedTokens
    zones: UserZones
    calendar_files: CalendarFiles
    qr_codes: QrCodes
    #: When reminders fire, before each start.
    reminder_offsets: tuple[timedelta, ...]
