"""Use cases on recurring series with in-memory ports: rule changes and "this and following"."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cerchia_contracts.events import gatherings as c
from events.domain.errors import Forbidden, InvalidGathering, InvalidRecurrence, NotRecurring
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.recurrence import Recurrence
from events.domain.rsvps import Rsvp
from events.service import scheduling, series_changes
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

ROME = ZoneInfo("Europe/Rome")
# Tuesday 3 March 2026, 18:30 in Rome (UTC+1); Rome moves to UTC+2 on 29 March.
FIRST = datetime(2026, 3, 3, 18, 30, tzinfo=ROME).astimezone(UTC)
SCHEDULED_AT = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the 3 and 10 March occurrences are past


def details(**overrides: object) -> Details:
    values: dict[str, object] = {
        "title": "Reading circle",
        "description": "",
        "format": "in_person",
        "venue": Venue("Sala Borsa", "Piazza del Nettuno 3"),
        "online_link": None,
        "starts_at": FIRST,
        "ends_at": FIRST + timedelta(hours=2),
        "time_zone": "Europe/Rome",
        "capacity": 10,
        "rsvp_deadline": None,
        "host_ids": ("host",),
        "visibility": "members",
    }
    values.update(overrides)
    return Details(**values)  # type: ignore[arg-type]


async def weekly(world: World, rule: str = "FREQ=WEEKLY;BYDAY=TU;COUNT=6") -> list[Gathering]:
    return await scheduling.schedule(
        "c",
        details(),
        recurrence=Recurrence(rule),
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )


def rome(g: Gathering) -> str:
    return g.starts_at.astimezone(ROME).strftime("%a %d %b %H:%M")


def going(world: World, gathering: Gathering, user_id: str) -> None:
    world.store.rsvps[gathering.id, user_id] = Rsvp(gathering.id, user_id, "going", SCHEDULED_AT)


async def test_tuesdays_become_thursdays_the_past_stays_and_attendees_are_told() -> None:
    world = World()
    world.store.zones["ada"] = "America/New_York"
    series = await weekly(world)
    going(world, series[2], "ada")  # Tue 17 March
    # An individual change: its slot disappears with the new rule, so it is cancelled too.
    moved_start = series[3].starts_at + timedelta(minutes=30)
    await scheduling.update(
        series[3].id,
        {"starts_at": moved_start, "ends_at": moved_start + timedelta(hours=2)},
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    world.store.events.clear()

    done = await series_changes.change_rule(
        series[0].id,
        Recurrence("FREQ=WEEKLY;BYDAY=TH;COUNT=6"),
        keep_exceptions=True,
        reason=None,
        actor_id="host",
        now=LATER,
        ports=world.ports,
    )

    assert [rome(g) for g in done.cancelled] == [
        "Tue 17 Mar 18:30",
        "Tue 24 Mar 19:00",
        "Tue 31 Mar 18:30",
        "Tue 07 Apr 18:30",
    ]
    # Thursdays at 18:30 in Rome from the series' first start; 5 March is past, so not created.
    assert [rome(g) for g in done.created] == [
        "Thu 12 Mar 18:30",
        "Thu 19 Mar 18:30",
        "Thu 26 Mar 18:30",
        "Thu 02 Apr 18:30",
        "Thu 09 Apr 18:30",
    ]
    assert [g.starts_at.hour for g in done.created] == [17, 17, 17, 16, 16]  # DST on 29 March
    assert {g.series_id for g in done.created} == {series[0].series_id}
    assert done.changed == []
    stored = world.store.gatherings
    assert not stored[series[0].id].cancelled
    assert not stored[series[1].id].cancelled  # past: stays as it was
    assert stored[series[1].id].sequence == 0
    assert world.store.series[done.series_id].rule == "FREQ=WEEKLY;BYDAY=TH;COUNT=6"
    assert world.planned(series[2].id) == []
    assert world.planned(done.created[0].id) == []  # less than a day ahead
    assert all(world.planned(g.id) for g in done.created[1:])

    (told,) = [
        e for e in world.published(c.GatheringCancelledV1) if e.data.gathering_id == series[2].id
    ]
    assert told.data.critical is True
    assert told.data.attendee_ids == ("ada",)
    assert told.data.reason == series_changes.RULE_CHANGED
    (times,) = told.data.recipient_times
    # 18:30 in Rome (still UTC+1) is 13:30 in New York (already on summer time since 8 March).
    assert (times.user_ids, times.time_zone, times.source) == (
        ("ada",),
        "America/New_York",
        "profile",
    )
    assert times.starts_at_local == "2026-03-17T13:30:00-04:00"
    assert len(world.published(c.GatheringScheduledV1)) == 5


async def test_a_longer_or_shorter_rule_keeps_overrides_and_never_revives_a_cancellation() -> None:
    world = World()
    series = await weekly(world, "FREQ=WEEKLY;COUNT=4")
    later = series[2].starts_at + timedelta(hours=1)
    await scheduling.update(
        series[2].id,
        {"starts_at": later, "ends_at": later + timedelta(hours=2), "title": "Special"},
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    await scheduling.cancel(
        series[1].id,
        reason="Holiday",
        scope="occurrence",
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )

    longer = await series_changes.change_rule(
        series[0].id,
        Recurrence("FREQ=WEEKLY;COUNT=6"),
        keep_exceptions=True,
        reason=None,
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    assert [rome(g) for g in longer.created] == ["Tue 31 Mar 18:30", "Tue 07 Apr 18:30"]
    assert longer.cancelled == []
    kept = world.store.gatherings[series[2].id]
    assert (rome(kept), kept.details.title) == ("Tue 17 Mar 19:30", "Special")
    assert world.store.gatherings[series[1].id].cancelled

    shorter = await series_changes.change_rule(
        series[0].id,
        Recurrence("FREQ=WEEKLY;UNTIL=20260318T000000Z"),
        keep_exceptions=True,
        reason="Summer break",
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    assert [rome(g) for g in shorter.cancelled] == [
        "Tue 24 Mar 18:30",
        "Tue 31 Mar 18:30",
        "Tue 07 Apr 18:30",
    ]
    assert shorter.created == []
    assert {g.cancel_reason for g in shorter.cancelled} == {"Summer break"}
    assert not world.store.gatherings[series[2].id].cancelled


async def test_this_and_following_moves_the_time_splits_the_series_and_bumps_sequences() -> None:
    world = World()
    world.store.zones["ada"] = "Asia/Tokyo"
    series = await weekly(world)
    going(world, series[4], "ada")  # Tue 31 March, after the DST change
    await scheduling.cancel(
        series[5].id,
        reason=None,
        scope="occurrence",
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    world.store.events.clear()
    new_start = series[2].starts_at + timedelta(minutes=30)

    done = await series_changes.update_following(
        series[2].id,
        {
            "starts_at": new_start,
            "ends_at": new_start + timedelta(hours=2),
            "venue": Venue("Caffè Zamboni", "Via Zamboni 6"),
        },
        recurrence=None,
        actor_id="host",
        now=LATER,
        ports=world.ports,
    )

    # Same wall-clock time in Rome for each, so the UTC time moves with DST.
    assert [rome(g) for g in done.changed] == [
        "Tue 17 Mar 19:00",
        "Tue 24 Mar 19:00",
        "Tue 31 Mar 19:00",
    ]
    assert [g.starts_at.hour for g in done.changed] == [18, 18, 17]
    assert {g.sequence for g in done.changed} == {1}
    assert {g.details.venue.name for g in done.changed if g.details.venue} == {"Caffè Zamboni"}
    assert (done.created, done.cancelled) == ([], [])
    items = world.store.gatherings
    assert items[series[5].id].cancelled  # cancelled stays cancelled
    assert rome(items[series[1].id]) == "Tue 10 Mar 18:30"
    # The split: the earlier part ends before the 17th; the rest is a new series from it.
    assert done.series_id != series[0].series_id
    assert [g.occurrence_index for g in done.changed] == [0, 1, 2]
    assert {g.series_id for g in done.changed} == {done.series_id}
    assert done.rule == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    old = world.store.series[series[0].series_id or ""]
    assert old.rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260317T172959Z"
    assert items[series[0].id].recurrence == old.rule
    assert items[series[0].id].series_id == series[0].series_id

    told = [e for e in world.published(c.GatheringChangedV1) if e.subject == series[4].id]
    assert told[0].data.critical
    assert told[0].data.attendee_ids == ("ada",)
    (tokyo,) = told[0].data.recipient_times
    assert tokyo.starts_at_local == "2026-04-01T02:00:00+09:00"
    assert tokyo.previous_starts_at_local == "2026-04-01T01:30:00+09:00"


async def test_a_new_weekday_needs_a_matching_rule_and_re_plans_the_rest() -> None:
    world = World()
    series = await weekly(world)
    thursday = series[2].starts_at + timedelta(days=2)
    move = {"starts_at": thursday, "ends_at": thursday + timedelta(hours=2)}
    before = world.store.snapshot()
    with pytest.raises(InvalidRecurrence, match="first occurrence"):
        await series_changes.update_following(
            series[2].id, move, recurrence=None, actor_id="host", now=LATER, ports=world.ports
        )
    assert world.store.snapshot() == before
    going(world, series[5], "bo")
    done = await series_changes.update_following(
        series[2].id,
        move,
        recurrence=Recurrence("FREQ=WEEKLY;BYDAY=TH;COUNT=3"),
        actor_id="host",
        now=LATER,
        ports=world.ports,
    )
    # Each Tuesday moves to its Thursday while the new rule lasts; the rest is cancelled.
    assert [rome(g) for g in done.changed] == [
        "Thu 19 Mar 18:30",
        "Thu 26 Mar 18:30",
        "Thu 02 Apr 18:30",
    ]
    assert [rome(g) for g in done.cancelled] == ["Tue 07 Apr 18:30"]
    (cancelled,) = world.published(c.GatheringCancelledV1)
    assert cancelled.data.attendee_ids == ("bo",)
    # bo's zone is unknown: the times are given in the gathering's own zone.
    (times,) = cancelled.data.recipient_times
    assert (times.time_zone, times.source) == ("Europe/Rome", "gathering")


async def test_this_and_following_without_a_new_time_keeps_the_series() -> None:
    world = World()
    series = await weekly(world)
    done = await series_changes.update_following(
        series[3].id,
        {"title": "Reading circle (new season)", "capacity": 20},
        recurrence=None,
        actor_id="host",
        now=LATER,
        ports=world.ports,
    )
    assert [g.id for g in done.changed] == [g.id for g in series[3:]]
    assert done.series_id == series[0].series_id
    items = world.store.gatherings
    assert items[series[2].id].details.title == "Reading circle"
    assert {items[g.id].details.capacity for g in series[3:]} == {20}
    assert {items[g.id].sequence for g in series[3:]} == {1}
    assert not any(e.data.critical for e in world.published(c.GatheringChangedV1))


async def test_bad_series_requests_are_refused() -> None:
    world = World()
    series = await weekly(world)
    (single,) = await scheduling.schedule(
        "c",
        details(),
        recurrence=None,
        actor_id="host",
        now=SCHEDULED_AT,
        ports=world.ports,
    )
    before = world.store.snapshot()
    with pytest.raises(NotRecurring):
        await series_changes.update_following(
            single.id,
            {"title": "x"},
            recurrence=None,
            actor_id="host",
            now=LATER,
            ports=world.ports,
        )
    with pytest.raises(NotRecurring):
        await series_changes.change_rule(
            single.id,
            Recurrence("FREQ=WEEKLY;COUNT=2"),
            keep_exceptions=True,
            reason=None,
            actor_id="host",
            now=LATER,
            ports=world.ports,
        )
    with pytest.raises(InvalidGathering, match="started"):  # the past is not rewritten
        await series_changes.update_following(
            series[0].id,
            {"title": "x"},
            recurrence=None,
            actor_id="host",
            now=LATER,
            ports=world.ports,
        )
    with pytest.raises(InvalidRecurrence):
        await series_changes.change_rule(
            series[0].id,
            Recurrence("FREQ=WEEKLY"),
            keep_exceptions=True,
            reason=None,
            actor_id="host",
            now=LATER,
            ports=world.ports,
        )
    with pytest.raises(Forbidden):
        await series_changes.change_rule(
            series[0].id,
            Recurrence("FREQ=WEEKLY;COUNT=2"),
            keep_exceptions=True,
            reason=None,
            actor_id="ada",
            now=LATER,
            ports=world.ports,
        )
    assert all(not g.cancelled for g in world.store.gatherings.values())
    assert replace(series[0], sequence=0) == world.store.gatherings[series[0].id]
    assert world.store.snapshot() == before  # every refusal wrote nothing
