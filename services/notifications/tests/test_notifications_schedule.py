"""Preferences, quiet hours, digest windows and the fan-out budget, on a fake clock."""

from datetime import UTC, datetime, time

import pytest

from cerchia_contracts.events import membership as m
from notifications.domain.categories import Category
from notifications.domain.planning import Recipient, plan, within_budget
from notifications.domain.preferences import (
    ChannelChoice,
    DigestFrequency,
    DigestSchedule,
    EmailMode,
    Preferences,
    QuietHours,
)
from notifications.domain.rules import rule_for
from notifications.domain.schedule import next_digest_at, quiet_until

pytestmark = pytest.mark.unit

NIGHT = QuietHours(start=time(22), end=time(7, 30))
ROME = "Europe/Rome"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_quiet_hours_span_midnight_in_the_persons_time_zone() -> None:
    # 23:30 in Rome (winter, UTC+1) is quiet until 07:30 Rome the next morning.
    assert quiet_until(at("2026-01-10T22:30:00+00:00"), ROME, NIGHT) == at(
        "2026-01-11T07:30:00+01:00"
    )
    # 03:00 in Rome: still quiet, until 07:30 the same day.
    assert quiet_until(at("2026-01-11T02:00:00+00:00"), ROME, NIGHT) == at(
        "2026-01-11T07:30:00+01:00"
    )
    assert quiet_until(at("2026-01-11T12:00:00+00:00"), ROME, NIGHT) is None
    # The same instant is daytime in New York.
    assert quiet_until(at("2026-01-10T22:30:00+00:00"), "America/New_York", NIGHT) is None
    assert quiet_until(at("2026-01-10T22:30:00+00:00"), ROME, None) is None


def test_quiet_hours_end_on_the_wall_clock_across_a_daylight_saving_change() -> None:
    # The night of 28-29 March 2026 Rome moves from UTC+1 to UTC+2.
    end = quiet_until(at("2026-03-28T23:00:00+00:00"), ROME, NIGHT)
    assert end == at("2026-03-29T07:30:00+02:00")


def test_daily_and_weekly_digest_slots_are_local_hours() -> None:
    daily = DigestSchedule(hour=8)
    assert next_digest_at(at("2026-01-10T06:00:00+00:00"), ROME, daily) == at(
        "2026-01-10T08:00:00+01:00"
    )
    assert next_digest_at(at("2026-01-10T07:00:00+00:00"), ROME, daily) == at(
        "2026-01-11T08:00:00+01:00"
    )
    weekly = DigestSchedule(frequency=DigestFrequency.WEEKLY, hour=18, weekday=4)  # Fridays
    assert next_digest_at(at("2026-01-10T12:00:00+00:00"), ROME, weekly) == at(
        "2026-01-16T18:00:00+01:00"
    )


def person(**preferences: object) -> Recipient:
    return Recipient(
        user_id="u",
        email="u@example.org",
        display_name="U",
        timezone=ROME,
        preferences=Preferences(**preferences),  # type: ignore[arg-type]
        has_push=True,
    )


APPLICATION = rule_for(m.ApplicationSubmittedV1.event_type())
RESET = rule_for(m.PasswordResetRequestedV2.event_type())
NIGHT_TIME = at("2026-01-10T23:00:00+00:00")


def test_quiet_hours_defer_email_and_push_but_not_the_feed() -> None:
    assert APPLICATION is not None
    result = plan(APPLICATION, person(quiet_hours=NIGHT), community_id="c", now=NIGHT_TIME)
    assert result.in_app
    assert result.email_at == result.push_at == at("2026-01-11T07:30:00+01:00")


def test_critical_messages_go_through_quiet_hours() -> None:
    assert RESET is not None
    result = plan(RESET, person(quiet_hours=NIGHT), community_id=None, now=NIGHT_TIME)
    assert result.email_at == NIGHT_TIME


def test_preferences_per_category_and_per_community() -> None:
    assert APPLICATION is not None
    quiet = ChannelChoice(in_app=True, email=EmailMode.DIGEST, push=False)
    muted = ChannelChoice(in_app=False, email=EmailMode.OFF, push=False)
    prefs = person(
        categories={Category.MEMBERSHIP: quiet}, communities={"loud": {Category.MEMBERSHIP: muted}}
    )
    here = plan(APPLICATION, prefs, community_id="c", now=NIGHT_TIME)
    assert (here.in_app, here.email_at, here.push_at, here.digest) == (True, None, None, True)
    there = plan(APPLICATION, prefs, community_id="loud", now=NIGHT_TIME)
    assert (there.in_app, there.email_at, there.push_at, there.digest) == (
        False,
        None,
        None,
        False,
    )


def test_security_messages_ignore_preferences() -> None:
    assert RESET is not None
    off = ChannelChoice(in_app=False, email=EmailMode.OFF, push=False)
    result = plan(
        RESET, person(categories={Category.ACCOUNT: off}), community_id=None, now=NIGHT_TIME
    )
    assert result.email_at == NIGHT_TIME


def test_one_click_unsubscribe_turns_a_category_off_everywhere_and_digest_off() -> None:
    prefs = Preferences(
        communities={"c": {Category.MEMBERSHIP: ChannelChoice()}},
    ).with_email_off(Category.MEMBERSHIP)
    assert prefs.choice(Category.MEMBERSHIP).email is EmailMode.OFF
    assert prefs.choice(Category.MEMBERSHIP, "c").email is EmailMode.OFF
    assert prefs.choice(Category.MEMBERSHIP).push  # only email is turned off
    no_digest = Preferences().with_digest_off()
    assert no_digest.choice(Category.DISCUSSIONS).email is EmailMode.OFF  # default was digest
    assert no_digest.choice(Category.EVENTS).email is EmailMode.INSTANT


def test_beyond_the_budget_email_falls_back_to_the_digest_and_push_to_the_feed() -> None:
    assert APPLICATION is not None
    daytime = at("2026-01-10T12:00:00+00:00")
    plans = [plan(APPLICATION, person(), community_id="c", now=daytime) for _ in range(3)]
    kept = within_budget(APPLICATION, plans, granted=3)
    assert [(p.email_at is not None, p.push_at is not None, p.digest) for p in kept] == [
        (True, True, False),
        (False, False, True),
        (False, False, True),
    ]
    assert all(p.in_app for p in kept)


def test_each_community_can_have_its_own_digest_and_its_own_unsubscribe() -> None:
    weekly = DigestSchedule(frequency=DigestFrequency.WEEKLY, hour=18, weekday=4)
    prefs = Preferences(community_digests={"book-club": weekly})
    assert prefs.digest_for("book-club") == weekly
    assert prefs.digest_for("other") == prefs.digest_for(None) == DigestSchedule()
    quiet = prefs.with_community_digest_off("book-club")
    assert quiet.choice(Category.DISCUSSIONS, "book-club").email is EmailMode.OFF
    assert quiet.choice(Category.DISCUSSIONS, "other").email is EmailMode.DIGEST
    assert quiet.choice(Category.EVENTS, "book-club").email is EmailMode.INSTANT


def test_someone_not_projected_yet_keeps_their_email_and_digest_plans() -> None:
    assert APPLICATION is not None
    ghost = Recipient(user_id="g", email=None, display_name="", known=False)
    gone = Recipient(user_id="x", email=None, display_name="")
    daytime = at("2026-01-10T12:00:00+00:00")
    assert plan(APPLICATION, ghost, community_id="c", now=daytime).email_at == daytime
    assert plan(APPLICATION, gone, community_id="c", now=daytime).email_at is None
