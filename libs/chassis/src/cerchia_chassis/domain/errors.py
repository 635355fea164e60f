"""The kinds of refusal a service's rules raise, each with one HTTP answer.

Every service's domain errors derive from these. ``code`` is the machine-readable problem type
(``not-a-member``, ``thread-locked``...), the message is for people. The HTTP layer maps kinds to
statuses once (``cerchia_chassis.service_app.STATUSES``); a service adds rows only for kinds of
its own that need another status.
"""

from typing import Any


class DomainError(Exception):
    """A rule refused the request. Unmapped kinds answer 400.

    ``members`` are extra members of the problem body (RFC 9457 extension members), for what a
    client reads besides the type and detail: the fields at fault, a position, a limit.
    """

    code = "refused"

    def __init__(
        self, detail: str, *, code: str | None = None, members: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.members = dict(members or {})
        if code is not None:
            self.code = code


class Invalid(DomainError):
    """The input breaks a rule (too long, an unknown zone...): 422."""

    code = "invalid"


class Unauthenticated(DomainError):
    """The caller must sign in: 401."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this; ``code`` says why: 403."""

    code = "forbidden"


class EmailNotVerified(Forbidden):
    """The account's email address is not verified yet, and this needs it (founding, posting,
    messaging, applying): 403 ``email-not-verified``. Reading and completing one's profile
    never do."""

    code = "email-not-verified"

    def __init__(self, detail: str = "Verify your email address first.") -> None:
        super().__init__(detail)


class NotFound(DomainError):
    """It does not exist, or the caller may not know it exists: 404."""

    code = "not-found"


class Conflict(DomainError):
    """The current state does not allow it (a locked thread, a closed RSVP...): 409."""

    code = "conflict"


class RateLimited(DomainError):
    """Faster than the limit allows: 429 with Retry-After."""

    code = "rate-limited"

    def __init__(self, detail: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(detail, code=code, members={"retry_after": retry_after_s})
        self.retry_after_s = retry_after_s
