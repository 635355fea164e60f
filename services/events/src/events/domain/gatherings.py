"""The Gathering aggregate: what, when, where, for how many, and the rules on its details."""

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.domain.errors import GatheringCancelledError, InvalidGathering

Format = Literal["in_person", "online", "hybrid"]
Visibility = Literal["public", "members"]
Status = Literal["scheduled", "cancelled"]

MAX_DURATION = timedelta(days=7)
MAX_HOSTS = 10
# Changes attendees must hear about even if they muted ordinary updates.
CRITICAL_FIELDS = frozenset({"time", "time_zone", "venue", "online_link", "format"})
_CHECK_IN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
CHECK_IN_CODE_LENGTH = 6


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; raise InvalidGathering for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidGathering(f"unknown time zone {name!r}") from exc


def new_check_in_code() -> str:
    """A short code the host shows at the door (also encoded in the QR code)."""
    return "".join(secrets.choice(_CHECK_IN_ALPHABET) for _ in range(CHECK_IN_CODE_LENGTH))


@dataclass(frozen=True)
class Venue:
    """Where an in-person or hybrid gathering takes place."""

    name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Details:
    """What a host decides about a gathering; validated as a whole."""

    title: str
    description: str
    format: Format
    venue: Venue | None
    online_link: str | None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    capacity: int | None
    rsvp_deadline: datetime | None
    host_ids: tuple[str, ...]
    visibility: Visibility

    def validate(self, *, now: datetime, time_changed: bool = True) -> None:
        """Raise InvalidGathering when a rule is broken."""
        zone(self.time_zone)
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise InvalidGathering("start and end need a UTC offset")
        if self.ends_at <= self.starts_at:
            raise InvalidGathering("the end must come after the start")
        if self.ends_at - self.starts_at > MAX_DURATION:
            raise InvalidGathering("a gathering lasts at most 7 days")
        if time_changed and self.starts_at <= now:
            raise InvalidGathering("the start must be in the future")
        if self.rsvp_deadline is not None and self.rsvp_deadline > self.starts_at:
            raise InvalidGathering("the RSVP deadline must not be after the start")
        if self.capacity is not None and self.capacity < 1:
            raise InvalidGathering("capacity must be at least 1 (or unset for unlimited)")
        if self.format in ("in_person", "hybrid") and self.venue is None:
            raise InvalidGathering(f"a {self.format} gathering needs a venue")
        if self.format in ("online", "hybrid") and not self.online_link:
            raise InvalidGathering(f"an {self.format} gathering needs an online link")
        if self.format == "online" and self.venue is not None:
            raise InvalidGathering("an online gathering has no venue")
        if self.format == "in_person" and self.online_link:
            raise InvalidGathering("an in-person gathering has no online link (make it hybrid)")
        if not self.host_ids or len(self.host_ids) > MAX_HOSTS:
            raise InvalidGathering(f"a gathering has 1 to {MAX_HOSTS} hosts")
        if len(set(self.host_ids)) != len(self.host_ids):
            raise InvalidGathering("hosts are listed once each")


@dataclass(frozen=True)
class Change:
    """The outcome of an update: what changed and whether attendees must be told."""

    fields: tuple[str, ...]
    previous_starts_at: datetime | None

    @property
    def critical(self) -> bool:
        """Time, place, link or format changed."""
        return bool(CRITICAL_FIELDS.intersection(self.fields))


@dataclass(frozen=True)
class Gathering:
    """A meeting of a community, in person and/or online, with seats and a waitlist."""

    id: str
    community_id: str
    created_by: str
    details: Details
    created_at: datetime
    updated_at: datetime
    check_in_code: str
    status: Status = "scheduled"
    cancel_reason: str | None = None
    #: iCalendar SEQUENCE: bumped on every change, so calendar clients take the update.
    sequence: int = 0
    going_count: int = 0
    waitlist_count: int = 0
    #: Monotonic ticket counter: FIFO order of the waitlist.
    waitlist_ticket: int = 0
    series_id: str | None = None
    occurrence_index: int | None = None
    recurrence: str | None = None
    #: The start the series' rule gave this occurrence (RFC 5545's RECURRENCE-ID): it names the
    #: occurrence's slot even after the occurrence itself was moved.
    original_starts_at: datetime | None = None

    @classmethod
    def schedule(
        cls,
        *,
        community_id: str,
        created_by: str,
        details: Details,
        now: datetime,
        series_id: str | None = None,
        occurrence_index: int | None = None,
        recurrence: str | None = None,
    ) -> "Gathering":
        """A new gathering; raise InvalidGathering when its details break a rule."""
        details.validate(now=now)
        return cls(
            id=str(uuid.uuid4()),
            community_id=community_id,
            created_by=created_by,
            details=details,
            created_at=now,
            updated_at=now,
            check_in_code=new_check_in_code(),
            series_id=series_id,
            occurrence_index=occurrence_index,
            recurrence=recurrence,
            original_starts_at=details.starts_at if series_id is not None else None,
        )

    @property
    def starts_at(self) -> datetime:
        """Start (UTC)."""
        return self.details.starts_at

    @property
    def ends_at(self) -> datetime:
        """End (UTC)."""
        return self.details.ends_at

    @property
    def cancelled(self) -> bool:
        """Whether it was cancelled."""
        return self.status == "cancelled"

    @property
    def slot(self) -> datetime:
        """Where it sits in its series: the start its rule gave it (else its start)."""
        return self.original_starts_at or self.starts_at

    def started(self, now: datetime) -> bool:
        """Whether it has started (the past is not rewritten)."""
        return self.starts_at <= now

    def refiled(
        self, *, series_id: str, index: int, slot: datetime, recurrence: str
    ) -> "Gathering":
        """Filed under another slot or series; attendees see no change, so no new SEQUENCE."""
        return replace(
            self,
            series_id=series_id,
            occurrence_index=index,
            original_starts_at=slot,
            recurrence=recurrence,
        )

    def local(self, moment: datetime) -> datetime:
        """``moment`` as wall-clock time where the gathering is held."""
        return moment.astimezone(zone(self.details.time_zone))

    def rsvp_closes_at(self) -> datetime:
        """The deadline, or the start when there is none."""
        return self.details.rsvp_deadline or self.starts_at

    def seats_left(self) -> int | None:
        """Free seats (None: unlimited)."""
        if self.details.capacity is None:
            return None
        return max(0, self.details.capacity - self.going_count)

    def is_host(self, user_id: str) -> bool:
        """Whether ``user_id`` hosts it."""
        return user_id in self.details.host_ids

    def change(self, details: Details, *, now: datetime) -> tuple["Gathering", Change]:
        """Apply new details; raise when cancelled, started, or the details break a rule."""
        if self.cancelled:
            raise GatheringCancelledError("a cancelled event cannot be changed")
        if self.starts_at <= now:
            raise InvalidGathering("an event that has started cannot be changed")
        before, after = self.details, details
        time_changed = (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at)
        after.validate(now=now, time_changed=time_changed)
        changed = [
            name
            for name, differs in (
                ("title", before.title != after.title),
                ("description", before.description != after.description),
                ("format", before.format != after.format),
                ("time", time_changed),
                ("time_zone", before.time_zone != after.time_zone),
                ("venue", before.venue != after.venue),
                ("online_link", before.online_link != after.online_link),
                ("capacity", before.capacity != after.capacity),
                ("rsvp_deadline", before.rsvp_deadline != after.rsvp_deadline),
                ("hosts", before.host_ids != after.host_ids),
                ("visibility", before.visibility != after.visibility),
            )
            if differs
        ]
        updated = replace(
            self, details=after, updated_at=now, sequence=self.sequence + (1 if changed else 0)
        )
        previous = before.starts_at if time_changed else None
        return updated, Change(fields=tuple(changed), previous_starts_at=previous)

    def cancel(self, *, reason: str | None, now: datetime) -> "Gathering":
        """Cancel it; raise when already cancelled or over."""
        if self.cancelled:
            raise GatheringCancelledError("the event is already cancelled")
        if self.ends_at <= now:
            raise InvalidGathering("an event that is over cannot be cancelled")
        return replace(
            self,
            status="cancelled",
            cancel_reason=reason,
            updated_at=now,
            sequence=self.sequence + 1,
        )


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC to the second (calendars have no finer grain; neither do we)."""
    if moment.tzinfo is None:
        raise InvalidGathering("times need a UTC offset")
    return moment.astimezone(UTC).replace(microsecond=0)
