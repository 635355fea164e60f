"""Request and response bodies for scheduling and reading events."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from cerchia_chassis.text import ONE_LINE, Line, Text
from events.domain.recurrence import Recurrence
from events.entrypoints.schemas_attendance import RecapOut

#: Stripped, then checked as a ``Line`` (so that blank is too short).
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=140), ONE_LINE
]
UserId = Annotated[Line, StringConstraints(min_length=1, max_length=64)]

_EXAMPLE: dict[str, Any] = {
    "title": "Monthly reading circle",
    "description": "We discuss *Il nome della rosa*, chapters 1-3.",
    "format": "hybrid",
    "venue": {"name": "Biblioteca Sala Borsa", "address": "Piazza del Nettuno 3, Bologna"},
    "online_link": "https://meet.example.org/reading-circle",
    "starts_at": "2026-04-02T16:30:00Z",
    "ends_at": "2026-04-02T18:30:00Z",
    "time_zone": "Europe/Rome",
    "capacity": 20,
    "rsvp_deadline": "2026-04-01T20:00:00Z",
    "visibility": "public",
    "recurrence": {"rule": "FREQ=MONTHLY;BYDAY=1TH;COUNT=6", "exceptions": ["2026-08-06"]},
}


class VenueIn(BaseModel):
    """Where it takes place."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1, max_length=120, description="Name of the place.")
    address: Line = Field(min_length=1, max_length=300, description="Postal address, one line.")
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS 84 latitude.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS 84 longitude.")


class RecurrenceIn(BaseModel):
    """Make it a series: every occurrence becomes an event of its own."""

    model_config = ConfigDict(extra="forbid")

    rule: Line = Field(
        min_length=6,
        max_length=200,
        description="RFC 5545 RRULE (DAILY, WEEKLY or MONTHLY; COUNT or UNTIL required).",
        examples=["FREQ=WEEKLY;BYDAY=TU;COUNT=8"],
    )
    exceptions: list[date] = Field(
        default_factory=list, max_length=100, description="Local dates to skip."
    )

    def recurrence(self) -> Recurrence:
        """The rule in the domain's terms."""
        return Recurrence(self.rule, tuple(self.exceptions))


class GatheringCreate(BaseModel):
    """Schedule an event (or a recurring series) in a community."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    title: Title = Field(description="Title.")
    description: Text = Field(default="", max_length=20_000, description="Markdown.")
    format: Literal["in_person", "online", "hybrid"] = Field(description="How people attend.")
    venue: VenueIn | None = Field(default=None, description="Required in person and hybrid.")
    online_link: AnyHttpUrl | None = Field(
        default=None, description="Required online and hybrid; shown to confirmed attendees only."
    )
    starts_at: AwareDatetime = Field(description="Start, with its UTC offset.")
    ends_at: AwareDatetime = Field(description="End, with its UTC offset.")
    time_zone: Line = Field(
        min_length=1, max_length=64, description="IANA time zone it is held in, e.g. Europe/Rome."
    )
    capacity: int | None = Field(default=None, ge=1, le=10_000, description="None: unlimited.")
    rsvp_deadline: AwareDatetime | None = Field(
        default=None, description="When RSVPs close; default: at the start."
    )
    host_ids: list[UserId] | None = Field(
        default=None, max_length=10, description="Hosts (members); default: you."
    )
    visibility: Literal["public", "members"] = Field(
        default="members", description="public: readable by anyone if the community is public."
    )
    recurrence: RecurrenceIn | None = Field(default=None, description="Repeat it.")


class GatheringUpdate(BaseModel):
    """Change an event; only the fields sent change (null clears an optional one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"starts_at": "2026-04-02T17:00:00Z", "ends_at": "2026-04-02T19:00:00Z"},
                {
                    "venue": {"name": "Caffè Zamboni", "address": "Via Zamboni 6, Bologna"},
                    "recurrence": {"rule": "FREQ=WEEKLY;BYDAY=TH;COUNT=5"},
                    "starts_at": "2026-04-02T17:00:00Z",
                    "ends_at": "2026-04-02T19:00:00Z",
                },
            ]
        },
    )

    title: Title | None = None
    description: Text | None = Field(default=None, max_length=20_000)
    format: Literal["in_person", "online", "hybrid"] | None = None
    venue: VenueIn | None = None
    online_link: AnyHttpUrl | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    time_zone: Line | None = Field(default=None, min_length=1, max_length=64)
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    rsvp_deadline: AwareDatetime | None = None
    host_ids: list[UserId] | None = Field(default=None, min_length=1, max_length=10)
    visibility: Literal["public", "members"] | None = None
    recurrence: RecurrenceIn | None = Field(
        default=None,
        description=(
            "With `scope=following` only: a new rule from this occurrence on (the series is "
            "split here; the new rule must yield this occurrence's start first)."
        ),
    )


class CancelRequest(BaseModel):
    """Cancel an event, or it and the following occurrences of its series."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "The venue is flooded."}]}
    )

    reason: Text | None = Field(default=None, max_length=500, description="Told to attendees.")
    scope: Literal["occurrence", "following"] = Field(
        default="occurrence", description="following: this and the later occurrences."
    )


class VenueOut(BaseModel):
    """The venue; the address and coordinates are for members only."""

    name: str
    address: str | None
    latitude: float | None
    longitude: float | None


class MyRsvpOut(BaseModel):
    """The caller's own RSVP."""

    status: Literal["going", "waitlisted", "interested", "not_going"]
    waitlist_position: int | None = Field(description="1-based place in line when waitlisted.")
    checked_in_at: datetime | None


class OccurrenceOut(BaseModel):
    """One occurrence of a series."""

    id: str
    occurrence_index: int
    starts_at: datetime
    starts_at_local: str
    status: Literal["scheduled", "cancelled"] = "scheduled"
    sequence: int = Field(default=0, description="iCalendar SEQUENCE.")


class LocalTimesOut(BaseModel):
    """The event's times in the zone the caller reads them in."""

    time_zone: str = Field(description="IANA time zone, e.g. America/New_York.")
    source: Literal["query", "profile", "gathering"] = Field(
        description=(
            "query: the `tz` asked for; profile: the caller's profile time zone; "
            "gathering: the event's own zone (no other known)."
        )
    )
    starts_at: str = Field(description="Start as wall-clock time with its UTC offset.")
    ends_at: str = Field(description="End as wall-clock time with its UTC offset.")


class GatheringOut(BaseModel):
    """An event as the caller may see it."""

    id: str
    community_id: str
    title: str
    description: str = Field(description="Markdown source.")
    description_html: str = Field(description="Rendered and sanitized.")
    format: Literal["in_person", "online", "hybrid"]
    venue: VenueOut | None
    online_link: str | None = Field(description="Only for confirmed attendees and hosts.")
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    starts_at_local: str = Field(description="Wall-clock start in `time_zone`, with offset.")
    ends_at_local: str
    viewer_time: LocalTimesOut = Field(
        description="Start and end in the caller's zone (`tz`, else profile, else the event's)."
    )
    capacity: int | None
    going_count: int
    waitlist_count: int
    seats_left: int | None
    rsvp_deadline: datetime | None
    rsvp_open: bool
    host_ids: list[str] = Field(description="Empty for non-members.")
    visibility: Literal["public", "members"]
    status: Literal["scheduled", "cancelled"]
    cancel_reason: str | None
    series_id: str | None
    occurrence_index: int | None
    recurrence: str | None
    sequence: int = Field(description="Bumped on every change (iCalendar SEQUENCE).")
    created_at: datetime
    updated_at: datetime
    my_rsvp: MyRsvpOut | None
    can_manage: bool = Field(description="Whether the caller may change, cancel, check in.")
    recap: RecapOut | None
    ics_url: str


class ScheduledOut(GatheringOut):
    """The scheduled event (the first occurrence of a series) and all the occurrences."""

    occurrences: list[OccurrenceOut]


class GatheringPage(BaseModel):
    """A page of events, by start time."""

    items: list[GatheringOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
