"""On the real servers: times in the reader's zone, series rule changes, "this and following"."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from cerchia_contracts.catalog import EVENTS_GATHERINGS, MEMBERSHIP_USERS
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")


def rome_spring_change(after: datetime) -> date:
    """The last Sunday of March of next year: when Europe/Rome moves to summer time."""
    day = date(after.year + 1, 3, 31)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day


def profile_updated(user_id: str, timezone: str) -> m.ProfileUpdatedV1:
    data = m.ProfileUpdated(
        user_id=user_id,
        email=f"{user_id}@example.org",
        display_name="Ada",
        locale="en",
        timezone=timezone,
    )
    return m.ProfileUpdatedV1.new(subject=user_id, data=data)


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(f"/{code}"), response.text


def rome(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ROME).strftime("%a %d %b %H:%M")


async def test_times_in_the_readers_zone_series_rule_changes_and_this_and_following(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    announce: Callable[..., Awaitable[None]],
    poll: Callable[..., Awaitable[None]],
    topic_events: Callable[..., Awaitable[list[Any]]],
) -> None:
    events = await service_process("events", database=f"events_{uuid.uuid4().hex[:8]}")
    community = await seed(events.url, members=3)
    host, ada, bo = community.members
    h = auth_keys.headers
    await announce(profile_updated(ada, "America/New_York"), topic=MEMBERSHIP_USERS.name)
    change = rome_spring_change(datetime.now(UTC))
    # Tuesdays 18:30 in Rome: two before Rome's DST change, two after.
    first = datetime.combine(change - timedelta(days=12), datetime.min.time(), ROME)
    first = first.replace(hour=18, minute=30).astimezone(UTC)

    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        created = await client.post(
            f"/api/v1/communities/{community.id}/events",
            json=body(
                starts_at=first.isoformat(),
                ends_at=(first + timedelta(hours=2)).isoformat(),
                recurrence={"rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4"},
            ),
            headers=h(host),
        )
        assert created.status_code == 201, created.text
        ids = [o["id"] for o in created.json()["occurrences"]]

        # Ada's profile zone reaches the projection: her reads are in New York time.
        async def ada_in_new_york() -> bool:
            r = await client.get(f"/api/v1/events/{ids[1]}", headers=h(ada))
            return bool(r.json()["viewer_time"]["source"] == "profile")

        await poll(ada_in_new_york, what="ada's time zone")
        before, after = [
            (await client.get(f"/api/v1/events/{i}", headers=h(ada))).json() for i in ids[1:3]
        ]
        # New York is already on summer time; Rome changes in between: 5 hours, then 6.
        assert before["viewer_time"]["starts_at"][11:] == "13:30:00-04:00"
        assert after["viewer_time"]["starts_at"][11:] == "12:30:00-04:00"
        assert after["starts_at_local"][11:] == "18:30:00+02:00"
        tokyo = await client.get(f"/api/v1/events/{ids[1]}", params={"tz": "Asia/Tokyo"})
        assert tokyo.json()["viewer_time"]["time_zone"] == "Asia/Tokyo"
        assert tokyo.json()["viewer_time"]["source"] == "query"
        assert tokyo.json()["viewer_time"]["starts_at"][11:] == "02:30:00+09:00"
        listed = await client.get(
            f"/api/v1/communities/{community.id}/events",
            params={"tz": "America/Los_Angeles"},
            headers=h(bo),
        )
        assert {i["viewer_time"]["time_zone"] for i in listed.json()["items"]} == {
            "America/Los_Angeles"
        }
        problem(
            await client.get(f"/api/v1/events/{ids[1]}", params={"tz": "Mars/Base"}),
            422,
            "invalid-time-zone",
        )

        for i in ids[1:3]:
            rsvp = await client.put(
                f"/api/v1/events/{i}/rsvp", json={"answer": "going"}, headers=h(ada)
            )
            assert rsvp.json()["status"] == "going"
        mine = (await client.get("/api/v1/me/events", headers=h(ada))).json()["items"]
        assert [i["viewer_time"]["starts_at"][11:] for i in mine] == [
            "13:30:00-04:00",
            "12:30:00-04:00",
        ]

        # This and following from the third: 19:00 at another venue; the series splits there.
        moved = datetime.fromisoformat(created.json()["occurrences"][2]["starts_at"])
        moved += timedelta(minutes=30)
        following = await client.patch(
            f"/api/v1/events/{ids[2]}",
            params={"scope": "following"},
            json={
                "starts_at": moved.isoformat(),
                "ends_at": (moved + timedelta(hours=2)).isoformat(),
                "venue": {"name": "Caffè Zamboni", "address": "Via Zamboni 6, Bologna"},
            },
            headers=h(host),
        )
        assert following.status_code == 200, following.text
        split = following.json()["series_change"]
        assert [o["id"] for o in split["changed"]] == ids[2:]
        assert {rome(o["starts_at"])[-5:] for o in split["changed"]} == {"19:00"}
        assert {o["sequence"] for o in split["changed"]} == {1}
        assert split["series_id"] != created.json()["series_id"]
        assert following.json()["sequence"] == 1
        ics = Calendar.from_ical(
            (await client.get(f"/api/v1/events/{ids[3]}/calendar.ics", headers=h(ada))).content
        )
        (vevent,) = ics.walk("VEVENT")
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent["DTSTART"].params["TZID"] == "Europe/Rome"
        assert vevent.decoded("DTSTART").strftime("%H:%M") == "19:00"
        assert "Caffè Zamboni" in str(vevent["LOCATION"])
        untouched = (await client.get(f"/api/v1/events/{ids[1]}", headers=h(host))).json()
        assert (untouched["sequence"], untouched["venue"]["name"]) == (0, "Sala Borsa")

        # The first part's rule changes to Thursdays: its Tuesdays go, Thursdays come.
        thursdays = await client.put(
            f"/api/v1/events/{ids[0]}/recurrence",
            json={"rule": "FREQ=WEEKLY;BYDAY=TH;COUNT=2", "reason": "The room moved to Thursday"},
            headers=h(host),
        )
        assert thursdays.status_code == 200, thursdays.text
        plan = thursdays.json()
        assert [o["id"] for o in plan["cancelled"]] == ids[:2]
        assert [rome(o["starts_at"])[:3] for o in plan["created"]] == ["Thu", "Thu"]
        assert plan["series_id"] == created.json()["series_id"]
        cancelled = (await client.get(f"/api/v1/events/{ids[1]}", headers=h(ada))).json()
        assert cancelled["status"] == "cancelled"
        still = (await client.get(f"/api/v1/events/{ids[2]}", headers=h(ada))).json()
        assert still["status"] == "scheduled"

        # Bad input: problem+json, never a 500; nothing changes.
        (single,) = [
            (
                await client.post(
                    f"/api/v1/communities/{community.id}/events", json=body(), headers=h(host)
                )
            ).json()["id"]
        ]
        bad = [
            (client.put, f"/api/v1/events/{ids[2]}/recurrence", {"rule": "FREQ=WEEKLY"}, {}),
            (client.put, f"/api/v1/events/{ids[2]}/recurrence", {"rule": "RRULE:nonsense"}, {}),
            (client.put, f"/api/v1/events/{single}/recurrence", {"rule": "FREQ=DAILY;COUNT=2"}, {}),
            (client.patch, f"/api/v1/events/{single}", {"title": "x"}, {"scope": "following"}),
            (
                client.patch,
                f"/api/v1/events/{ids[2]}",
                {"recurrence": {"rule": "FREQ=DAILY;COUNT=2"}},
                {},
            ),
            (
                client.patch,
                f"/api/v1/events/{ids[2]}",
                {
                    "starts_at": (moved + timedelta(days=2)).isoformat(),
                    "ends_at": (moved + timedelta(days=2, hours=2)).isoformat(),
                },
                {"scope": "following"},
            ),
        ]
        codes = [
            "invalid-recurrence",
            "invalid-recurrence",
            "not-recurring",
            "not-recurring",
            "invalid-recurrence",
            "invalid-recurrence",
        ]
        for (call, url, payload, params), code in zip(bad, codes, strict=True):
            problem(await call(url, json=payload, params=params, headers=h(host)), 422, code)
        problem(
            await client.patch(
                f"/api/v1/events/{ids[2]}",
                params={"scope": "everything"},
                json={"title": "x"},
                headers=h(host),
            ),
            422,
            "validation-error",
        )
        problem(
            await client.put(
                f"/api/v1/events/{ids[2]}/recurrence",
                json={"rule": "FREQ=WEEKLY;COUNT=2"},
                headers=h(ada),
            ),
            403,
            "not-a-host",
        )
        assert (await client.get(f"/api/v1/events/{ids[3]}", headers=h(host))).json()[
            "sequence"
        ] == 1

    def complete(seen: list[Any]) -> bool:
        return any(isinstance(e, g.GatheringCancelledV1) and e.subject == ids[1] for e in seen)

    published = await topic_events(EVENTS_GATHERINGS, complete, subject=set(ids))
    confirmed = [e for e in published if isinstance(e, g.RsvpConfirmedV1)]
    assert {e.data.recipient_time.time_zone for e in confirmed} == {"America/New_York"}
    moved_event = next(
        e for e in published if isinstance(e, g.GatheringChangedV1) and e.subject == ids[2]
    )
    assert moved_event.data.critical
    (ny,) = moved_event.data.recipient_times
    assert (ny.user_ids, ny.time_zone) == ((ada,), "America/New_York")
    assert ny.starts_at_local[11:] == "13:00:00-04:00"
    assert ny.previous_starts_at_local is not None
    assert ny.previous_starts_at_local[11:] == "12:30:00-04:00"
    gone = next(
        e for e in published if isinstance(e, g.GatheringCancelledV1) and e.subject == ids[1]
    )
    assert gone.data.critical
    assert gone.data.attendee_ids == (ada,)
    assert gone.data.reason == "The room moved to Thursday"
    assert gone.data.recipient_times[0].starts_at_local[11:] == "13:30:00-04:00"
