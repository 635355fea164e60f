"""Times in each reader's own zone: preferences, DST, events for recipients, the projection."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_contracts.events import gatherings as c
from cerchia_contracts.events import membership as m
from events.domain.errors import InvalidTimeZone
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.reminders import plan
from events.domain.zones import ZonePreference, local_times
from events.service import announcements, rsvp
from events.service.localization import localized
from events.service.projection import on_profile_updated
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# Rome moves to summer time on 29 March 2026, New York on 8 March, Sydney leaves it on 5 April.
BEFORE_ROME_DST = datetime(2026, 3, 17, 17, 30, tzinfo=UTC)  # 18:30 in Rome
AFTER_ROME_DST = datetime(2026, 4, 7, 16, 30, tzinfo=UTC)  # 18:30 in Rome


def gathering(starts_at: datetime, capacity: int | None = 1) -> Gathering:
    details = Details(
        title="Circle",
        description="",
        format="in_person",
        venue=Venue("Sala Borsa", "Piazza del Nettuno 3"),
        online_link=None,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        time_zone="Europe/Rome",
        capacity=capacity,
        rsvp_deadline=None,
        host_ids=("host",),
        visibility="members",
    )
    return Gathering.schedule(community_id="c", created_by="host", details=details, now=NOW)


def test_an_explicit_zone_wins_over_the_profile_and_must_exist() -> None:
    assert ZonePreference.choose(explicit="Asia/Tokyo", profile="Europe/Rome") == ZonePreference(
        "Asia/Tokyo", "query"
    )
    assert ZonePreference.choose(explicit=None, profile="Europe/Rome").source == "profile"
    assert ZonePreference.choose(explicit=None, profile=None) == ZonePreference()
    for bad in ("Mars/Olympus", "../../etc/passwd", "Europe/Rome\x00"):
        with pytest.raises(InvalidTimeZone):
            ZonePreference.choose(explicit=bad, profile=None)


@pytest.mark.parametrize(
    ("starts_at", "reader", "expected"),
    [
        # Between the two DST changes Rome and New York are 5 hours apart, else 6.
        (BEFORE_ROME_DST, "America/New_York", "2026-03-17T13:30:00-04:00"),
        (AFTER_ROME_DST, "America/New_York", "2026-04-07T12:30:00-04:00"),
        (AFTER_ROME_DST, "Australia/Sydney", "2026-04-08T02:30:00+10:00"),
        (BEFORE_ROME_DST, "Australia/Sydney", "2026-03-18T04:30:00+11:00"),
        (BEFORE_ROME_DST, None, "2026-03-17T18:30:00+01:00"),
        (AFTER_ROME_DST, None, "2026-04-07T18:30:00+02:00"),
    ],
)
def test_local_times_apply_each_zones_own_dst(
    starts_at: datetime, reader: str | None, expected: str
) -> None:
    times = local_times(
        starts_at,
        starts_at + timedelta(hours=2),
        own_zone="Europe/Rome",
        preference=ZonePreference.choose(explicit=None, profile=reader),
    )
    assert times.starts_at.isoformat() == expected
    assert times.source == ("profile" if reader else "gathering")
    assert times.ends_at - times.starts_at == timedelta(hours=2)


async def test_rsvp_events_carry_the_recipients_own_local_start() -> None:
    world = World()
    world.store.zones["ada"] = "America/New_York"
    g = gathering(BEFORE_ROME_DST)
    await world.gatherings.add([g], None)
    await rsvp.respond(g.id, "going", user_id="ada", now=NOW, ports=world.ports)
    await rsvp.respond(g.id, "going", user_id="bo", now=NOW, ports=world.ports)
    await rsvp.respond(g.id, "not_going", user_id="ada", now=NOW, ports=world.ports)

    (confirmed,) = world.published(c.RsvpConfirmedV1)
    assert confirmed.data.starts_at == BEFORE_ROME_DST
    assert confirmed.data.starts_at_local == "2026-03-17T18:30:00+01:00"
    assert confirmed.data.recipient_time is not None
    assert confirmed.data.recipient_time.starts_at_local == "2026-03-17T13:30:00-04:00"
    assert confirmed.data.recipient_time.time_zone == "America/New_York"
    (waitlisted,) = world.published(c.RsvpWaitlistedV1)
    (promoted,) = world.published(c.WaitlistPromotedV1)
    for unknown in (waitlisted.data, promoted.data):
        assert unknown.recipient_time is not None
        assert unknown.recipient_time.source == "gathering"
        assert unknown.recipient_time.starts_at_local == unknown.starts_at_local
    (withdrawn,) = world.published(c.RsvpCancelledV1)
    assert withdrawn.data.recipient_time is not None
    assert withdrawn.data.recipient_time.source == "profile"


def test_reminders_group_recipients_by_zone_and_keep_unknown_ones_in_the_gatherings() -> None:
    g = gathering(AFTER_ROME_DST, capacity=None)
    (job,) = plan(g, (timedelta(hours=24),), now=NOW)
    event = announcements.reminder_due(g, job, attendee_ids=["ada", "bo", "cy", "di"], now=NOW)
    zones = {"ada": "America/New_York", "cy": "America/New_York", "di": "Asia/Kolkata"}
    data = localized(event, zones).data
    assert isinstance(data, c.ReminderDue)
    groups = {t.time_zone: (t.user_ids, t.starts_at_local) for t in data.recipient_times}
    assert groups == {
        "America/New_York": (("ada", "cy"), "2026-04-07T12:30:00-04:00"),
        "Europe/Rome": (("bo",), "2026-04-07T18:30:00+02:00"),
        "Asia/Kolkata": (("di",), "2026-04-07T22:00:00+05:30"),
    }
    assert localized(event, zones).id == event.id  # still fires once: same event id
    scheduled = announcements.scheduled(g, actor_id="host")
    assert localized(scheduled, zones) == scheduled  # no recipients: unchanged


def profile(user_id: str, timezone: str) -> m.ProfileUpdatedV1:
    data = m.ProfileUpdated(
        user_id=user_id,
        email=f"{user_id}@example.org",
        display_name=user_id,
        locale="en",
        timezone=timezone,
    )
    return m.ProfileUpdatedV1.new(subject=user_id, data=data)


async def test_profile_updates_feed_the_zone_projection_once() -> None:
    world = World()
    update = profile("ada", "America/New_York")
    assert await on_profile_updated(update, ports=world.ports)
    assert not await on_profile_updated(update, ports=world.ports)
    assert world.store.zones == {"ada": "America/New_York"}
    # A zone this service cannot resolve is dropped: times fall back to the gathering's zone.
    assert await on_profile_updated(profile("ada", "Nowhere/City"), ports=world.ports)
    assert world.store.zones == {}
