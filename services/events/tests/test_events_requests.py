"""What routes leave to the domain and the use cases: required fields and conversions, the scope a
new rule needs, paging and cursors, and the status each refusal is answered with."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cerchia_chassis.domain.cursors import InvalidCursor, encode_cursor
from cerchia_chassis.service_app import STATUSES, status_of
from events.domain import errors
from events.domain.drafts import changes, drafted
from events.domain.gatherings import Venue
from events.domain.recurrence import Recurrence
from events.domain.rsvps import Rsvp
from events.service import queries, scheduling, series_changes
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 10, 19, 30, 15, 123, tzinfo=timezone(timedelta(hours=1)))


def sent(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Circle",
        "description": "",
        "format": "in_person",
        "venue": {"name": "Sala Borsa", "address": "Piazza del Nettuno 3"},
        "online_link": None,
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "time_zone": "Europe/Rome",
        "capacity": None,
        "rsvp_deadline": None,
        "host_ids": None,
        "visibility": "members",
    }
    fields.update(overrides)
    return fields


def test_drafts_take_utc_seconds_a_venue_and_the_author_as_host() -> None:
    details = drafted(sent(), author_id="ada")
    assert details.starts_at == datetime(2026, 3, 10, 18, 30, 15, tzinfo=UTC)
    assert details.venue == Venue("Sala Borsa", "Piazza del Nettuno 3")
    assert details.host_ids == ("ada",)
    assert drafted(sent(host_ids=["bo", "cy"]), author_id="ada").host_ids == ("bo", "cy")


def test_an_update_may_clear_optional_fields_but_not_required_ones() -> None:
    assert changes({"capacity": None, "venue": None}) == {"capacity": None, "venue": None}
    assert changes({"host_ids": ["bo"], "ends_at": START}) == {
        "host_ids": ("bo",),
        "ends_at": datetime(2026, 3, 10, 18, 30, 15, tzinfo=UTC),
    }
    with pytest.raises(errors.InvalidGathering, match="title, starts_at") as refused:
        changes({"title": None, "starts_at": None, "capacity": None})
    assert refused.value.code == "validation-error"


async def test_a_new_rule_needs_the_following_scope() -> None:
    world = World()
    (single,) = await scheduling.schedule(
        "c",
        drafted(sent(), author_id="host"),
        recurrence=None,
        actor_id="host",
        now=NOW,
        ports=world.ports,
    )
    before = world.store.snapshot()
    with pytest.raises(errors.InvalidRecurrence, match="scope=following"):
        await series_changes.update_event(
            single.id,
            {"title": "New"},
            recurrence=Recurrence("FREQ=WEEKLY;COUNT=2"),
            scope="occurrence",
            actor_id="host",
            now=NOW,
            ports=world.ports,
        )
    assert world.store.snapshot() == before
    done = await series_changes.update_event(
        single.id,
        {"title": "New"},
        recurrence=None,
        scope="occurrence",
        actor_id="host",
        now=NOW,
        ports=world.ports,
    )
    assert done is None
    assert world.store.gatherings[single.id].details.title == "New"


async def test_lists_page_after_the_last_item_and_refuse_tampered_cursors() -> None:
    world = World()
    for day in range(3):
        start = START + timedelta(days=day)
        await scheduling.schedule(
            "c",
            drafted(sent(starts_at=start, ends_at=start + timedelta(hours=1)), author_id="host"),
            recurrence=None,
            actor_id="host",
            now=NOW,
            ports=world.ports,
        )
    options: dict[str, Any] = {"include_past": False, "tz": None, "now": NOW, "ports": world.ports}
    first = await queries.in_community("c", "ada", cursor=None, limit=2, **options)
    assert len(first.items) == 2
    assert first.next_cursor is not None
    rest = await queries.in_community("c", "ada", cursor=first.next_cursor, limit=2, **options)
    assert [v.gathering.starts_at.day for v in (*first.items, *rest.items)] == [10, 11, 12]
    assert rest.next_cursor is None
    wrong_types = encode_cursor((1, 2))
    for cursor in ("óµ“—Ã¥", "gA", "e30", "bm90IGpzb24", "\x00\x12", wrong_types):
        with pytest.raises(InvalidCursor):
            await queries.in_community("c", "ada", cursor=cursor, limit=2, **options)


async def test_attendees_page_by_user_id() -> None:
    world = World(members=("cy", "di"))
    (g,) = await scheduling.schedule(
        "c",
        drafted(sent(), author_id="host"),
        recurrence=None,
        actor_id="host",
        now=NOW,
        ports=world.ports,
    )
    for user_id in ("di", "ada", "cy", "bo"):
        world.store.rsvps[g.id, user_id] = Rsvp(g.id, user_id, "going", NOW)
    first = await queries.attendees(g.id, "ada", cursor=None, limit=3, ports=world.ports)
    assert [r.user_id for r in first.page.items] == ["ada", "bo", "cy"]
    assert (first.host, first.checked_in) == (False, None)
    rest = await queries.attendees(
        g.id, "host", cursor=first.page.next_cursor, limit=3, ports=world.ports
    )
    assert [r.user_id for r in rest.page.items] == ["di"]
    assert (rest.host, rest.checked_in, rest.page.next_cursor) == (True, 0, None)
    for cursor in ("é", "/w", encode_cursor((1,))):
        with pytest.raises(InvalidCursor):
            await queries.attendees(g.id, "ada", cursor=cursor, limit=3, ports=world.ports)


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (errors.InvalidGathering("x"), 422),
        (errors.NotRecurring("x"), 422),
        (errors.InvalidRecurrence("x"), 422),
        (errors.InvalidTimeZone("x"), 422),
        (errors.RsvpClosed("x"), 409),
        (errors.GatheringCancelledError("x"), 409),
        (errors.CheckInRefused("x"), 409),
        (errors.RecapRefused("x"), 409),
        (errors.NotFound("x"), 404),
        (errors.Forbidden("x", code="not-a-host"), 403),
        (errors.Unauthenticated("x"), 401),
    ],
)
def test_each_refusal_has_the_status_of_its_kind(refusal: errors.DomainError, status: int) -> None:
    assert status_of(refusal, STATUSES) == status
