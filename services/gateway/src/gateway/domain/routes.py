"""The route table: which service owns each public path, and who may call it without a token.

Patterns are matched segment by segment; ``{…}`` matches any one segment and the longest
matching pattern wins, so ``/api/v1/communities/{id}/events`` (events) beats
``/api/v1/communities`` (membership). A pattern also owns every path below it.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Upstream(StrEnum):
    """The services behind the gateway."""

    MEMBERSHIP = "membership"
    CONTENT = "content"
    EVENTS = "events"
    NOTIFICATIONS = "notifications"


class Access(StrEnum):
    """What the gateway asks of the caller before forwarding."""

    #: A valid access token (the default).
    TOKEN = "token"  # noqa: S105 - a name, not a secret
    #: A token is verified when present; anonymous callers pass (public reads).
    OPTIONAL = "optional"
    #: No token is looked at: sign-up, sign-in, key discovery, links sent by email.
    PUBLIC = "public"


def _segments(pattern: str) -> tuple[str, ...]:
    return tuple(part for part in pattern.split("/") if part)


def _matches(prefix: tuple[str, ...], segments: tuple[str, ...], *, exact: bool) -> bool:
    if len(segments) < len(prefix) or (exact and len(segments) != len(prefix)):
        return False
    return all(
        want.startswith("{") or want == got for want, got in zip(prefix, segments, strict=False)
    )


@dataclass(frozen=True)
class Route:
    """Paths at and below ``pattern`` go to ``upstream``."""

    pattern: str
    upstream: Upstream
    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", _segments(self.pattern))


@dataclass(frozen=True)
class Rule:
    """An access rule for ``methods`` on ``pattern`` (and below it unless ``exact``).

    ``sensitive`` marks the endpoints that take a password or create an account (sign-up,
    sign-in, password reset): they share a per-address budget of their own. Refresh, logout and
    email verification stay outside it, so people behind one address (a NAT) do not use up each
    other's sign-ins by keeping their sessions alive.
    """

    methods: frozenset[str]
    pattern: str
    access: Access
    exact: bool = False
    sensitive: bool = False
    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", _segments(self.pattern))


M, C, E, N = Upstream.MEMBERSHIP, Upstream.CONTENT, Upstream.EVENTS, Upstream.NOTIFICATIONS
COMMUNITY = "/api/v1/communities/{community_id}"

ROUTES: tuple[Route, ...] = (
    # membership: accounts, profiles, communities and admission, key discovery
    Route("/api/v1/auth", M),
    Route("/api/v1/admin/users", M),
    Route("/api/v1/users", M),
    Route("/api/v1/profiles", M),
    Route("/api/v1/communities", M),
    Route("/api/v1/invitations", M),
    Route("/api/v1/introductions", M),
    Route("/api/v1/me/communities", M),
    Route("/api/v1/me/export", M),
    Route("/api/v1/me/exports", M),
    Route("/api/v1/me/events", E),
    Route("/.well-known/jwks.json", M),
    # content: discussions, library, courses, moderation, direct messages, search
    Route(f"{COMMUNITY}/threads", C),
    Route(f"{COMMUNITY}/resources", C),
    Route(f"{COMMUNITY}/courses", C),
    Route(f"{COMMUNITY}/categories", C),
    Route(f"{COMMUNITY}/flags", C),
    Route(f"{COMMUNITY}/moderation", C),
    Route("/api/v1/threads", C),
    Route("/api/v1/replies", C),
    Route("/api/v1/resources", C),
    Route("/api/v1/courses", C),
    Route("/api/v1/lessons", C),
    Route("/api/v1/conversations", C),
    Route("/api/v1/search", C),
    Route("/api/v1/markdown", C),
    # events: gatherings, RSVPs, calendar feeds
    Route(f"{COMMUNITY}/events", E),
    Route("/api/v1/events", E),
    Route("/api/v1/calendars", E),
    # notifications: in-app feed, web push, preferences, webhooks, one-click unsubscribe
    Route("/api/v1/notifications", N),
    Route("/api/v1/push", N),
    Route("/api/v1/preferences", N),
    Route("/api/v1/webhooks", N),
    Route("/api/v1/unsubscribe", N),
)

ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
READ = frozenset({"GET", "HEAD"})

#: Everything not listed here needs a valid access token.
RULES: tuple[Rule, ...] = (
    # Sign-up, sign-in, refresh, password reset, email verification: the caller has no valid
    # access token yet (a refresh carries an expired one), so none is checked here. Password
    # guesses are counted per account (and per address) by membership itself.
    Rule(frozenset({"POST"}), "/api/v1/users", Access.PUBLIC, exact=True, sensitive=True),
    Rule(ANY, "/api/v1/auth", Access.PUBLIC),
    Rule(frozenset({"POST"}), "/api/v1/auth/login", Access.PUBLIC, exact=True, sensitive=True),
    Rule(frozenset({"POST"}), "/api/v1/auth/password-reset", Access.PUBLIC, sensitive=True),
    # ...except what a signed-in person does to their own account.
    Rule(frozenset({"POST"}), "/api/v1/auth/logout-all", Access.TOKEN, exact=True),
    Rule(frozenset({"POST"}), "/api/v1/auth/change-password", Access.TOKEN, exact=True),
    Rule(frozenset({"POST"}), "/api/v1/auth/verify-email/resend", Access.TOKEN, exact=True),
    Rule(READ, "/.well-known/jwks.json", Access.PUBLIC),
    # Links in emails and calendar apps authenticate with their own signed token.
    Rule(frozenset({"GET", "HEAD", "POST"}), "/api/v1/unsubscribe", Access.PUBLIC),
    Rule(READ, "/api/v1/calendars", Access.PUBLIC),
    # Public communities and their public events are readable by anyone; members see more.
    Rule(READ, "/api/v1/communities", Access.OPTIONAL, exact=True),
    Rule(READ, COMMUNITY, Access.OPTIONAL, exact=True),
    Rule(READ, f"{COMMUNITY}/events", Access.OPTIONAL),
    Rule(READ, "/api/v1/events/{event_id}", Access.OPTIONAL, exact=True),
    Rule(READ, "/api/v1/events/{event_id}/calendar.ics", Access.OPTIONAL, exact=True),
    # An emailed invitation shows what it opens before the person signs in (its token is the
    # secret); accepting it needs a signed-in person.
    Rule(READ, "/api/v1/invitations/{token}", Access.OPTIONAL, exact=True),
    # A browser asks for the key before anyone signs in (to offer push at all).
    Rule(READ, "/api/v1/push/vapid-public-key", Access.PUBLIC, exact=True),
)


def upstream_for(path: str) -> Upstream | None:
    """The service owning ``path``, or None when no route matches."""
    segments = _segments(path)
    best: Route | None = None
    for route in ROUTES:
        if _matches(route.segments, segments, exact=False) and (
            best is None or len(route.segments) > len(best.segments)
        ):
            best = route
    return None if best is None else best.upstream


def rule_for(method: str, path: str) -> Rule | None:
    """The most specific access rule for the request, if one relaxes the default."""
    segments = _segments(path)
    best: Rule | None = None
    for rule in RULES:
        if (
            method in rule.methods
            and _matches(rule.segments, segments, exact=rule.exact)
            and (best is None or len(rule.segments) > len(best.segments))
        ):
            best = rule
    return best


def access_for(method: str, path: str) -> Access:
    """What the gateway requires of a caller of ``method path``."""
    rule = rule_for(method, path)
    return Access.TOKEN if rule is None else rule.access


def is_sensitive(method: str, path: str) -> bool:
    """Whether the request takes a password or creates an account (the credentials budget
    per address applies)."""
    rule = rule_for(method, path)
    return rule is not None and rule.sensitive


def is_safe_path(path: str) -> bool:
    """False for dot segments, empty segments and backslashes, which upstream URL handling
    could resolve to another route than the one the gateway checked."""
    if "\\" in path or "//" in path:
        return False
    return all(part not in (".", "..") for part in path.split("/"))
