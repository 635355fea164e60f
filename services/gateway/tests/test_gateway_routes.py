"""The route table, the access table and the path rules."""

import pytest

from gateway.domain.routes import (
    Access,
    Upstream,
    access_for,
    is_safe_path,
    is_sensitive,
    upstream_for,
)

pytestmark = pytest.mark.unit

M, C, E, N = Upstream.MEMBERSHIP, Upstream.CONTENT, Upstream.EVENTS, Upstream.NOTIFICATIONS


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/api/v1/auth/login", M),
        ("/api/v1/users", M),
        ("/api/v1/users/me", M),
        ("/api/v1/profiles/me", M),
        ("/api/v1/communities", M),
        ("/api/v1/communities/c1", M),
        ("/api/v1/communities/c1/members", M),
        ("/api/v1/communities/c1/applications/a1/approve", M),
        ("/api/v1/invitations/tok", M),
        ("/api/v1/introductions", M),
        ("/api/v1/me/communities", M),
        ("/api/v1/me/export", M),
        ("/api/v1/me/exports", M),
        ("/api/v1/me/exports/x1", M),
        ("/api/v1/me/exports/x1/archive", M),
        ("/.well-known/jwks.json", M),
        ("/api/v1/communities/c1/threads", C),
        ("/api/v1/communities/c1/threads/t1/replies", C),
        ("/api/v1/communities/c1/resources", C),
        ("/api/v1/communities/c1/courses", C),
        ("/api/v1/communities/c1/categories", C),
        ("/api/v1/communities/c1/flags", C),
        ("/api/v1/communities/c1/moderation/queue", C),
        ("/api/v1/threads/t1", C),
        ("/api/v1/replies/r1", C),
        ("/api/v1/resources/r1/useful", C),
        ("/api/v1/courses/k1", C),
        ("/api/v1/lessons/l1/complete", C),
        ("/api/v1/conversations", C),
        ("/api/v1/search", C),
        ("/api/v1/markdown/preview", C),
        ("/api/v1/communities/c1/events", E),
        ("/api/v1/communities/c1/events/feed.ics", E),
        ("/api/v1/events/e1/rsvp", E),
        ("/api/v1/calendars/tok.ics", E),
        ("/api/v1/notifications/unread-count", N),
        ("/api/v1/notifications/stream", N),
        ("/api/v1/push/subscriptions", N),
        ("/api/v1/preferences", N),
        ("/api/v1/webhooks/w1/rotate", N),
        ("/api/v1/unsubscribe", N),
    ],
)
def test_every_path_space_goes_to_its_service(path: str, upstream: Upstream) -> None:
    assert upstream_for(path) is upstream


@pytest.mark.parametrize(
    "path",
    ["/api/v1/me", "/api/v1/me/other", "/api/v1/stream", "/api/v1", "/api/v2/users", "/admin"],
)
def test_paths_the_table_does_not_know_go_nowhere(path: str) -> None:
    assert upstream_for(path) is None


def test_a_prefix_owns_only_whole_segments() -> None:
    assert upstream_for("/api/v1/usersx") is None
    assert upstream_for("/api/v1/communitiesfoo/c1/threads") is None


@pytest.mark.parametrize(
    ("method", "path", "access"),
    [
        ("POST", "/api/v1/users", Access.PUBLIC),
        ("GET", "/api/v1/users", Access.TOKEN),
        ("GET", "/api/v1/users/me", Access.TOKEN),
        ("DELETE", "/api/v1/users/me", Access.TOKEN),
        ("POST", "/api/v1/auth/login", Access.PUBLIC),
        ("POST", "/api/v1/auth/refresh", Access.PUBLIC),
        ("POST", "/api/v1/auth/password-reset", Access.PUBLIC),
        ("POST", "/api/v1/auth/verify-email", Access.PUBLIC),
        ("GET", "/.well-known/jwks.json", Access.PUBLIC),
        ("POST", "/api/v1/unsubscribe", Access.PUBLIC),
        ("GET", "/api/v1/calendars/secret-token.ics", Access.PUBLIC),
        ("GET", "/api/v1/communities", Access.OPTIONAL),
        ("POST", "/api/v1/communities", Access.TOKEN),
        ("GET", "/api/v1/communities/c1", Access.OPTIONAL),
        ("PATCH", "/api/v1/communities/c1", Access.TOKEN),
        ("GET", "/api/v1/communities/c1/members", Access.TOKEN),
        ("GET", "/api/v1/communities/c1/events", Access.OPTIONAL),
        ("POST", "/api/v1/communities/c1/events", Access.TOKEN),
        ("GET", "/api/v1/events/e1", Access.OPTIONAL),
        ("GET", "/api/v1/events", Access.TOKEN),
        ("POST", "/api/v1/events/e1/rsvp", Access.TOKEN),
        ("GET", "/api/v1/communities/c1/threads", Access.TOKEN),
        ("GET", "/api/v1/me", Access.TOKEN),
        ("GET", "/api/v1/stream", Access.TOKEN),
        ("GET", "/api/v1/notifications", Access.TOKEN),
        ("POST", "/api/v1/auth/logout-all", Access.TOKEN),
        ("POST", "/api/v1/auth/change-password", Access.TOKEN),
        ("POST", "/api/v1/auth/verify-email/resend", Access.TOKEN),
        ("GET", "/api/v1/events/e1/attendees", Access.TOKEN),
        ("GET", "/api/v1/events/e1/calendar.ics", Access.OPTIONAL),
        ("GET", "/api/v1/push/vapid-public-key", Access.PUBLIC),
        ("GET", "/api/v1/invitations/t0k3n", Access.OPTIONAL),
        ("POST", "/api/v1/invitations/t0k3n/accept", Access.TOKEN),
        ("POST", "/api/v1/push/subscriptions", Access.TOKEN),
    ],
)
def test_only_the_listed_routes_pass_without_a_token(
    method: str, path: str, access: Access
) -> None:
    assert access_for(method, path) is access


def test_credential_endpoints_are_sensitive() -> None:
    assert is_sensitive("POST", "/api/v1/auth/login")
    assert is_sensitive("POST", "/api/v1/users")
    assert is_sensitive("POST", "/api/v1/auth/password-reset")
    assert is_sensitive("POST", "/api/v1/auth/password-reset/confirm")
    for outside in ("refresh", "logout", "verify-email", "logout-all", "change-password"):
        assert not is_sensitive("POST", f"/api/v1/auth/{outside}"), outside
    assert not is_sensitive("GET", "/api/v1/users/me")
    assert not is_sensitive("GET", "/api/v1/communities")


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/api/v1/users/me", True),
        ("/api/v1/auth/../users/me", False),
        ("/api/v1/auth/./login", False),
        ("/api/v1//users", False),
        ("/api/v1/users\\me", False),
        ("/api/v1/users/..", False),
    ],
)
def test_paths_that_could_resolve_elsewhere_are_unsafe(path: str, safe: bool) -> None:
    assert is_safe_path(path) is safe
