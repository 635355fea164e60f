"""Unit tests of the gathering rules: capacity, waitlist, deadline, recurrence, reminders, text."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cerchia_chassis.domain.community import CommunityState
from cerchia_chassis.domain.markup import render_markdown
from events.domain.access import Viewer, audience, may_manage, sees_online_link
from events.domain.errors import InvalidGathering, InvalidRecurrence, RsvpClosed
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.recurrence import MAX_OCCURRENCES, expand
from events.domain.reminders import job_id, plan, verdict
from events.domain.rsvps import decide, ensure_open, promotable

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def details(**overrides: object) -> Details:
    start = NOW + timedelta(days=10)
    values: dict[str, object] = {
        "title": "Circle",
        "description": "",
        "format": "in_person",
        "venue": Venue("Sala Borsa", "Piazza del Nettuno 3"),
        "online_link": None,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "Europe/Rome",
        "capacity": 2,
        "rsvp_deadline": None,
        "host_ids": ("host",),
        "visibility": "members",
    }
    values.update(overrides)
    return Details(**values)  # type: ignore[arg-type]


def gathering(**overrides: object) -> Gathering:
    return Gathering.schedule(
        community_id="c", created_by="host", details=details(**overrides), now=NOW
    )


def test_seats_go_first_then_the_waitlist_and_repeats_keep_their_place() -> None:
    g = gathering()
    assert decide("going", previous=None, gathering=g).status == "going"
    full = replace(g, going_count=2)
    waiting = decide("going", previous=None, gathering=full)
    assert (waiting.status, waiting.takes_ticket, waiting.waitlist_delta) == ("waitlisted", True, 1)
    assert decide("going", previous="waitlisted", gathering=full).unchanged
    assert decide("going", previous="going", gathering=full).unchanged
    unlimited = gathering(capacity=None)
    assert decide("going", previous=None, gathering=replace(unlimited, going_count=500)).status == (
        "going"
    )


def test_withdrawing_frees_a_seat_and_promotion_fills_it_until_the_start() -> None:
    g = replace(gathering(), going_count=2, waitlist_count=3)
    outcome = decide("not_going", previous="going", gathering=g)
    assert outcome.frees_seat
    assert outcome.going_delta == -1
    freed = replace(g, going_count=1)
    assert promotable(freed, now=NOW) == 1
    assert promotable(replace(freed, details=replace(freed.details, capacity=5)), now=NOW) == 3
    assert promotable(freed, now=g.starts_at) == 0  # started: no more promotions
    assert promotable(freed.cancel(reason=None, now=NOW), now=NOW) == 0
    left_line = decide("interested", previous="waitlisted", gathering=g)
    assert (left_line.going_delta, left_line.waitlist_delta) == (0, -1)


def test_rsvp_closes_at_the_deadline_but_withdrawing_stays_possible_until_the_start() -> None:
    g = gathering(rsvp_deadline=NOW + timedelta(days=5))
    ensure_open(g, "going", now=NOW)
    after_deadline = NOW + timedelta(days=6)
    with pytest.raises(RsvpClosed, match="deadline"):
        ensure_open(g, "going", now=after_deadline)
    ensure_open(g, "not_going", now=after_deadline)
    with pytest.raises(RsvpClosed, match="started"):
        ensure_open(g, "not_going", now=g.starts_at)
    with pytest.raises(RsvpClosed, match="cancelled"):
        ensure_open(g.cancel(reason=None, now=NOW), "going", now=NOW)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": NOW + timedelta(days=9)}, "end must come after"),
        ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW}, "future"),
        ({"time_zone": "Europe/Atlantis"}, "time zone"),
        ({"rsvp_deadline": NOW + timedelta(days=11)}, "deadline"),
        ({"capacity": 0}, "capacity"),
        ({"format": "online", "venue": None}, "online link"),
        ({"format": "hybrid", "online_link": None}, "online link"),
        ({"format": "in_person", "venue": None}, "venue"),
        ({"host_ids": ()}, "hosts"),
        ({"host_ids": ("a", "a")}, "once"),
        ({"ends_at": NOW + timedelta(days=18)}, "7 days"),
    ],
)
def test_invalid_details_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidGathering, match=message):
        gathering(**overrides)


def test_changes_to_time_place_or_link_are_critical_and_bump_the_sequence() -> None:
    g = gathering()
    retitled, change = g.change(replace(g.details, title="New"), now=NOW)
    assert (change.fields, change.critical, retitled.sequence) == (("title",), False, 1)
    later = g.starts_at + timedelta(hours=1)
    moved, change = g.change(
        replace(g.details, starts_at=later, ends_at=later + timedelta(hours=1)), now=NOW
    )
    assert change.fields == ("time",)
    assert change.critical
    assert change.previous_starts_at == g.starts_at
    _, same = g.change(g.details, now=NOW)
    assert same.fields == ()
    _, relocated = g.change(replace(g.details, venue=Venue("Elsewhere", "Via Roma 1")), now=NOW)
    assert relocated.critical
    assert moved.sequence == 1


def test_weekly_recurrence_keeps_the_local_time_across_the_dst_change() -> None:
    # 2026-03-29: Europe/Rome moves from UTC+1 to UTC+2.
    first = datetime(2026, 3, 17, 17, 30, tzinfo=UTC)  # 18:30 in Rome
    occurrences = expand(
        "FREQ=WEEKLY;COUNT=4",
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        time_zone="Europe/Rome",
        exceptions=(date(2026, 3, 24),),
    )
    assert [o.starts_at.strftime("%m-%d %H:%M") for o in occurrences] == [
        "03-17 17:30",
        "03-31 16:30",
        "04-07 16:30",
    ]
    assert [o.index for o in occurrences] == [0, 1, 2]
    assert all(o.ends_at - o.starts_at == timedelta(hours=2) for o in occurrences)


def test_monthly_rule_with_a_utc_until_and_the_bounds() -> None:
    first = datetime(2026, 3, 3, 17, 30, tzinfo=UTC)  # first Tuesday of March
    monthly = expand(
        "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260601T000000Z",
        starts_at=first,
        ends_at=first + timedelta(hours=1),
        time_zone="Europe/Rome",
    )
    assert [o.starts_at.date().isoformat() for o in monthly] == [
        "2026-03-03",
        "2026-04-07",
        "2026-05-05",
    ]
    for rule in (
        "FREQ=WEEKLY",
        "FREQ=HOURLY;COUNT=2",
        "FREQ=WEEKLY;COUNT=x",
        "DTSTART:1;FREQ=DAILY",
    ):
        with pytest.raises(InvalidRecurrence):
            expand(rule, starts_at=first, ends_at=first + timedelta(hours=1), time_zone="UTC")
    with pytest.raises(InvalidRecurrence, match="at most"):
        expand(
            f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}",
            starts_at=first,
            ends_at=first + timedelta(hours=1),
            time_zone="UTC",
        )


def test_reminders_are_planned_only_for_moments_still_ahead() -> None:
    g = gathering()
    offsets = (timedelta(hours=24), timedelta(hours=1))
    jobs = plan(g, offsets, now=NOW)
    assert [j.due_at for j in jobs] == [
        g.starts_at - timedelta(hours=24),
        g.starts_at - timedelta(hours=1),
    ]
    late = plan(g, offsets, now=g.starts_at - timedelta(hours=2))
    assert [j.offset for j in late] == [timedelta(hours=1)]
    assert plan(g.cancel(reason=None, now=NOW), offsets, now=NOW) == []
    assert jobs[0].id == job_id(g.id, timedelta(hours=24), g.starts_at)


def test_a_claimed_reminder_fires_within_the_catch_up_window_and_never_after_the_start() -> None:
    g = gathering()
    (job,) = plan(g, (timedelta(hours=1),), now=NOW)
    window = timedelta(minutes=30)
    assert verdict(job, g, now=job.due_at, catch_up=window) == "fire"
    assert verdict(job, g, now=job.due_at + timedelta(minutes=20), catch_up=window) == "fire"
    assert verdict(job, g, now=job.due_at + timedelta(minutes=40), catch_up=window) == "too_late"
    assert verdict(job, g, now=g.starts_at, catch_up=timedelta(days=1)) == "started"
    moved = replace(g, details=replace(g.details, starts_at=g.starts_at + timedelta(days=1)))
    assert verdict(job, moved, now=job.due_at, catch_up=window) == "superseded"
    assert verdict(job, g.cancel(reason=None, now=NOW), now=job.due_at, catch_up=window) == (
        "cancelled"
    )
    assert verdict(job, None, now=job.due_at, catch_up=window) == "cancelled"


def test_who_sees_what() -> None:
    g = gathering(visibility="public")
    public = CommunityState("c", "C", "public")
    private = CommunityState("c", "C", "private")
    anonymous, outsider = Viewer(None, None), Viewer("x", None)
    member, moderator, host = (
        Viewer("m", "member"),
        Viewer("mod", "moderator"),
        Viewer("host", "member"),
    )
    assert audience(public, g, anonymous) == "public"
    assert audience(private, g, outsider) is None
    assert (
        audience(public, replace(g, details=replace(g.details, visibility="members")), outsider)
        is None
    )
    assert audience(private, g, member) == "member"
    assert not may_manage(g, member)
    assert may_manage(g, moderator)
    assert may_manage(g, host)
    assert not sees_online_link(g, member, going=False)
    assert sees_online_link(g, member, going=True)
    assert not sees_online_link(g, outsider, going=True)


def test_markdown_is_rendered_and_sanitized() -> None:
    html = render_markdown(
        "**hi** [x](javascript:alert(1)) [ok](https://example.org) <script>bad()</script>"
    )
    assert "<strong>hi</strong>" in html
    assert "<script>" not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    # No remote image is embedded (a tracking pixel would tell a third party who reads it).
    shown = render_markdown("![pixel](https://tracker.example/p.gif)")
    assert "<img" not in shown
    assert 'href="https://tracker.example/p.gif"' in shown
