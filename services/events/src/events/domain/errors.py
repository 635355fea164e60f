"""Rule violations the domain reports; entrypoints map each to a problem type."""


class DomainError(Exception):
    """Base of every rule violation; ``code`` names it for clients."""

    code = "invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidGathering(DomainError):
    """The gathering's details break a rule (times, format, capacity...)."""

    code = "invalid-event"


class InvalidRecurrence(DomainError):
    """The recurrence rule is malformed or unbounded."""

    code = "invalid-recurrence"


class NotRecurring(InvalidGathering):
    """A series operation on a gathering that is not part of a series."""

    code = "not-recurring"


class InvalidTimeZone(DomainError):
    """A time zone asked for is not an IANA time zone."""

    code = "invalid-time-zone"


class RsvpClosed(DomainError):
    """RSVPs are closed: deadline passed, already started, or cancelled."""

    code = "rsvp-closed"


class GatheringCancelledError(DomainError):
    """The gathering is cancelled: it cannot change any more."""

    code = "event-cancelled"


class CheckInRefused(DomainError):
    """Check-in is not possible (not going, outside the window, wrong code)."""

    code = "check-in-refused"


class RecapRefused(DomainError):
    """A recap cannot be published yet (the gathering has not ended) or at all (cancelled)."""

    code = "recap-refused"


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not-found"


class Forbidden(DomainError):
    """The caller is known but lacks the right (not a member, not a host...)."""

    code = "forbidden"

    def __init__(self, detail: str, *, code: str = "forbidden") -> None:
        super().__init__(detail)
        self.code = code


class Unauthenticated(DomainError):
    """The resource is for members: the caller must sign in first."""

    code = "unauthenticated"
