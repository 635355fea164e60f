"""The events service's refusals, each a kind of the chassis's (its kind decides the status)."""

from cerchia_chassis.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)

__all__ = [
    "CheckInRefused",
    "DomainError",
    "Forbidden",
    "GatheringCancelledError",
    "InvalidGathering",
    "InvalidRecurrence",
    "InvalidTimeZone",
    "NotFound",
    "NotRecurring",
    "RecapRefused",
    "RsvpClosed",
    "Unauthenticated",
]


class InvalidGathering(Invalid):
    """The gathering's details break a rule (times, format, capacity...)."""

    code = "invalid-event"


class InvalidRecurrence(Invalid):
    """The recurrence rule is malformed or unbounded."""

    code = "invalid-recurrence"


class NotRecurring(InvalidGathering):
    """A series operation on a gathering that is not part of a series."""

    code = "not-recurring"


class InvalidTimeZone(Invalid):
    """A time zone asked for is not an IANA time zone."""

    code = "invalid-time-zone"


class RsvpClosed(Conflict):
    """RSVPs are closed: deadline passed, already started, or cancelled."""

    code = "rsvp-closed"


class GatheringCancelledError(Conflict):
    """The gathering is cancelled: it cannot change any more."""

    code = "event-cancelled"


class CheckInRefused(Conflict):
    """Check-in is not possible (not going, outside the window, wrong code)."""

    code = "check-in-refused"


class RecapRefused(Conflict):
    """A recap cannot be published yet (the gathering has not ended) or at all (cancelled)."""

    code = "recap-refused"
