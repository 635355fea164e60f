"""Events as the forms ask for them: a day, wall-clock times and a zone, a repetition in words;
turned into the API's request (aware instants, an RFC 5545 rule), and back for editing."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from web.domain.times import parse_instant

FORMATS = ("in_person", "online", "hybrid")
VISIBILITIES = ("members", "public")
#: How an event repeats: none, or the rule's frequency and interval.
REPEATS: dict[str, str] = {
    "weekly": "FREQ=WEEKLY",
    "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
}
MAX_OCCURRENCES = 52
#: The fields of the event form, as posted.
FIELDS = (
    "title",
    "description",
    "format",
    "venue_name",
    "venue_address",
    "online_link",
    "day",
    "starts",
    "ends",
    "time_zone",
    "capacity",
    "visibility",
    "repeat",
    "occurrences",
)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Invalid(ValueError):
    """The form cannot make an event; the message says which field and why."""


@dataclass(frozen=True)
class Draft:
    """What the event form holds, as text (shown back as typed when refused)."""

    values: Mapping[str, str]

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    def request(self, *, new: bool) -> dict[str, Any]:
        """The API's body for scheduling (``new``) or the full set of fields for a change."""
        title = self["title"]
        if not title:
            raise Invalid("title: give the event a title")
        kind = self["format"]
        if kind not in FORMATS:
            raise Invalid("format: choose in person, online or hybrid")
        zone = _zone(self["time_zone"])
        starts_at, ends_at = self._instants(zone)
        body: dict[str, Any] = {
            "title": title,
            "description": self["description"],
            "format": kind,
            "venue": self._venue(kind),
            "online_link": self._link(kind),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "time_zone": zone.key,
            "capacity": _capacity(self["capacity"]),
            "visibility": self["visibility"] if self["visibility"] in VISIBILITIES else "members",
        }
        rule = self.rule(starts_at.astimezone(zone).date()) if new else None
        if rule:
            body["recurrence"] = {"rule": rule}
        return body

    def _instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        try:
            day = date.fromisoformat(self["day"])
        except ValueError:
            raise Invalid("day: give the date as YYYY-MM-DD") from None
        starts, ends = _clock(self["starts"], "starts"), _clock(self["ends"], "ends")
        if starts == ends:
            raise Invalid("ends: the end must be after the start")
        start = datetime.combine(day, starts, tzinfo=zone)
        # An end before the start on the clock is the next day (an evening running past midnight).
        end_day = day if ends > starts else day + timedelta(days=1)
        return start, datetime.combine(end_day, ends, tzinfo=zone)

    def _venue(self, kind: str) -> dict[str, str] | None:
        name, address = self["venue_name"], self["venue_address"]
        if kind == "online":
            return None
        if not name or not address:
            raise Invalid("venue: in person and hybrid events need a place and its address")
        return {"name": name, "address": address}

    def _link(self, kind: str) -> str | None:
        link = self["online_link"]
        if kind == "in_person":
            return None
        if not link.startswith(("https://", "http://")):
            raise Invalid("online_link: online and hybrid events need a link (https://…)")
        return link

    def rule(self, first: date) -> str | None:
        """The RRULE the form's repetition asks for, from the ``first`` date; None: no repeat."""
        return self._rule(first)

    def _rule(self, first: date) -> str | None:
        repeat = self["repeat"]
        if not repeat:
            return None
        if repeat not in REPEATS:
            raise Invalid("repeat: choose weekly, every two weeks or monthly")
        try:
            count = int(self["occurrences"])
        except ValueError:
            raise Invalid("occurrences: say how many times it takes place") from None
        if not 2 <= count <= MAX_OCCURRENCES:
            raise Invalid(f"occurrences: between 2 and {MAX_OCCURRENCES}")
        rule = REPEATS[repeat]
        if repeat == "monthly":
            rule += f";BYDAY={_nth_weekday(first)}"
        return f"{rule};COUNT={count}"


def draft_of(form: Mapping[str, Any], *, zone: str) -> Draft:
    """The posted form (only its known fields, stripped); the reader's zone by default."""
    values = {name: value.strip() for name in FIELDS if isinstance(value := form.get(name), str)}
    values.setdefault("time_zone", zone)
    return Draft(values)


def blank(*, zone: str) -> Draft:
    """A new event's form: in person, members only, in the reader's zone."""
    return Draft({"format": "in_person", "visibility": "members", "time_zone": zone})


def draft_from(event: Mapping[str, Any]) -> Draft:
    """An event's form for editing, its times on its own zone's clock."""
    zone = _zone(str(event.get("time_zone") or "UTC"))
    start = parse_instant(event.get("starts_at"))
    end = parse_instant(event.get("ends_at"))
    found = event.get("venue")
    venue: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    capacity = event.get("capacity")
    values = {
        "title": str(event.get("title") or ""),
        "description": str(event.get("description") or ""),
        "format": str(event.get("format") or "in_person"),
        "venue_name": str(venue.get("name") or ""),
        "venue_address": str(venue.get("address") or ""),
        "online_link": str(event.get("online_link") or ""),
        "time_zone": zone.key,
        "capacity": "" if capacity is None else str(capacity),
        "visibility": str(event.get("visibility") or "members"),
    }
    if start and end:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        values |= {
            "day": local_start.date().isoformat(),
            "starts": local_start.strftime("%H:%M"),
            "ends": local_end.strftime("%H:%M"),
        }
    return Draft(values)


MAX_HOSTS = 10


def rule_change(event: Mapping[str, Any], draft: Draft) -> str:
    """The new RRULE of the event's series the form asks for, from the event's own date."""
    start = parse_instant(event.get("starts_at"))
    if start is None:
        raise Invalid("starts_at: the event has no start")
    zone = _zone(str(event.get("time_zone") or "UTC"))
    rule = draft.rule(start.astimezone(zone).date())
    if rule is None:
        raise Invalid("repeat: choose how the series repeats")
    return rule


def hosts_change(event: Mapping[str, Any], chosen: list[str]) -> list[str] | None:
    """The hosts to set when the chosen ones differ from the event's (None: no change)."""
    picked = list(dict.fromkeys(user for user in chosen if user))
    if not picked:
        raise Invalid("hosts: an event needs at least one host")
    if len(picked) > MAX_HOSTS:
        raise Invalid(f"hosts: at most {MAX_HOSTS}")
    current = event.get("host_ids")
    held = set(current) if isinstance(current, list) else set()
    return picked if set(picked) != held else None


def changes(event: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from the event (a change touches only those; an
    unchanged time sent again would still count as news for attendees)."""
    changed: dict[str, Any] = {}
    for name, value in wanted.items():
        current = event.get(name)
        if name in ("starts_at", "ends_at"):
            if parse_instant(current) != parse_instant(value):
                changed[name] = value
        elif name == "venue":
            if _place_of(current) != _place_of(value):
                changed[name] = value
        elif name == "online_link":
            if str(current or "").rstrip("/") != str(value or "").rstrip("/"):
                changed[name] = value
        elif current != value:
            changed[name] = value
    return changed


@dataclass(frozen=True)
class Listed:
    """An event in a listing and, for a series, its later dates on the same page."""

    event: Mapping[str, Any]
    later: tuple[Mapping[str, Any], ...] = ()


def series_grouped(items: list[Any]) -> list[Listed]:
    """Events by start, each series once (at its first date here) with its later dates."""
    listed: list[Listed] = []
    where: dict[str, int] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        series = item.get("series_id")
        if series and series in where:
            at = where[series]
            listed[at] = Listed(listed[at].event, (*listed[at].later, item))
            continue
        if series:
            where[str(series)] = len(listed)
        listed.append(Listed(item))
    return listed


#: Check-in opens this long before the start and closes this long after the end (as the
#: platform's events service rules).
DOOR_OPENS_BEFORE = timedelta(hours=1)
DOOR_CLOSES_AFTER = timedelta(hours=2)


def door_open(event: Mapping[str, Any], now: datetime) -> bool:
    """Whether attendees can check in now."""
    start, end = parse_instant(event.get("starts_at")), parse_instant(event.get("ends_at"))
    if start is None or end is None or event.get("status") == "cancelled":
        return False
    return start - DOOR_OPENS_BEFORE <= now <= end + DOOR_CLOSES_AFTER


def is_over(event: Mapping[str, Any], now: datetime) -> bool:
    """Whether the event has ended."""
    end = parse_instant(event.get("ends_at"))
    return end is not None and end <= now


def _place_of(venue: Any) -> tuple[str, str] | None:
    if not isinstance(venue, Mapping):
        return None
    return str(venue.get("name") or ""), str(venue.get("address") or "")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("time_zone: not a known time zone (for example Europe/Rome)") from None


def _clock(value: str, field: str) -> time:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field}: give the time as HH:MM") from None
    return parsed.replace(second=0, microsecond=0)


def _capacity(value: str) -> int | None:
    if not value:
        return None
    try:
        seats = int(value)
    except ValueError:
        raise Invalid("capacity: a number of seats, or empty for no limit") from None
    if not 1 <= seats <= 10_000:
        raise Invalid("capacity: between 1 and 10000 seats")
    return seats


def _nth_weekday(day: date) -> str:
    """``1TH`` for the first Thursday; ``-1TH`` for a fifth (the last) one."""
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{_WEEKDAYS[day.weekday()]}"
