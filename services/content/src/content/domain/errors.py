"""Errors the content rules raise; the HTTP layer maps each to a problem+json status."""


class ContentError(Exception):
    """Base of content's domain errors: ``code`` is machine-readable, the message is for people."""

    code = "content-error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class NotFound(ContentError):
    """The object does not exist, or the caller may not know it exists."""

    code = "not-found"


class Forbidden(ContentError):
    """The caller is known but may not do this; ``code`` says why (not-a-member, banned...)."""

    code = "forbidden"


class Conflict(ContentError):
    """The object's state does not allow this now (locked thread, already published...)."""

    code = "conflict"


class InvalidContent(ContentError):
    """The input breaks a content rule (too long, empty after sanitizing, unknown reaction...)."""

    code = "invalid-content"


class RateLimited(ContentError):
    """The member posts faster than the anti-spam limit allows."""

    code = "rate-limited"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
