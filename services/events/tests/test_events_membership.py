"""Membership's facts in memory: the projection folded by time, and what a departure releases."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_contracts.events import gatherings as c
from cerchia_contracts.events import membership as m
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.rsvps import Rsvp
from events.service import rsvp
from events.service.access import viewer_in
from events.service.projection import on_community_event, on_user_erased
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def joined(user_id: str, at: datetime, community_id: str = "c") -> m.MemberJoinedV1:
    data = m.MemberJoined(
        community_id=community_id,
        actor_id=user_id,
        user_id=user_id,
        role="member",
        via="open",
        code_of_conduct_version=1,
    )
    return m.MemberJoinedV1.new(subject=community_id, data=data, time=at)


def left(user_id: str, at: datetime, community_id: str = "c") -> m.MemberLeftV1:
    data = m.MemberLeft(community_id=community_id, actor_id=user_id, user_id=user_id)
    return m.MemberLeftV1.new(subject=community_id, data=data, time=at)


def a_gathering(capacity: int = 1, starts_in: timedelta = timedelta(days=2)) -> Gathering:
    start = NOW + starts_in
    details = Details(
        title="Circle",
        description="",
        format="in_person",
        venue=Venue("Sala Borsa", "Piazza del Nettuno 3"),
        online_link=None,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="Europe/Rome",
        capacity=capacity,
        rsvp_deadline=None,
        host_ids=("host",),
        visibility="members",
    )
    scheduled_at = min(NOW, start - timedelta(days=1))
    return Gathering.schedule(
        community_id="c", created_by="host", details=details, now=scheduled_at
    )


async def test_a_member_joined_replayed_after_a_later_departure_leaves_the_person_out() -> None:
    world = World()
    # Never seen before: the departure comes first, then (from the DLQ) the older join.
    assert await on_community_event(left("cy", NOW), now=NOW, ports=world.ports)
    assert await on_community_event(
        joined("cy", NOW - timedelta(minutes=5)), now=NOW, ports=world.ports
    )
    assert not (await viewer_in("c", "cy", ports=world.ports)).member
    assert await world.ports.directory.roles("c", ["cy"]) == {}
    # A join newer than the departure does make them a member again.
    await on_community_event(joined("cy", NOW + timedelta(minutes=1)), now=NOW, ports=world.ports)
    assert (await viewer_in("c", "cy", ports=world.ports)).member


async def test_a_departure_releases_seats_in_gatherings_not_started_and_promotes_the_line() -> None:
    world = World()
    upcoming, started = a_gathering(), a_gathering(starts_in=-timedelta(minutes=10))
    await world.gatherings.add([upcoming, started], None)
    await world.rsvps.save(Rsvp(started.id, "ada", "going", NOW), None)
    for user_id in ("ada", "bo"):
        await rsvp.respond(upcoming.id, "going", user_id=user_id, now=NOW, ports=world.ports)
    since = len(world.store.events)

    assert await on_community_event(left("ada", NOW), now=NOW, ports=world.ports)

    assert world.store.rsvps[upcoming.id, "ada"].status == "not_going"
    assert world.store.rsvps[upcoming.id, "bo"].status == "going"
    assert world.store.rsvps[started.id, "ada"].status == "going"  # the past stays
    assert world.store.emitted(since=since) == [c.RsvpCancelledV1, c.WaitlistPromotedV1]
    assert world.store.gatherings[upcoming.id].going_count == 1


async def test_a_stale_departure_after_a_newer_join_releases_nothing() -> None:
    world = World()
    g = a_gathering()
    await world.gatherings.add([g], None)
    await on_community_event(joined("cy", NOW), now=NOW, ports=world.ports)
    await rsvp.respond(g.id, "going", user_id="cy", now=NOW, ports=world.ports)
    before = world.store.snapshot()

    assert await on_community_event(
        left("cy", NOW - timedelta(hours=1)), now=NOW, ports=world.ports
    )

    assert world.store.rsvps[g.id, "cy"].status == "going"
    assert (await viewer_in("c", "cy", ports=world.ports)).member
    assert world.store.events == before["events"]


async def test_an_event_is_applied_once() -> None:
    world = World()
    g = a_gathering(capacity=5)
    await world.gatherings.add([g], None)
    await rsvp.respond(g.id, "going", user_id="ada", now=NOW, ports=world.ports)
    departure = left("ada", NOW)
    assert await on_community_event(departure, now=NOW, ports=world.ports)
    await on_community_event(joined("ada", NOW + timedelta(minutes=1)), now=NOW, ports=world.ports)
    await rsvp.respond(g.id, "going", user_id="ada", now=NOW, ports=world.ports)
    assert not await on_community_event(departure, now=NOW, ports=world.ports)
    assert world.store.rsvps[g.id, "ada"].status == "going"


async def test_erasure_releases_seats_quietly_and_forgets_the_person() -> None:
    world = World()
    world.store.zones["ada"] = "Asia/Tokyo"
    g = a_gathering()
    await world.gatherings.add([g], None)
    for user_id in ("ada", "bo"):
        await rsvp.respond(g.id, "going", user_id=user_id, now=NOW, ports=world.ports)
    since = len(world.store.events)
    erased = m.UserErasedV1.new(subject="ada", data=m.UserErased(user_id="ada"))

    assert await on_user_erased(erased, now=NOW, ports=world.ports)

    # Withdrawn without a "cancelled" notice to a person who no longer exists; bo moves up.
    assert world.store.emitted(since=since) == [c.WaitlistPromotedV1]
    assert [u for _, u in world.store.rsvps if u == "ada"] == []
    assert ("c", "ada") not in world.store.memberships
    assert "ada" not in world.store.zones
