"""Authorization matrix through the gateway: every endpoint taking a community or object id, for
owner / moderator / member / outsider / owner of another community / anonymous.

Forbidden callers must get 401, 403 or 404 (people outside a private community: 404, so it
cannot be enumerated), never a 2xx and never a 5xx; the weakest allowed role must get through
(a 2xx, or the listed conflict that proves the request passed the checks). The endpoint list
comes from the gateway's merged OpenAPI document, so a new endpoint without a row fails.
"""

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gateway.domain.routes import Access, access_for
from tests.authz_world import ROLES, World, build_world, event_body
from tests.platform import Platform

pytestmark = pytest.mark.e2e

MEMBERS = frozenset({"owner", "moderator", "member"})
MODS = frozenset({"owner", "moderator"})
OWNER = frozenset({"owner"})
MEMBER = frozenset({"member"})
SIGNED_IN = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
STRENGTH = ("member", "moderator", "owner", "outsider", "other")

Fresh = Callable[[World], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class Row:
    """What ``method path`` allows; ``probe`` False skips calling it as an allowed role (the
    call would change what later rows rely on), ``fresh`` builds the object it destroys."""

    method: str
    path: str
    allowed: frozenset[str]
    body: Any = None
    ok: frozenset[int] = frozenset({200, 201, 204})
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    fresh: Fresh | None = None
    probe_as: str | None = None
    #: Refusals other than 401/403/404 that are right for this endpoint.
    refused_also: frozenset[int] = frozenset()

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def fresh(**makers: Callable[[World], Awaitable[str]]) -> Fresh:
    async def make(world: World) -> dict[str, str]:
        return {name: await maker(world) for name, maker in makers.items()}

    return make


async def fresh_course(world: World) -> dict[str, str]:
    course, lesson = await world.course(published=False)
    return {"course_id": course, "lesson_id": lesson}


C = "/api/v1/communities/{community_id}"
BLOCKS = "/api/v1/conversations/blocks"
PAIR = frozenset({"member", "moderator"})  # the member wrote to the moderator
JOIN = {"code_of_conduct_version": 1}
CONFLICT = frozenset({200, 201, 204, 409})
THREAD = {"title": "Matrix", "body": "A post from the matrix."}
NOT_YET = frozenset({409})  # the check-in window and recaps wait for the event

ROWS: tuple[Row, ...] = (
    # membership: the community and its admission
    Row("GET", C, MEMBERS),
    Row("PATCH", C, OWNER, {"tags": ["reviews"]}),
    Row("GET", f"{C}/code-of-conduct", MEMBERS),
    Row("POST", f"{C}/code-of-conduct/acceptance", MEMBERS, {"version": 1}, CONFLICT),
    Row("POST", f"{C}/join", MEMBERS, JOIN, frozenset({409})),
    Row("POST", f"{C}/applications", MEMBERS, {"code_of_conduct_version": 1}, frozenset({409})),
    Row("GET", f"{C}/applications", MODS),
    Row("GET", f"{C}/applications/{{application_id}}", MODS),
    Row("POST", f"{C}/invitations", MODS, {"email": "someone@example.org"}),
    Row("POST", f"{C}/invitation-links", MODS, {"max_uses": 2}),
    Row("GET", f"{C}/invitations", MODS),
    Row(
        "DELETE",
        f"{C}/invitations/{{invitation_id}}",
        MODS,
        fresh=fresh(invitation_id=lambda w: w.invitation()),
    ),
    # The world's token was never issued: it opens nothing, for anyone, signed in or not.
    Row("GET", "/api/v1/invitations/{token}", NOBODY),
    Row("POST", "/api/v1/invitations/{token}/accept", NOBODY, JOIN),
    # Only operators (none of the roles) disable and enable accounts.
    Row("POST", "/api/v1/admin/users/{user_id}/disable", NOBODY, {"reason": "Matrix."}),
    Row("POST", "/api/v1/admin/users/{user_id}/enable", NOBODY),
    Row("GET", f"{C}/waitlist", MODS),
    Row("GET", f"{C}/seat-offer", MEMBERS, ok=frozenset({404})),
    Row("POST", f"{C}/seat-offer/accept", MEMBERS, JOIN, frozenset({404, 409})),
    Row("POST", f"{C}/seat-offer/decline", MEMBERS, ok=frozenset({404, 409})),
    Row("PUT", f"{C}/members/{{user_id}}/role", OWNER, {"role": "member"}, frozenset({409})),
    Row("GET", f"{C}/audit", MODS),
    Row("GET", f"{C}/directory", MEMBERS),
    Row("GET", "/api/v1/profiles/{user_id}", MEMBERS),
    Row("GET", "/api/v1/introductions/suggestions", MEMBERS, query={"community_id": "{x}"}),
    Row("GET", "/api/v1/introductions/{introduction_id}", PAIR),
    # The requester is told that only the person asked answers (409).
    Row(
        "POST",
        "/api/v1/introductions/{introduction_id}/decline",
        frozenset({"moderator"}),
        refused_also=frozenset({409}),
    ),
    Row(
        "POST",
        "/api/v1/introductions/{introduction_id}/accept",
        frozenset({"moderator"}),
        ok=frozenset({409}),  # declined above
        refused_also=frozenset({409}),
    ),
    Row(
        "POST",
        "/api/v1/introductions",
        MEMBERS,
        {"recipient_id": "{@owner}", "community_id": "{x}", "note": "Hello from the matrix."},
        CONFLICT,
    ),
    # content: discussions
    Row("POST", f"{C}/threads", MEMBERS, THREAD),
    Row("GET", f"{C}/threads", MEMBERS),
    Row("GET", f"{C}/categories", MEMBERS),
    Row("GET", "/api/v1/threads/{thread_id}", MEMBERS),
    Row("PATCH", "/api/v1/threads/{thread_id}", MEMBER, {"title": "Edited"}),
    Row("GET", "/api/v1/threads/{thread_id}/history", MEMBERS),
    Row("PUT", "/api/v1/threads/{thread_id}/follow", MEMBERS),
    Row("DELETE", "/api/v1/threads/{thread_id}/follow", MEMBERS),
    Row("POST", "/api/v1/threads/{thread_id}/read", MEMBERS),
    Row("PUT", "/api/v1/threads/{thread_id}/pin", MODS),
    Row("DELETE", "/api/v1/threads/{thread_id}/pin", MODS),
    Row("PUT", "/api/v1/threads/{thread_id}/lock", MODS),
    Row("DELETE", "/api/v1/threads/{thread_id}/lock", MODS),
    Row("POST", "/api/v1/threads/{thread_id}/move", MODS, {"category": "reviews"}),
    Row("GET", "/api/v1/threads/{thread_id}/replies", MEMBERS),
    Row("POST", "/api/v1/threads/{thread_id}/replies", MEMBERS, {"body": "Agreed."}),
    Row("PATCH", "/api/v1/replies/{reply_id}", MEMBER, {"body": "Edited reply."}),
    Row("GET", "/api/v1/replies/{reply_id}/history", MEMBERS),
    Row("GET", "/api/v1/replies/{reply_id}", MEMBERS),
    Row("PUT", "/api/v1/threads/{thread_id}/reactions/{reaction}", MEMBERS),
    Row("DELETE", "/api/v1/threads/{thread_id}/reactions/{reaction}", MEMBERS),
    Row("PUT", "/api/v1/replies/{reply_id}/reactions/{reaction}", MEMBERS),
    Row("DELETE", "/api/v1/replies/{reply_id}/reactions/{reaction}", MEMBERS),
    Row(
        "DELETE",
        "/api/v1/threads/{thread_id}",
        frozenset({"member", "moderator", "owner"}),
        fresh=fresh(thread_id=lambda w: w.thread()),
    ),
    Row(
        "DELETE",
        "/api/v1/replies/{reply_id}",
        frozenset({"member", "moderator", "owner"}),
        fresh=fresh(reply_id=lambda w: w.reply()),
    ),
    # content: library and courses
    Row(
        "POST",
        f"{C}/resources",
        MEMBERS,
        {"title": "A tool", "kind": "tool", "url": "https://example.org/tool"},
    ),
    Row("GET", f"{C}/resources", MEMBERS),
    Row("PATCH", "/api/v1/resources/{resource_id}", MEMBER, {"title": "Edited tool"}),
    Row("GET", "/api/v1/resources/{resource_id}", MEMBERS),
    Row("PUT", "/api/v1/resources/{resource_id}/useful", MEMBERS),
    Row("DELETE", "/api/v1/resources/{resource_id}/useful", MEMBERS),
    Row(
        "DELETE",
        "/api/v1/resources/{resource_id}",
        frozenset({"member", "moderator", "owner"}),
        fresh=fresh(resource_id=lambda w: w.resource()),
    ),
    Row("POST", f"{C}/courses", MODS, {"title": "Course", "summary": "A course."}),
    Row("GET", f"{C}/courses", MEMBERS),
    Row("GET", "/api/v1/courses/{course_id}", MEMBERS),
    Row("POST", "/api/v1/courses/{course_id}/lessons", MODS, {"title": "More", "body": "Text."}),
    Row("PATCH", "/api/v1/courses/{course_id}", MODS, {"title": "Reviews 102"}),
    Row("PATCH", "/api/v1/lessons/{lesson_id}", MODS, {"title": "Reading a diff, again"}),
    Row("POST", "/api/v1/lessons/{lesson_id}/publish", MODS, ok=CONFLICT),
    Row("POST", "/api/v1/courses/{course_id}/publish", MODS, fresh=fresh_course),
    Row("PUT", "/api/v1/courses/{course_id}/enrolment", MEMBERS),
    Row("GET", "/api/v1/lessons/{lesson_id}", MEMBERS),
    Row("PUT", "/api/v1/lessons/{lesson_id}/completion", MEMBERS, ok=CONFLICT),
    # content: moderation, messages, search
    Row(
        "POST",
        f"{C}/flags",
        MEMBERS,
        {"target_kind": "thread", "target_id": "{thread_id}", "reason": "Off topic."},
        CONFLICT,
    ),
    Row("GET", f"{C}/moderation/queue", MODS),
    Row("GET", f"{C}/moderation/log", MODS),
    Row(
        "POST",
        f"{C}/moderation/decisions",
        MODS,
        {"target_kind": "thread", "target_id": "{thread_id}", "action": "restore", "reason": "Ok"},
        CONFLICT,
    ),
    # a person's export is theirs alone: anyone else is told it does not exist
    Row(
        "GET",
        "/api/v1/me/exports/{export_id}",
        frozenset({"member"}),
        fresh=fresh(export_id=lambda w: w.export()),
    ),
    Row(
        "GET",
        "/api/v1/me/exports/{export_id}/archive",
        frozenset({"member"}),
        ok=frozenset({200, 409}),  # 409 while it is being assembled
        fresh=fresh(export_id=lambda w: w.export()),
    ),
    Row("GET", "/api/v1/conversations/{conversation_id}/messages", PAIR),
    Row(
        "POST",
        "/api/v1/conversations/{conversation_id}/messages",
        PAIR,
        {"body": "Sure."},
    ),
    Row("POST", "/api/v1/conversations/{conversation_id}/read", PAIR),
    Row("PUT", f"{BLOCKS}/{{user_id}}", SIGNED_IN, params={"user_id": "{@applicant}"}),
    Row("DELETE", f"{BLOCKS}/{{user_id}}", SIGNED_IN, params={"user_id": "{@applicant}"}),
    Row("GET", "/api/v1/search", MEMBERS, query={"community_id": "{x}", "q": "review"}),
    # events
    Row("POST", f"{C}/events", MEMBERS, event_body()),
    Row("GET", f"{C}/events", MEMBERS),
    Row("GET", "/api/v1/events/{event_id}", MEMBERS),
    Row("PATCH", "/api/v1/events/{event_id}", MODS, {"title": "Monthly review (changed)"}),
    Row("GET", "/api/v1/events/{event_id}/calendar.ics", MEMBERS),
    Row("PUT", "/api/v1/events/{event_id}/rsvp", MEMBERS, {"answer": "going"}),
    Row("GET", "/api/v1/events/{event_id}/waitlist", MODS),
    Row("GET", "/api/v1/events/{event_id}/attendees", MEMBERS),
    Row("GET", "/api/v1/events/{event_id}/check-in/code", MODS),
    Row("POST", "/api/v1/events/{event_id}/check-in", MEMBERS, {"code": "ABCDEF"}, NOT_YET),
    Row(
        "POST",
        "/api/v1/events/{event_id}/attendees/{user_id}/check-in",
        MODS,
        ok=NOT_YET,
    ),
    Row("PUT", "/api/v1/events/{event_id}/recap", MODS, {"notes": "It went well."}, NOT_YET),
    Row(
        "PUT",
        "/api/v1/events/{event_id}/recurrence",
        MODS,
        {"rule": "FREQ=WEEKLY;COUNT=6"},
        fresh=fresh(event_id=lambda w: w.series()),
    ),
    Row(
        "POST",
        "/api/v1/events/{event_id}/cancel",
        MODS,
        {"reason": "Rain."},
        fresh=fresh(event_id=lambda w: w.event()),
    ),
    Row("GET", "/api/v1/calendars/feeds/{token}.ics", NOBODY),
    Row("GET", "/api/v1/calendars/communities/{community_id}.ics", NOBODY),
    # notifications
    Row("POST", "/api/v1/notifications/{notification_id}/read", frozenset({"moderator"})),
    Row("GET", "/api/v1/webhooks", OWNER, query={"community_id": "{x}"}),
    Row(
        "POST",
        "/api/v1/webhooks",
        OWNER,
        {"community_id": "{x}", "url": "http://127.0.0.1:9/two"},
    ),
    Row("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret", OWNER),
    Row("POST", "/api/v1/webhooks/{webhook_id}/enable", OWNER),
    Row("GET", "/api/v1/webhooks/{webhook_id}/deliveries", OWNER),
    Row(
        "POST",
        "/api/v1/webhooks/{webhook_id}/replay",
        OWNER,
        {"event_ids": ["0195f0c4-8e2b-7c11-b0a4-6d2e5f7a8b90"]},
        frozenset({202}),
    ),
    # the operations team's delivery log: none of these people are on it
    Row("GET", "/api/v1/notifications/deliveries", NOBODY, query={"community_id": "{x}"}),
    Row("POST", "/api/v1/notifications/deliveries/{key}/retry", NOBODY),
    Row(
        "DELETE",
        "/api/v1/webhooks/{webhook_id}",
        OWNER,
        fresh=fresh(webhook_id=lambda w: w.webhook()),
    ),
    # last: these change who is in X
    Row(
        "POST",
        f"{C}/members/{{user_id}}/removal",
        MODS,
        {"reason": "Spam."},
        params={"user_id": "{@removed}"},
    ),
    Row(
        "POST",
        f"{C}/applications/{{application_id}}/withdraw",
        NOBODY,  # only the applicant, who is not one of the roles
        probe_as="applicant",
    ),
    Row(
        "POST",
        f"{C}/applications/{{application_id}}/reject",
        MODS,
        {"reason": "No."},
        frozenset({409}),  # withdrawn above
    ),
    Row(
        "POST",
        f"{C}/applications/{{application_id}}/approve",
        MODS,
        {"reason": "Yes."},
        frozenset({409}),  # withdrawn above
    ),
    Row("POST", f"{C}/bans", MODS, {"user_id": "{@applicant}", "reason": "Spam."}),
    Row(
        "POST",
        f"{C}/bans/{{user_id}}/lift",
        MODS,
        {"reason": "Second chance."},
        params={"user_id": "{@applicant}"},
    ),
    Row("POST", f"{C}/leave", MEMBERS, probe_as="leaver"),
    Row("POST", f"{C}/code-of-conduct", OWNER, {"text": "Be kind, always."}),
    Row("POST", f"{C}/archive", OWNER),
)


ID_NAMES = ("community_id", "event_id", "thread_id", "application_id", "token")
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
UNAUTHENTICATED = frozenset({401})
ANONYMOUS = frozenset({401, 404})
HIDDEN = frozenset({404})
REFUSED = frozenset({403, 404})


def expand(template: str, world: World, given: dict[str, str]) -> str:
    """``{name}`` → an id: ``{x}`` community X, ``{@role}`` that person, else the object."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "x":
            return world.x
        if name.startswith("@"):
            return world.people[name[1:]].id
        return given.get(name) or world.ids[name]

    return re.sub(r"\{(@?\w+)\}", value, template)


def filled(value: Any, world: World, given: dict[str, str]) -> Any:
    if isinstance(value, str):
        return expand(value, world, given)
    if isinstance(value, dict):
        return {k: filled(v, world, given) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, world, given) for v in value]
    return value


async def call(world: World, row: Row, role: str, given: dict[str, str]) -> httpx.Response:
    params = {name: expand(v, world, {}) for name, v in row.params.items()} | given
    return await world.client.request(
        row.method,
        expand(row.path, world, params),
        params={k: expand(v, world, params) for k, v in row.query.items()} or None,
        json=filled(row.body, world, params),
        headers=world.auth(role),
    )


def refusals(row: Row, role: str) -> frozenset[int]:
    """What a caller outside ``row.allowed`` may get: nobody outside X learns it exists."""
    if role == "anonymous":
        # Where the gateway lets anonymous callers through (public reads), the answer must be
        # the one an unknown id gets: the test compares them.
        return UNAUTHENTICATED if access_for(row.method, row.path) is Access.TOKEN else ANONYMOUS
    if role in ("outsider", "other") and row.path.startswith(C):
        return HIDDEN | row.refused_also
    return REFUSED | row.refused_also


def probes(row: Row) -> list[str]:
    """Who is called among the allowed: everyone for reads, else the weakest role."""
    if row.probe_as is not None:
        return [row.probe_as]
    allowed = [role for role in STRENGTH if role in row.allowed]
    return allowed if row.method == "GET" else allowed[:1]


@pytest.fixture(scope="module")
async def world(platform: Platform) -> AsyncIterator[World]:
    async with platform.client() as client:
        yield await build_world(platform, client)


async def test_every_endpoint_taking_an_id_has_a_row(platform: Platform) -> None:
    async with platform.client() as client:
        document = (await client.get("/openapi.json")).json()
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    assert not document["info"].get("x-services-missing"), document["info"]
    taking = {
        key
        for key, operation in operations.items()
        if "{" in key[1]
        or any(p["name"] == "community_id" for p in operation.get("parameters", []))
    }
    rows = {row.key for row in ROWS}
    assert len(rows) == len(ROWS), "one row per endpoint"
    missing = sorted(taking - rows)
    assert missing == [], f"endpoints without an expectation: {missing}"
    assert sorted(rows - set(operations)) == [], "rows for endpoints that do not exist"


async def test_another_communitys_objects_are_out_of_reach_through_this_one(
    world: World,
) -> None:
    x, ids, people = world.x, world.ids, world.people
    owner = world.auth("owner")
    client = world.client
    attempts = {
        "read Y's application": await client.get(
            f"/api/v1/communities/{x}/applications/{ids['other_application_id']}", headers=owner
        ),
        "approve Y's application": await client.post(
            f"/api/v1/communities/{x}/applications/{ids['other_application_id']}/approve",
            json={"reason": "Sneaky."},
            headers=owner,
        ),
        "revoke Y's invitation": await client.delete(
            f"/api/v1/communities/{x}/invitations/{ids['other_invitation_id']}", headers=owner
        ),
        "demote Y's owner": await client.put(
            f"/api/v1/communities/{x}/members/{people['other'].id}/role",
            json={"role": "member"},
            headers=owner,
        ),
        "remove Y's owner": await client.post(
            f"/api/v1/communities/{x}/members/{people['other'].id}/removal",
            json={"reason": "Sneaky."},
            headers=owner,
        ),
        "flag Y's thread": await client.post(
            f"/api/v1/communities/{x}/flags",
            json={"target_kind": "thread", "target_id": ids["other_thread_id"], "reason": "x"},
            headers=owner,
        ),
        "hide Y's thread": await client.post(
            f"/api/v1/communities/{x}/moderation/decisions",
            json={
                "target_kind": "thread",
                "target_id": ids["other_thread_id"],
                "action": "hide",
                "reason": "Sneaky.",
            },
            headers=owner,
        ),
        "lock Y's thread": await client.put(
            f"/api/v1/threads/{ids['other_thread_id']}/lock", headers=owner
        ),
        "delete Y's thread": await client.delete(
            f"/api/v1/threads/{ids['other_thread_id']}", headers=owner
        ),
        "change Y's event": await client.patch(
            f"/api/v1/events/{ids['other_event_id']}", json={"title": "Mine"}, headers=owner
        ),
        "cancel Y's event": await client.post(
            f"/api/v1/events/{ids['other_event_id']}/cancel", json={}, headers=owner
        ),
        "host X's event with Y's owner": await client.post(
            f"/api/v1/communities/{x}/events",
            json=event_body() | {"host_ids": [people["other"].id]},
            headers=owner,
        ),
        "introduce Y's owner in X": await client.post(
            "/api/v1/introductions",
            json={"recipient_id": people["other"].id, "community_id": x, "note": "Hi."},
            headers=world.auth("member"),
        ),
    }
    leaks = {
        what: f"{r.status_code} {r.text[:200]}"
        for what, r in attempts.items()
        if r.status_code not in (403, 404, 409, 422)
    }
    assert leaks == {}
    thread = await client.get(
        f"/api/v1/threads/{ids['other_thread_id']}", headers=world.auth("other")
    )
    assert thread.status_code == 200, thread.text
    assert (thread.json()["visibility"], thread.json()["locked"]) == ("visible", False)
    event = await client.get(f"/api/v1/events/{ids['other_event_id']}", headers=world.auth("other"))
    assert event.status_code == 200, event.text
    assert event.json()["title"] == "Monthly review"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.path}")
async def test_authorization_matrix(row: Row, world: World) -> None:
    failures: list[str] = []
    given = await row.fresh(world) if row.fresh is not None else {}
    for role in ("anonymous", *ROLES):
        if role in row.allowed:
            continue
        refused = await call(world, row, role, given)
        if refused.status_code not in refusals(row, role):
            failures.append(f"{role}: {refused.status_code} {refused.text[:300]}")
        elif role == "anonymous" and access_for(row.method, row.path) is not Access.TOKEN:
            unknown = await call(world, row, role, {n: str(uuid.uuid4()) for n in ID_NAMES})
            if unknown.status_code != refused.status_code:
                failures.append(f"anonymous: {refused.status_code}, unknown: {unknown.status_code}")
    for role in probes(row):
        if row.fresh is not None:
            given = await row.fresh(world)
        allowed = await call(world, row, role, given)
        if allowed.status_code not in row.ok:
            failures.append(f"{role} (allowed): {allowed.status_code} {allowed.text[:300]}")
    assert failures == []
