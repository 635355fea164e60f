"""Content's own kind of refusal; every other refusal is one of the chassis's kinds
(``cerchia_chassis.domain.errors``: NotFound, Forbidden, Conflict, RateLimited...)."""

from cerchia_chassis.domain.errors import Invalid


class InvalidContent(Invalid):
    """The input breaks a content rule (too long, empty after sanitizing, unknown reaction...)."""

    code = "invalid-content"
