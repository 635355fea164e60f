"""Two communities with people in every role and an object of every kind, built through the
gateway for the authorization matrix.

Community X (private, admission by application): owner, moderator, member, two spare members
(one leaves, one is removed) and a pending applicant. Community Y (public) is owned by "other",
who has an application, an invitation, a thread and an event there. "outsider" belongs nowhere.
"""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.platform import Member, Platform, eventually, sign_up

CODE = "Be kind, be constructive, no recruiting spam."
ROLES = ("owner", "moderator", "member", "outsider", "other")


def community_body(slug: str, visibility: str) -> dict[str, Any]:
    return {
        "name": f"Circle {slug}",
        "slug": slug,
        "purpose": "A circle where people review each other's work every month.",
        "audience": "People who like reviews.",
        "language": "en",
        "visibility": visibility,
        "join_policy": "application",
        "capacity": 50,
        "code_of_conduct": CODE,
    }


def event_body(title: str = "Monthly review") -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    return {
        "title": title,
        "format": "online",
        "online_link": "https://meet.example.org/review",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "time_zone": "Europe/Rome",
        "visibility": "members",
    }


def ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text}"
    )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


@dataclass
class World:
    """The people, communities and objects; ``ids`` fills path parameters."""

    client: httpx.AsyncClient
    people: dict[str, Member]
    ids: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else self.people[role].auth

    @property
    def x(self) -> str:
        return self.ids["community_id"]

    async def post(self, role: str, path: str, body: Any = None) -> dict[str, Any]:
        return ok(await self.client.post(path, json=body, headers=self.auth(role)))

    # Fresh objects for the actions that destroy what they act on.
    async def thread(self, role: str = "member") -> str:
        body = {"title": "A question", "body": "How do you review async code?"}
        return (await self.post(role, f"/api/v1/communities/{self.x}/threads", body))["id"]

    async def reply(self, role: str = "member") -> str:
        path = f"/api/v1/threads/{self.ids['thread_id']}/replies"
        return (await self.post(role, path, {"body": "Slowly, and with tests."}))["id"]

    async def resource(self, role: str = "member") -> str:
        body = {"title": "Trio docs", "kind": "article", "url": "https://example.org/trio"}
        return (await self.post(role, f"/api/v1/communities/{self.x}/resources", body))["id"]

    async def course(self, *, published: bool) -> tuple[str, str]:
        path = f"/api/v1/communities/{self.x}/courses"
        course = await self.post("owner", path, {"title": "Reviews 101", "summary": "Learn."})
        lesson = await self.post(
            "owner",
            f"/api/v1/courses/{course['id']}/lessons",
            {"title": "Reading a diff", "body": "Start from the tests."},
        )
        if published:
            await self.post("owner", f"/api/v1/courses/{course['id']}/publish")
        return course["id"], lesson["id"]

    async def event(self) -> str:
        return (await self.post("owner", f"/api/v1/communities/{self.x}/events", event_body()))[
            "id"
        ]

    async def series(self) -> str:
        """A weekly series of four; its first occurrence's id."""
        body = {**event_body("Weekly review"), "recurrence": {"rule": "FREQ=WEEKLY;COUNT=4"}}
        created = await self.post("owner", f"/api/v1/communities/{self.x}/events", body)
        return str(created["occurrences"][0]["id"])

    async def invitation(self, community: str | None = None, role: str = "owner") -> str:
        path = f"/api/v1/communities/{community or self.x}/invitations"
        return (await self.post(role, path, {"email": f"{uuid.uuid4().hex[:10]}@example.org"}))[
            "id"
        ]

    async def export(self, role: str = "member") -> str:
        """An export of ``role``'s data (the one under way, when there is one)."""
        started = await self.client.post("/api/v1/me/exports", headers=self.auth(role))
        return str(ok(started, 202)["id"])

    async def webhook(self) -> str:
        body = {"community_id": self.x, "url": "http://127.0.0.1:9/cerchia"}
        return (await self.post("owner", "/api/v1/webhooks", body))["id"]


async def admit(world: World, community: str, applicant: str, owner: str) -> str:
    """Apply as ``applicant``; approve as ``owner`` unless it is empty. The application id."""
    application = await world.post(
        applicant,
        f"/api/v1/communities/{community}/applications",
        {"answers": {}, "code_of_conduct_version": 1},
    )
    if owner:
        await world.post(
            owner,
            f"/api/v1/communities/{community}/applications/{application['id']}/approve",
            {"reason": "Welcome."},
        )
    return str(application["id"])


async def build_world(platform: Platform, client: httpx.AsyncClient) -> World:
    names = {
        "owner": "Olga",
        "moderator": "Marco",
        "member": "Ugo",
        "outsider": "Nadia",
        "other": "Zeno",
        "leaver": "Vera",
        "removed": "Walter",
        "applicant": "Pia",
    }
    members = await asyncio.gather(*(sign_up(client, platform.smtp, n) for n in names.values()))
    world = World(client, dict(zip(names, members, strict=True)))
    people = world.people
    x = await world.post(
        "owner", "/api/v1/communities", community_body(f"x-{uuid.uuid4().hex[:8]}", "public")
    )
    y = await world.post(
        "other", "/api/v1/communities", community_body(f"y-{uuid.uuid4().hex[:8]}", "public")
    )
    world.ids["community_id"] = x["id"]
    world.ids["other_community_id"] = y["id"]
    for role in ("moderator", "member", "leaver", "removed"):
        await admit(world, x["id"], role, "owner")
    world.ids["application_id"] = await admit(world, x["id"], "applicant", "")
    world.ids["other_application_id"] = await admit(world, y["id"], "outsider", "")
    ok(
        await client.put(
            f"/api/v1/communities/{x['id']}/members/{people['moderator'].id}/role",
            json={"role": "moderator"},
            headers=world.auth("owner"),
        )
    )
    ok(
        await client.patch(
            f"/api/v1/communities/{x['id']}",
            json={"visibility": "private"},
            headers=world.auth("owner"),
        )
    )
    await settle(world)
    await populate(world)
    return world


async def settle(world: World) -> None:
    """Wait until content, events and notifications have projected the roles and the privacy."""
    x, client = world.x, world.client

    async def projected() -> bool:
        queue = await client.get(
            f"/api/v1/communities/{x}/moderation/queue", headers=world.auth("moderator")
        )
        member = await client.get(f"/api/v1/communities/{x}/events", headers=world.auth("member"))
        outsider = await client.get(
            f"/api/v1/communities/{x}/threads", headers=world.auth("outsider")
        )
        hooks = await client.get(
            "/api/v1/webhooks", params={"community_id": x}, headers=world.auth("owner")
        )
        return (queue.status_code, member.status_code, outsider.status_code, hooks.status_code) == (
            200,
            200,
            404,
            200,
        )

    # Late in a full run the platform's consumers may still be working through earlier tests'
    # history on the shared Kafka: the bound is generous, the wait ends as soon as it holds.
    await eventually(
        projected,
        what="content, events and notifications project X's roles and privacy",
        timeout=180,
    )


async def populate(world: World) -> None:
    ids, people = world.ids, world.people
    x, y = ids["community_id"], ids["other_community_id"]
    ids["thread_id"] = await world.thread()
    ids["reply_id"] = await world.reply()
    ids["resource_id"] = await world.resource()
    ids["course_id"], ids["lesson_id"] = await world.course(published=True)
    ids["event_id"] = await world.event()
    ids["invitation_id"] = await world.invitation()
    ids["other_invitation_id"] = await world.invitation(y, "other")
    ids["webhook_id"] = await world.webhook()
    ids["user_id"] = people["member"].id
    ids["reaction"] = "like"
    ids["token"] = uuid.uuid4().hex
    ids["key"] = f"{uuid.uuid4()}:{people['owner'].id}:email"
    message = await world.post(
        "member",
        "/api/v1/conversations",
        {"recipient_id": people["moderator"].id, "body": "Shall we pair on reviews?"},
    )
    ids["conversation_id"] = message["conversation_id"]
    introduction = await world.post(
        "member",
        "/api/v1/introductions",
        {"recipient_id": people["moderator"].id, "community_id": x, "note": "Let's talk."},
    )
    ids["introduction_id"] = introduction["id"]

    # Y's roles reach content and events in their own time.
    async def in_y(path: str, body: dict[str, Any], key: str) -> bool:
        response = await world.client.post(path, json=body, headers=world.auth("other"))
        if response.status_code == 201:
            ids[key] = response.json()["id"]
        return response.status_code == 201

    thread = {"title": "Hello", "body": "Y only."}
    await eventually(
        lambda: in_y(f"/api/v1/communities/{y}/threads", thread, "other_thread_id"),
        what="the owner of Y posts there",
    )
    await eventually(
        lambda: in_y(f"/api/v1/communities/{y}/events", event_body(), "other_event_id"),
        what="the owner of Y schedules there",
    )

    async def moderator_notified() -> bool:
        listed = await world.client.get("/api/v1/notifications", headers=world.auth("moderator"))
        items = ok(listed)["items"]
        if items:
            ids["notification_id"] = items[0]["id"]
        return bool(items)

    await eventually(moderator_notified, what="the moderator has a notification")
