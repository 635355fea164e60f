"""Check-in (by code and by host), recaps after the event, and user erasure, on the real process."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cerchia_contracts.catalog import EVENTS_GATHERINGS, MEMBERSHIP_USERS
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events.membership import UserErased, UserErasedV1
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration


async def test_check_in_then_recap_after_the_end(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    topic_events: Callable[..., Awaitable[list[Any]]],
    poll: Callable[..., Awaitable[None]],
    announce: Callable[..., Awaitable[None]],
) -> None:
    events = await service_process("events", database=f"events_{uuid.uuid4().hex[:8]}")
    community = await seed(events.url, members=4)
    host, ada, bo, carl = community.members
    h = auth_keys.headers
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    end = start + timedelta(seconds=4)
    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        event_id = (
            await client.post(
                f"/api/v1/communities/{community.id}/events",
                json=body(capacity=2, starts_at=start.isoformat(), ends_at=end.isoformat()),
                headers=h(host),
            )
        ).json()["id"]
        for user in (ada, bo, carl):
            await client.put(
                f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}, headers=h(user)
            )

        code = await client.get(f"/api/v1/events/{event_id}/check-in/code", headers=h(host))
        assert code.status_code == 200
        assert code.json()["qr_svg"].lstrip().startswith(("<?xml", "<svg"))
        wrong = await client.post(
            f"/api/v1/events/{event_id}/check-in", json={"code": "WRONG1"}, headers=h(ada)
        )
        assert wrong.status_code == 409
        assert wrong.json()["type"].endswith("/check-in-refused")
        by_code = await client.post(
            f"/api/v1/events/{event_id}/check-in",
            json={"code": code.json()["code"].lower()},
            headers=h(ada),
        )
        assert by_code.status_code == 200, by_code.text
        assert by_code.json()["method"] == "code"
        twice = await client.post(
            f"/api/v1/events/{event_id}/check-in",
            json={"code": code.json()["code"]},
            headers=h(ada),
        )
        assert twice.status_code == 409
        by_host = await client.post(
            f"/api/v1/events/{event_id}/attendees/{bo}/check-in", headers=h(host)
        )
        assert by_host.json()["method"] == "host"
        waitlisted = await client.post(
            f"/api/v1/events/{event_id}/attendees/{carl}/check-in", headers=h(host)
        )
        assert waitlisted.status_code == 409
        attendance = (
            await client.get(f"/api/v1/events/{event_id}/attendees", headers=h(host))
        ).json()
        assert attendance["checked_in_count"] == 2
        as_member = await client.get(f"/api/v1/events/{event_id}/attendees", headers=h(carl))
        assert as_member.json()["checked_in_count"] is None
        assert {a["checked_in_at"] for a in as_member.json()["items"]} == {None}

        recap = {
            "notes": "Great *evening*! <img src=x onerror=alert(1)>",
            "links": [{"title": "Slides", "url": "https://example.org/slides.pdf"}],
        }
        early = await client.put(f"/api/v1/events/{event_id}/recap", json=recap, headers=h(host))
        assert early.status_code == 409
        assert early.json()["type"].endswith("/recap-refused")

        async def over() -> bool:
            r = await client.put(f"/api/v1/events/{event_id}/recap", json=recap, headers=h(host))
            return r.status_code == 200

        await poll(over, what="the end of the event")
        revised = await client.put(
            f"/api/v1/events/{event_id}/recap", json={**recap, "notes": "Edited"}, headers=h(host)
        )
        assert revised.json()["revision"] == 2
        not_host = await client.put(f"/api/v1/events/{event_id}/recap", json=recap, headers=h(ada))
        assert not_host.status_code == 403
        shown = (await client.get(f"/api/v1/events/{event_id}", headers=h(ada))).json()
        assert shown["recap"]["notes"] == "Edited"
        assert shown["recap"]["author_id"] == host

        # Erasing the host unlinks the recap from them; the notes stay with the gathering.
        await announce(
            UserErasedV1.new(subject=host, data=UserErased(user_id=host)),
            topic=MEMBERSHIP_USERS.name,
        )

        async def unlinked() -> bool:
            r = await client.get(f"/api/v1/events/{event_id}", headers=h(ada))
            return bool(r.json()["recap"]["author_id"] != host)

        await poll(unlinked, what="the recap to lose its erased author")
        shown = (await client.get(f"/api/v1/events/{event_id}", headers=h(ada))).json()
        assert (shown["recap"]["author_id"], shown["recap"]["notes"]) == ("erased-user", "Edited")

    def complete(seen: list[Any]) -> bool:
        return sum(isinstance(e, g.RecapPublishedV1) for e in seen) >= 2

    published = await topic_events(EVENTS_GATHERINGS, complete, subject={event_id})
    checked = [e for e in published if isinstance(e, g.AttendeeCheckedInV1)]
    assert [(e.data.user_id, e.data.method) for e in checked] == [(ada, "code"), (bo, "host")]
    first, second = (e for e in published if isinstance(e, g.RecapPublishedV1))
    assert first.data.recap_id == second.data.recap_id
    assert (first.data.revision, second.data.revision) == (1, 2)
    assert first.data.attendee_count == 2
    assert first.data.actor_id == host
    assert "<em>evening</em>" in first.data.notes_html
    assert "<img" not in first.data.notes_html  # raw HTML is shown as text, never markup
    assert first.data.links == (g.RecapLink(title="Slides", url="https://example.org/slides.pdf"),)


async def test_an_erased_user_frees_their_seat_and_is_anonymized(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    announce: Callable[..., Awaitable[None]],
    body: Callable[..., dict[str, Any]],
    poll: Callable[..., Awaitable[None]],
) -> None:
    events = await service_process("events", database=f"events_{uuid.uuid4().hex[:8]}")
    community = await seed(events.url, members=3)
    host, ada, bo = community.members
    h = auth_keys.headers
    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        event_id = (
            await client.post(
                f"/api/v1/communities/{community.id}/events",
                json=body(capacity=1, host_ids=[host, ada]),
                headers=h(host),
            )
        ).json()["id"]
        for user in (ada, bo):
            await client.put(
                f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}, headers=h(user)
            )
        feed = (await client.post("/api/v1/calendars/me/feed", headers=h(ada))).json()

        await announce(
            UserErasedV1.new(subject=ada, data=UserErased(user_id=ada)),
            topic=MEMBERSHIP_USERS.name,
        )

        async def bo_promoted() -> bool:
            r = await client.get(f"/api/v1/events/{event_id}", headers=h(bo))
            return bool(r.json()["my_rsvp"]["status"] == "going")

        await poll(bo_promoted, what="the erased user's seat to go to the waitlist")
        event = (await client.get(f"/api/v1/events/{event_id}", headers=h(host))).json()
        assert ada not in event["host_ids"]
        assert event["going_count"] == 1
        assert (await client.get(feed["url"])).status_code == 404
        # The public event is still readable, but nothing links it to the erased person.
        gone = (await client.get(f"/api/v1/events/{event_id}", headers=h(ada))).json()
        assert gone["my_rsvp"] is None
        assert gone["can_manage"] is False
        assert gone["venue"]["address"] is None  # no longer a member
