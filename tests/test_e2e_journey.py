"""A member's journey through the gateway only, on the real platform: sign-up to a mention."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.platform import Member, Platform, eventually, sign_up, text_of, to

pytestmark = pytest.mark.e2e

CODE = "Be kind, be constructive, no recruiting spam."


class Notifications:
    """Reads ``notification`` events off a server-sent event stream, one at a time."""

    def __init__(self, stream: httpx.Response) -> None:
        self._lines = stream.aiter_lines()

    async def next(self) -> dict[str, Any]:
        event: dict[str, str] = {}
        async with asyncio.timeout(45):
            async for line in self._lines:
                if line.startswith(("id:", "event:", "data:")):
                    name, _, value = line.partition(":")
                    event[name] = value.strip()
                elif line == "":
                    if event.get("event") == "notification":
                        notification: dict[str, Any] = json.loads(event["data"])
                        assert event["id"] == notification["id"]
                        return notification
                    event = {}
        raise AssertionError("the stream ended")


async def found_community(client: httpx.AsyncClient, owner: Member) -> dict[str, Any]:
    created = await client.post(
        "/api/v1/communities",
        headers=owner.auth,
        json={
            "name": "Python a Bologna",
            "slug": f"python-{owner.id[:8]}",
            "purpose": "Grow as Python developers by reviewing each other's code.",
            "audience": "Developers in and around Bologna.",
            "language": "en",
            "visibility": "public",
            "join_policy": "application",
            "capacity": 10,
            "code_of_conduct": CODE,
            "screening_questions": [
                {"id": "why", "prompt": "Why do you want to join?", "required": True}
            ],
        },
    )
    assert created.status_code == 201, created.text
    community: dict[str, Any] = created.json()
    assert community["owner_id"] == owner.id
    assert community["join_policy"] == "application"
    assert community["code_of_conduct_version"] == 1
    assert community["my_standing"]["role"] == "owner"
    assert [q["id"] for q in community["screening_questions"]] == ["why"]
    return community


async def test_from_sign_up_to_a_mention_heard_on_the_stream_and_by_email(
    platform: Platform,
) -> None:
    async with platform.client() as client:
        ada = await sign_up(client, platform.smtp, "Ada", handle=True)
        account = await client.get("/api/v1/users/me", headers=ada.auth)
        assert account.status_code == 200, account.text
        assert account.json()["email_verified"] is True

        community = await found_community(client, ada)
        community_id = community["id"]

        bo = await sign_up(client, platform.smtp, "Bo")
        public = await client.get(f"/api/v1/communities/{community_id}", headers=bo.auth)
        assert public.status_code == 200, public.text
        assert public.json()["my_standing"] is None
        unanswered = await client.post(
            f"/api/v1/communities/{community_id}/applications",
            headers=bo.auth,
            json={"answers": {}, "code_of_conduct_version": 1},
        )
        assert unanswered.status_code == 422, unanswered.text
        applied = await client.post(
            f"/api/v1/communities/{community_id}/applications",
            headers=bo.auth,
            json={"answers": {"why": "To get reviews on my code."}, "code_of_conduct_version": 1},
        )
        assert applied.status_code == 201, applied.text
        application = applied.json()
        assert application["status"] == "pending"
        assert application["applicant_id"] == bo.id

        # Bo cannot read the moderators' queue; Ada finds the application there.
        applications = f"/api/v1/communities/{community_id}/applications"
        refused = await client.get(applications, headers=bo.auth)
        assert refused.status_code == 403, refused.text
        queue = await client.get(applications, headers=ada.auth)
        assert queue.status_code == 200, queue.text
        assert [a["id"] for a in queue.json()["items"]] == [application["id"]]

        approved = await client.post(
            f"/api/v1/communities/{community_id}/applications/{application['id']}/approve",
            headers=ada.auth,
            json={"reason": "Fits the audience well."},
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        await platform.smtp.wait_for(to(bo.email, "Welcome to Python a Bologna"), timeout=30)

        standing = (
            await client.get(f"/api/v1/communities/{community_id}", headers=bo.auth)
        ).json()["my_standing"]
        assert standing["state"] == "member"
        assert standing["role"] == "member"
        if standing["must_accept_code_of_conduct"]:
            accepted = await client.post(
                f"/api/v1/communities/{community_id}/code-of-conduct/acceptance",
                headers=bo.auth,
                json={"version": community["code_of_conduct_version"]},
            )
            assert accepted.status_code == 200, accepted.text
        assert standing["code_of_conduct_version"] == 1

        # Content learns of the membership from Kafka: Bo may read the threads once it has.
        async def bo_reads_threads() -> bool:
            listed = await client.get(
                f"/api/v1/communities/{community_id}/threads", headers=bo.auth
            )
            assert listed.status_code in (200, 403, 404), listed.text
            return listed.status_code == 200

        await eventually(bo_reads_threads, what="content lets the new member in")

        async with client.stream("GET", "/api/v1/stream", headers=ada.auth) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")

            async def post() -> httpx.Response:
                return await client.post(
                    f"/api/v1/communities/{community_id}/threads",
                    headers=bo.auth,
                    json={
                        "title": "Reviewing async code",
                        "body": f"Hi @{ada.handle}, could you look at my *event loop*?",
                        "tags": ["asyncio"],
                    },
                )

            posted = await post()
            assert posted.status_code == 201, posted.text
            thread = posted.json()
            assert thread["author"]["id"] == bo.id
            assert "<em>event loop</em>" in thread["body_html"]

            # The owner hears of every new thread too; the mention is its own notification.
            notifications = Notifications(stream)
            heard = [await notifications.next()]
            while heard[-1]["kind"] != "member_mentioned" and len(heard) < 3:
                heard.append(await notifications.next())
        assert {n["kind"] for n in heard} <= {"thread_created", "member_mentioned"}, heard
        notification = heard[-1]
        assert notification["kind"] == "member_mentioned", heard
        assert notification["community_id"] == community_id
        assert thread["id"] in notification["link"]

        mail = await platform.smtp.wait_for(to(ada.email, "mention"), timeout=45)
        assert "Bo" in text_of(mail) or "Bo" in str(mail["Subject"])

        listed = await client.get("/api/v1/notifications", headers=ada.auth)
        assert listed.status_code == 200, listed.text
        assert notification["id"] in [n["id"] for n in listed.json()["items"]]
        me = await client.get("/api/v1/me", headers=ada.auth)
        assert me.status_code == 200, me.text
        assert me.json()["unread_notifications"] >= 1
        mine = {c["community"]["id"]: c["standing"] for c in me.json()["communities"]}
        assert mine[community_id]["role"] == "owner"

        read = await client.get(f"/api/v1/threads/{thread['id']}", headers=ada.auth)
        assert read.status_code == 200, read.text
        assert read.json()["title"] == "Reviewing async code"

        # Ada schedules a gathering; Bo says he is going; his /me lists it as upcoming.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)

        async def schedule() -> bool:
            scheduled = await client.post(
                f"/api/v1/communities/{community_id}/events",
                headers=ada.auth,
                json={
                    "title": "Pair programming evening",
                    "description": "Bring a laptop and an **asyncio** problem.",
                    "format": "in_person",
                    "venue": {"name": "Sala Borsa", "address": "Piazza del Nettuno 3, Bologna"},
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                    "time_zone": "Europe/Rome",
                    "capacity": 12,
                    "visibility": "members",
                },
            )
            assert scheduled.status_code in (201, 403, 404), scheduled.text
            if scheduled.status_code == 201:
                gathering.update(scheduled.json())
            return scheduled.status_code == 201

        gathering: dict[str, Any] = {}
        await eventually(schedule, what="events lets the owner schedule")

        async def bo_goes() -> bool:
            rsvp = await client.put(
                f"/api/v1/events/{gathering['id']}/rsvp", headers=bo.auth, json={"answer": "going"}
            )
            assert rsvp.status_code in (200, 201, 403, 404), rsvp.text
            return rsvp.status_code in (200, 201)

        await eventually(bo_goes, what="events lets the new member RSVP")
        me_bo = (await client.get("/api/v1/me", headers=bo.auth)).json()
        assert not [w for w in me_bo.get("warnings", []) if w["part"] == "upcoming_events"]
        upcoming = me_bo["upcoming_events"]
        assert [e["id"] for e in upcoming] == [gathering["id"]]
        assert upcoming[0]["my_status"] == "going"
