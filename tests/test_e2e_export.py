"""A complete personal-data export through the gateway: every service contributes, membership
assembles one archive, notifications emails the link, and only its owner downloads it, until it
expires."""

import asyncio
import base64
import io
import json
import os
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pymongo import AsyncMongoClient

from tests.authz_world import community_body, ok
from tests.platform import Member, Platform, eventually, sign_up, text_of, to

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _push_subscription(endpoint: str) -> dict[str, Any]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    keys = {"p256dh": _b64(point), "auth": _b64(os.urandom(16))}
    return {"endpoint": endpoint, "expirationTime": None, "keys": keys}


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["type"].endswith("/" + code), response.text


class People:
    """Ada, whose data is exported, and Bo, who shares a community with her."""

    def __init__(self, client: httpx.AsyncClient, ada: Member, bo: Member) -> None:
        self.client, self.ada, self.bo = client, ada, bo

    async def call(
        self, who: Member, method: str, path: str, body: Any = None, *statuses: int
    ) -> dict[str, Any]:
        response = await self.client.request(method, path, json=body, headers=who.auth)
        return ok(response, *(statuses or (200, 201)))


async def _when_ok(call: Any, what: str) -> dict[str, Any]:
    """Retry a write until the service's projection lets it through."""
    found: dict[str, Any] = {}

    async def attempt() -> bool:
        response: httpx.Response = await call()
        if response.status_code in (200, 201):
            found.update(response.json() if response.content else {})
            return True
        assert response.status_code in (403, 404), response.text
        return False

    await eventually(attempt, what=what, timeout=120)
    return found


async def _one_of_each_kind(people: People, marker: str) -> dict[str, str]:
    """Ada leaves one item of every kind the export covers; their ids (and markers)."""
    client, ada, bo = people.client, people.ada, people.bo
    community = await people.call(
        ada, "POST", "/api/v1/communities", community_body(f"exp-{marker[:8]}", "public")
    )
    x = community["id"]
    await admit_as(people, x)
    ids: dict[str, str] = {"community_id": x}

    thread = await _when_ok(
        lambda: client.post(
            f"/api/v1/communities/{x}/threads",
            json={"title": f"Thread {marker}", "body": f"Body {marker}"},
            headers=ada.auth,
        ),
        "content lets the owner post",
    )
    ids["thread_id"] = thread["id"]
    bo_thread = await _when_ok(
        lambda: client.post(
            f"/api/v1/communities/{x}/threads",
            json={"title": "Bo asks", "body": "Anyone?"},
            headers=bo.auth,
        ),
        "content lets the member post",
    )
    reply = await people.call(
        ada, "POST", f"/api/v1/threads/{bo_thread['id']}/replies", {"body": f"Reply {marker}"}
    )
    ids["reply_id"] = reply["id"]
    await people.call(ada, "PUT", f"/api/v1/threads/{bo_thread['id']}/reactions/like")
    ids["reacted_thread_id"] = bo_thread["id"]
    resource = await people.call(
        ada,
        "POST",
        f"/api/v1/communities/{x}/resources",
        {"title": f"Resource {marker}", "kind": "article", "url": "https://example.org/r"},
    )
    ids["resource_id"] = resource["id"]
    course = await people.call(
        ada, "POST", f"/api/v1/communities/{x}/courses", {"title": "Course", "summary": "Learn."}
    )
    await people.call(
        ada,
        "POST",
        f"/api/v1/courses/{course['id']}/lessons",
        {"title": "Lesson", "body": "Read."},
    )
    await people.call(ada, "POST", f"/api/v1/courses/{course['id']}/publish")
    await people.call(ada, "PUT", f"/api/v1/courses/{course['id']}/enrolment")
    ids["course_id"] = course["id"]
    message = await people.call(
        ada,
        "POST",
        "/api/v1/conversations",
        {"recipient_id": bo.id, "body": f"Message {marker}"},
    )
    ids["conversation_id"] = message["conversation_id"]

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    gathering = await _when_ok(
        lambda: client.post(
            f"/api/v1/communities/{x}/events",
            json={
                "title": f"Gathering {marker}",
                "format": "online",
                "online_link": "https://meet.example.org/export",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "time_zone": "Europe/Rome",
                "visibility": "members",
            },
            headers=ada.auth,
        ),
        "events lets the owner schedule",
    )
    ids["gathering_id"] = gathering["id"]
    await people.call(ada, "PUT", f"/api/v1/events/{gathering['id']}/rsvp", {"answer": "going"})
    await people.call(ada, "POST", f"/api/v1/events/{gathering['id']}/attendees/{ada.id}/check-in")

    await _when_ok(
        lambda: client.put(
            "/api/v1/preferences",
            json={"quiet_hours": {"start": "22:00", "end": "07:00"}},
            headers=ada.auth,
        ),
        "notifications takes the preferences",
    )
    await people.call(
        ada,
        "POST",
        "/api/v1/push/subscriptions",
        _push_subscription(f"https://push.example.org/{marker}"),
        204,
    )
    webhook = await _when_ok(
        lambda: client.post(
            "/api/v1/webhooks",
            json={"community_id": x, "url": f"http://127.0.0.1:9/{marker}"},
            headers=ada.auth,
        ),
        "notifications lets the owner register a webhook",
    )
    ids["webhook_id"] = webhook["id"]
    # Bo's reply to Ada's thread reaches her feed.
    await people.call(bo, "POST", f"/api/v1/threads/{thread['id']}/replies", {"body": "Thanks!"})

    async def in_feed() -> bool:
        listed = ok(await client.get("/api/v1/notifications", headers=ada.auth))
        return bool(listed["items"])

    await eventually(in_feed, what="Ada has a notification in her feed", timeout=60)
    return ids


async def admit_as(people: People, community_id: str) -> None:
    """Bo applies to Ada's community and she approves."""
    application = await people.call(
        people.bo,
        "POST",
        f"/api/v1/communities/{community_id}/applications",
        {"answers": {}, "code_of_conduct_version": 1},
    )
    await people.call(
        people.ada,
        "POST",
        f"/api/v1/communities/{community_id}/applications/{application['id']}/approve",
        {"reason": "Welcome."},
    )


async def _finished(client: httpx.AsyncClient, who: Member, export_id: str) -> dict[str, Any]:
    state: dict[str, Any] = {}

    async def done() -> bool:
        state.update(ok(await client.get(f"/api/v1/me/exports/{export_id}", headers=who.auth)))
        return bool(state["status"] != "pending")

    await eventually(done, what="the export is finished", timeout=90)
    return state


async def test_a_complete_export_reaches_its_owner_only_until_it_expires(
    platform: Platform, mongo_uri: str
) -> None:
    marker = uuid.uuid4().hex
    async with platform.client() as client:
        ada, bo = await asyncio.gather(
            sign_up(client, platform.smtp, "Ada"), sign_up(client, platform.smtp, "Bo")
        )
        people = People(client, ada, bo)
        ids = await _one_of_each_kind(people, marker)

        started = await client.post("/api/v1/me/exports", headers=ada.auth)
        assert started.status_code == 202, started.text
        export = started.json()
        export_id = export["id"]
        assert started.headers["location"] == f"/api/v1/me/exports/{export_id}"
        assert export["status"] in ("pending", "complete")
        assert "membership" in export["contributed"]
        # Asking again while it is under way answers the same export.
        again = await client.post("/api/v1/me/exports", headers=ada.auth)
        if again.json()["status"] == "pending":
            assert again.json()["id"] == export_id

        # Bo can neither see nor download Ada's export, before or after it is finished.
        _refused(
            await client.get(f"/api/v1/me/exports/{export_id}", headers=bo.auth),
            404,
            "export-not-found",
        )
        finished = await _finished(client, ada, export_id)
        assert finished["status"] == "complete", finished
        assert finished["missing"] == []
        assert finished["contributed"] == ["membership", "content", "events", "notifications"]
        assert all(s["contributed"] for s in finished["services"])
        assert finished["expires_at"] is not None
        archive_url = finished["archive_url"]
        assert archive_url == f"/api/v1/me/exports/{export_id}/archive"
        _refused(await client.get(archive_url, headers=bo.auth), 404, "export-not-found")
        _refused(await client.get(archive_url), 401, "unauthenticated")

        # The email brings the link.
        mail = await platform.smtp.wait_for(to(ada.email, "ready to download"), timeout=60)
        assert f"/account/exports/{export_id}" in text_of(mail)
        if "web" in platform.processes:
            # The link opens on the web client, which asks a visitor to sign in first.
            async with httpx.AsyncClient(base_url=platform.web_url, timeout=30) as web:
                visitor = await web.get(f"/account/exports/{export_id}")
            assert visitor.status_code == 303, visitor.text
            assert "/login" in visitor.headers["location"]

        downloaded = await client.get(archive_url, headers=ada.auth)
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.headers["content-type"] == "application/zip"
        assert downloaded.headers["cache-control"] == "no-store"
        files = _unzip(downloaded.content, export_id)

    readme = files.pop("README.md")
    for service in ("membership", "content", "events", "notifications"):
        assert f"## {service}/" in readme
    assert json.loads(files.pop("export.json"))["status"] == "complete"

    def records(path: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(files[path])
        return found

    def ids_in(path: str, field: str = "id") -> set[str]:
        return {str(r.get(field)) for r in records(path)}

    assert records("membership/account.json")[0]["email"] == ada.email
    assert ids["community_id"] in ids_in("membership/memberships.json", "community_id")
    assert ids["thread_id"] in ids_in("content/threads.json")
    assert ids["reply_id"] in ids_in("content/replies.json")
    reaction = [
        r
        for r in records("content/thread_reactions.json")
        if r["post_id"] == ids["reacted_thread_id"]
    ]
    assert reaction, "the reaction is exported"
    assert reaction[0]["reactions"] == ["like"]
    assert ids["resource_id"] in ids_in("content/resources.json")
    assert ids["course_id"] in ids_in("content/course_progress.json", "course_id")
    assert ids["conversation_id"] in ids_in("content/conversations.json")
    assert f"Message {marker}" in {r["body"] for r in records("content/direct_messages.json")}
    assert ids["gathering_id"] in ids_in("events/rsvps.json", "gathering_id")
    assert ids["gathering_id"] in ids_in("events/check_ins.json", "gathering_id")
    assert ids["gathering_id"] in ids_in("events/hosted_gatherings.json")
    assert records("notifications/preferences.json")[0]["quiet_hours"]
    assert records("notifications/feed.json")
    assert records("notifications/deliveries.json")  # the verification email, at least
    assert f"https://push.example.org/{marker}" in ids_in(
        "notifications/push_subscriptions.json", "endpoint"
    )
    hooks = records("notifications/webhooks.json")
    assert ids["webhook_id"] in {h["id"] for h in hooks}
    assert all("secret" not in h for h in hooks)
    assert "auth" not in records("notifications/push_subscriptions.json")[0]

    # Once the download period is over, the archive is refused (410), then purged.
    database = AsyncMongoClient[dict[str, Any]](mongo_uri)[platform.databases["membership"]]
    try:
        await database["exports"].update_one(
            {"_id": export_id}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
        )
    finally:
        await database.client.close()
    async with platform.client() as client:
        _refused(await client.get(archive_url, headers=ada.auth), 410, "export-expired")


def _unzip(content: bytes, export_id: str) -> dict[str, str]:
    root = f"cerchia-export-{export_id}/"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert all(name.startswith(root) for name in names), names
        return {name.removeprefix(root): archive.read(name).decode() for name in names}


async def test_starting_an_export_needs_a_token(platform: Platform) -> None:
    async with platform.client() as client:
        _refused(await client.post("/api/v1/me/exports"), 401, "unauthenticated")
        member = await sign_up(client, platform.smtp, "Cleo")
        _refused(
            await client.get(f"/api/v1/me/exports/{uuid.uuid4()}", headers=member.auth),
            404,
            "export-not-found",
        )
