"""Why a community rule refuses an action: not found, forbidden, conflict or invalid."""

from membership.domain.errors import MembershipError


class Refusal(MembershipError):
    """A rule said no; ``code`` is machine-readable, the message is for people."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class NotFound(Refusal):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(Refusal):
    """The caller is known but their role does not allow the action."""


class Conflict(Refusal):
    """The action clashes with the current state (already a member, full, stale version...)."""


class Invalid(Refusal):
    """The request breaks a rule about its own content."""
