"""Recurring series across a DST change, iCalendar validity (parsed back), feeds, cancellations."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from cerchia_contracts.catalog import EVENTS_GATHERINGS
from cerchia_contracts.events import gatherings as g
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")


def next_spring_change(after: datetime) -> datetime:
    """The last Sunday of March after ``after``: when Europe/Rome moves to CEST."""
    year = after.year + 1
    day = datetime(year, 3, 31, tzinfo=UTC)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day


def vevents(payload: bytes) -> list[Any]:
    return list(Calendar.from_ical(payload).walk("VEVENT"))


async def test_weekly_series_across_dst_ics_feeds_and_cancellations(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    topic_events: Callable[..., Awaitable[list[Any]]],
) -> None:
    events = await service_process("events", database=f"events_{uuid.uuid4().hex[:8]}")
    community = await seed(events.url, members=2)
    host, ada = community.members
    h = auth_keys.headers
    change = next_spring_change(datetime.now(UTC))
    first_local = datetime.combine(
        (change - timedelta(days=12)).date(), datetime.min.time(), ROME
    ).replace(hour=18, minute=30)  # a Tuesday 18:30 in Rome, two weeks before the change
    skipped = (first_local + timedelta(days=7)).date()
    start = first_local.astimezone(UTC)

    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        created = await client.post(
            f"/api/v1/communities/{community.id}/events",
            json=body(
                starts_at=start.isoformat(),
                ends_at=(start + timedelta(hours=2)).isoformat(),
                recurrence={"rule": "FREQ=WEEKLY;COUNT=4", "exceptions": [skipped.isoformat()]},
            ),
            headers=h(host),
        )
        assert created.status_code == 201, created.text
        occurrences = created.json()["occurrences"]
        assert [o["occurrence_index"] for o in occurrences] == [0, 1, 2]
        # Same wall-clock time in Rome; the UTC time moves by one hour after the change.
        assert [o["starts_at_local"][11:] for o in occurrences] == [
            "18:30:00+01:00",
            "18:30:00+02:00",
            "18:30:00+02:00",
        ]
        assert [datetime.fromisoformat(o["starts_at"]).hour for o in occurrences] == [17, 16, 16]
        ids = [o["id"] for o in occurrences]

        going = await client.put(
            f"/api/v1/events/{ids[1]}/rsvp", json={"answer": "going"}, headers=h(ada)
        )
        assert going.json()["status"] == "going"

        # One event's .ics, for a confirmed attendee: TZID, VTIMEZONE, stable UID, the link.
        ics = await client.get(f"/api/v1/events/{ids[1]}/calendar.ics", headers=h(ada))
        assert ics.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(ics.content)
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["UID"]) == f"{ids[1]}@events.cerchia"
        dtstart = vevent.decoded("DTSTART")
        assert dtstart.tzinfo is not None
        assert vevent["DTSTART"].params["TZID"] == "Europe/Rome"
        assert (dtstart.hour, dtstart.minute) == (18, 30)
        assert dtstart.astimezone(UTC) == datetime.fromisoformat(occurrences[1]["starts_at"])
        assert int(vevent["SEQUENCE"]) == 0
        assert str(vevent["STATUS"]) == "CONFIRMED"
        assert str(vevent["URL"]) == "https://meet.example.org/reading"
        assert "Piazza del Nettuno" in str(vevent["LOCATION"])

        # Anonymous readers get the public part only.
        (public,) = vevents((await client.get(f"/api/v1/events/{ids[1]}/calendar.ics")).content)
        assert "URL" not in public
        assert str(public["LOCATION"]) == "Sala Borsa"

        # The personal feed: a secret URL that lists what I am going to.
        feed = (await client.post("/api/v1/calendars/me/feed", headers=h(ada))).json()
        listed = vevents((await client.get(feed["url"])).content)
        assert [str(v["UID"]) for v in listed] == [f"{ids[1]}@events.cerchia"]

        # Moving one occurrence bumps its SEQUENCE; cancelling marks it CANCELLED in the feed.
        moved_start = datetime.fromisoformat(occurrences[1]["starts_at"]) + timedelta(hours=1)
        moved = await client.patch(
            f"/api/v1/events/{ids[1]}",
            json={
                "starts_at": moved_start.isoformat(),
                "ends_at": (moved_start + timedelta(hours=2)).isoformat(),
            },
            headers=h(host),
        )
        assert moved.json()["sequence"] == 1
        cancelled = await client.post(
            f"/api/v1/events/{ids[1]}/cancel", json={"reason": "Flooded"}, headers=h(host)
        )
        assert cancelled.status_code == 200, cancelled.text
        (entry,) = vevents((await client.get(feed["url"])).content)
        assert str(entry["STATUS"]) == "CANCELLED"
        assert int(entry["SEQUENCE"]) == 2
        assert entry.decoded("DTSTART").astimezone(UTC) == moved_start
        again = await client.put(
            f"/api/v1/events/{ids[1]}/rsvp", json={"answer": "going"}, headers=h(ada)
        )
        assert again.status_code == 409
        assert again.json()["type"].endswith("/rsvp-closed")

        # Cancelling "this and following" from the first skips the one already cancelled.
        rest = await client.post(
            f"/api/v1/events/{ids[0]}/cancel", json={"scope": "following"}, headers=h(host)
        )
        assert [e["id"] for e in rest.json()] == [ids[0], ids[2]]
        community_feed = vevents(
            (await client.get(f"/api/v1/calendars/communities/{community.id}.ics")).content
        )
        assert {str(v["STATUS"]) for v in community_feed} == {"CANCELLED"}
        assert len(community_feed) == 3
        assert all("URL" not in v for v in community_feed)

        # Rotating the feed URL revokes the old one; deleting revokes it too.
        rotated = (await client.post("/api/v1/calendars/me/feed", headers=h(ada))).json()
        assert (await client.get(feed["url"])).status_code == 404
        assert (await client.get(rotated["url"])).status_code == 200
        assert (await client.delete("/api/v1/calendars/me/feed", headers=h(ada))).status_code == 204
        assert (await client.get(rotated["url"])).status_code == 404

    def complete(seen: list[Any]) -> bool:
        return sum(isinstance(e, g.GatheringCancelledV1) for e in seen) >= 3

    published = await topic_events(EVENTS_GATHERINGS, complete, subject=set(ids))
    scheduled = [e for e in published if isinstance(e, g.GatheringScheduledV1)]
    assert sorted(e.data.occurrence_index for e in scheduled) == [0, 1, 2]
    assert {e.data.recurrence for e in scheduled} == {"FREQ=WEEKLY;COUNT=4"}
    assert len({e.data.series_id for e in scheduled}) == 1
    changed = next(e for e in published if isinstance(e, g.GatheringChangedV1))
    assert changed.data.critical is True
    assert changed.data.changed == ("time",)
    assert changed.data.attendee_ids == (ada,)
    assert changed.data.previous_starts_at == datetime.fromisoformat(occurrences[1]["starts_at"])
    # Each gathering is its own key (partition order), so pick the occurrence by subject.
    first_cancel = next(
        e for e in published if isinstance(e, g.GatheringCancelledV1) and e.subject == ids[1]
    )
    assert first_cancel.data.attendee_ids == (ada,)
    assert first_cancel.data.reason == "Flooded"
    assert first_cancel.data.critical is True
