"""Unit tests of the reminder scheduler step with in-memory ports and a fake clock."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cerchia_contracts.events.gatherings import ReminderDueV1
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.reminders import plan
from events.domain.rsvps import Rsvp
from events.service.reminding import SchedulerPolicy, fire_due
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_gathering(starts_in: timedelta) -> Gathering:
    start = NOW + starts_in
    details = Details(
        title="Circle",
        description="",
        format="in_person",
        venue=Venue("Sala", "Via 1"),
        online_link=None,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Europe/Rome",
        capacity=None,
        rsvp_deadline=None,
        host_ids=("h",),
        visibility="members",
    )
    return Gathering.schedule(community_id="c", created_by="h", details=details, now=NOW)


def policy(owner: str, catch_up: timedelta = timedelta(hours=1)) -> SchedulerPolicy:
    return SchedulerPolicy(
        owner=owner, lease=timedelta(seconds=30), catch_up=catch_up, batch_size=10
    )


async def world_of(*gatherings: Gathering, offset: timedelta = timedelta(hours=1)) -> World:
    """A world with these gatherings, their reminders planned, and two attendees each."""
    world = World()
    for g in gatherings:
        await world.gatherings.add([g], None)
        await world.reminders.replace_for(g.id, plan(g, (offset,), now=NOW), None)
        for user_id in ("ada", "bo"):
            world.store.rsvps[g.id, user_id] = Rsvp(g.id, user_id, "going", NOW)
    return world


async def step(
    world: World, *, now: datetime, owner: str, catch_up: timedelta = timedelta(hours=1)
) -> int:
    return await fire_due(now=now, policy=policy(owner, catch_up), ports=world.ports)


async def test_a_due_reminder_fires_once_whichever_instance_claims_it() -> None:
    gathering = a_gathering(timedelta(hours=2))
    world = await world_of(gathering)
    due = NOW + timedelta(hours=1)
    assert await step(world, now=due - timedelta(seconds=1), owner="a") == 0
    assert await step(world, now=due, owner="a") == 1
    assert await step(world, now=due, owner="b") == 0
    (event,) = world.store.events
    assert isinstance(event, ReminderDueV1)
    assert event.data.attendee_ids == ("ada", "bo")
    assert event.data.offset_seconds == 3600
    assert world.sent.commits == 1


async def test_an_instance_whose_lease_was_taken_over_does_not_fire_again() -> None:
    gathering = a_gathering(timedelta(hours=2))
    world = await world_of(gathering)
    (job,) = world.planned(gathering.id)
    due = job.due_at
    await world.reminders.claim_due(now=due, lease=timedelta(seconds=30), owner="slow", limit=10)
    # "slow" stalls past its lease; "fast" takes the job over and fires it.
    assert await step(world, now=due + timedelta(minutes=1), owner="fast") == 1
    assert not await world.reminders.complete(job.id, owner="slow", outcome="sent", session=None)
    assert len(world.store.events) == 1


async def test_catch_up_window_and_events_already_started() -> None:
    soon = a_gathering(timedelta(hours=2))
    started = a_gathering(timedelta(minutes=90))
    world = await world_of(soon, started)
    # Back after downtime: soon's reminder is 50 min late (within 1 h); started has begun.
    back = NOW + timedelta(minutes=110)
    assert await step(world, now=back, owner="a") == 2
    assert [e.subject for e in world.store.events] == [soon.id]
    assert world.states() == {soon.id: "sent", started.id: "started"}

    late = a_gathering(timedelta(hours=5))
    world = await world_of(late, offset=timedelta(hours=4))
    await step(world, now=NOW + timedelta(hours=3), owner="a", catch_up=timedelta(minutes=30))
    assert world.store.events == []
    assert set(world.states().values()) == {"too_late"}


async def test_a_rescheduled_gathering_supersedes_its_old_jobs() -> None:
    gathering = a_gathering(timedelta(hours=2))
    world = await world_of(gathering)
    later = gathering.starts_at + timedelta(days=1)
    moved = replace(
        gathering,
        details=replace(gathering.details, starts_at=later, ends_at=later + timedelta(hours=1)),
    )
    await world.gatherings.save(moved, None)
    await step(world, now=NOW + timedelta(hours=1), owner="a")
    assert world.store.events == []
    assert set(world.states().values()) == {"superseded"}
    new_jobs = plan(moved, (timedelta(hours=1),), now=NOW)
    assert [j.due_at for j in new_jobs] == [later - timedelta(hours=1)]
