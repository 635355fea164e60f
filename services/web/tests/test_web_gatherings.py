"""The event form's rules: wall-clock times in a zone, repetitions in words, what a change
touches, a series listed once (no servers)."""

from datetime import datetime

import pytest

from web.domain.gatherings import (
    Invalid,
    changes,
    door_open,
    draft_from,
    draft_of,
    hosts_change,
    rule_change,
    series_grouped,
)

pytestmark = pytest.mark.unit

FORM = {
    "title": " Reading circle ",
    "description": "Chapters 1-3",
    "format": "hybrid",
    "venue_name": "Sala Borsa",
    "venue_address": "Piazza del Nettuno 3, Bologna",
    "online_link": "https://meet.example.org/circle",
    "day": "2027-03-04",
    "starts": "18:30",
    "ends": "20:00",
    "time_zone": "Europe/Rome",
    "capacity": "12",
    "visibility": "public",
    "repeat": "monthly",
    "occurrences": "6",
    "csrf_token": "not a field",
}


def test_a_form_becomes_aware_instants_in_its_zone_and_a_monthly_rule_on_the_same_weekday() -> None:
    body = draft_of(FORM, zone="UTC").request(new=True)
    assert body["title"] == "Reading circle"
    assert body["starts_at"] == "2027-03-04T18:30:00+01:00"
    assert body["ends_at"] == "2027-03-04T20:00:00+01:00"
    assert body["venue"] == {"name": "Sala Borsa", "address": "Piazza del Nettuno 3, Bologna"}
    assert body["capacity"] == 12
    # 4 March 2027 is the first Thursday of the month.
    assert body["recurrence"] == {"rule": "FREQ=MONTHLY;BYDAY=1TH;COUNT=6"}
    assert "csrf_token" not in body


def test_a_summer_date_takes_the_summer_offset_and_an_end_past_midnight_is_the_next_day() -> None:
    form = FORM | {"day": "2027-07-29", "starts": "22:00", "ends": "01:30", "repeat": ""}
    body = draft_of(form, zone="UTC").request(new=True)
    assert body["starts_at"] == "2027-07-29T22:00:00+02:00"
    assert body["ends_at"] == "2027-07-30T01:30:00+02:00"
    assert "recurrence" not in body


def test_a_fifth_weekday_repeats_on_the_last_one_and_online_events_have_no_venue() -> None:
    form = FORM | {"day": "2027-03-29", "format": "online", "repeat": "monthly"}
    body = draft_of(form, zone="UTC").request(new=True)
    assert body["recurrence"]["rule"] == "FREQ=MONTHLY;BYDAY=-1MO;COUNT=6"
    assert body["venue"] is None
    fortnightly = draft_of(FORM | {"repeat": "fortnightly", "occurrences": "3"}, zone="UTC")
    assert fortnightly.request(new=True)["recurrence"]["rule"] == "FREQ=WEEKLY;INTERVAL=2;COUNT=3"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"format": "carrier pigeon"}, "format"),
        ({"day": "4/3/2027"}, "day"),
        ({"starts": "25:00"}, "starts"),
        ({"ends": "18:30"}, "ends"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"venue_address": ""}, "venue"),
        ({"online_link": "meet.example.org"}, "online_link"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"repeat": "yearly"}, "repeat"),
        ({"occurrences": "1"}, "occurrences"),
        ({"occurrences": "500"}, "occurrences"),
    ],
)
def test_a_form_that_cannot_make_an_event_says_which_field(
    change: dict[str, str], field: str
) -> None:
    with pytest.raises(Invalid, match=f"^{field}:"):
        draft_of(FORM | change, zone="UTC").request(new=True)


EVENT = {
    "id": "e1",
    "title": "Reading circle",
    "description": "Chapters 1-3",
    "format": "hybrid",
    "venue": {"name": "Sala Borsa", "address": "Piazza del Nettuno 3, Bologna", "latitude": None},
    "online_link": "https://meet.example.org/circle",
    "starts_at": "2027-03-04T17:30:00Z",
    "ends_at": "2027-03-04T19:00:00Z",
    "time_zone": "Europe/Rome",
    "capacity": 12,
    "visibility": "public",
}


def test_an_event_fills_its_form_on_its_own_clock_and_unchanged_fields_are_not_sent() -> None:
    draft = draft_from(EVENT)
    assert (draft["day"], draft["starts"], draft["ends"]) == ("2027-03-04", "18:30", "20:00")
    assert changes(EVENT, draft.request(new=False)) == {}
    moved = draft_of({**draft.values, "starts": "19:00", "capacity": ""}, zone="UTC")
    assert changes(EVENT, moved.request(new=False)) == {
        "starts_at": "2027-03-04T19:00:00+01:00",
        "capacity": None,
    }


def test_a_series_rule_is_counted_from_the_event_s_own_date_on_its_own_clock() -> None:
    # 00:30 in Rome is still the previous day in UTC: the weekday is Rome's.
    event = {"starts_at": "2027-03-04T23:30:00+00:00", "time_zone": "Europe/Rome"}
    fortnightly = draft_of({"repeat": "fortnightly", "occurrences": "5"}, zone="UTC")
    assert rule_change(event, fortnightly) == "FREQ=WEEKLY;INTERVAL=2;COUNT=5"
    monthly = draft_of({"repeat": "monthly", "occurrences": "3"}, zone="UTC")
    assert rule_change(event, monthly) == "FREQ=MONTHLY;BYDAY=1FR;COUNT=3"
    with pytest.raises(Invalid, match="repeat"):
        rule_change(event, draft_of({"repeat": "", "occurrences": "3"}, zone="UTC"))
    with pytest.raises(Invalid, match="occurrences"):
        rule_change(event, draft_of({"repeat": "weekly", "occurrences": "1"}, zone="UTC"))


def test_hosts_change_only_when_the_chosen_set_differs_and_never_to_nobody() -> None:
    event = {"host_ids": ["ada", "bo"]}
    assert hosts_change(event, ["bo", "ada", "ada"]) is None
    assert hosts_change(event, ["ada", "chiara", ""]) == ["ada", "chiara"]
    with pytest.raises(Invalid, match="at least one host"):
        hosts_change(event, [])
    with pytest.raises(Invalid, match="at most"):
        hosts_change(event, [f"u{n}" for n in range(11)])


def test_a_series_is_listed_once_with_its_later_dates_in_order() -> None:
    items = [
        {"id": "a1", "series_id": "s", "starts_at": "2027-03-04T17:30:00Z"},
        {"id": "b", "series_id": None, "starts_at": "2027-03-05T17:30:00Z"},
        {"id": "a2", "series_id": "s", "starts_at": "2027-04-01T16:30:00Z"},
        {"id": "a3", "series_id": "s", "starts_at": "2027-05-06T16:30:00Z"},
    ]
    listed = series_grouped(items)
    assert [(g.event["id"], [o["id"] for o in g.later]) for g in listed] == [
        ("a1", ["a2", "a3"]),
        ("b", []),
    ]


def test_the_door_opens_an_hour_before_and_closes_two_hours_after_the_end() -> None:
    event = {"starts_at": "2027-03-04T17:30:00Z", "ends_at": "2027-03-04T19:00:00Z"}
    at = datetime.fromisoformat
    assert not door_open(event, at("2027-03-04T16:29:00+00:00"))
    assert door_open(event, at("2027-03-04T16:30:00+00:00"))
    assert door_open(event, at("2027-03-04T21:00:00+00:00"))
    assert not door_open(event, at("2027-03-04T21:01:00+00:00"))
    assert not door_open(event | {"status": "cancelled"}, at("2027-03-04T18:00:00+00:00"))
