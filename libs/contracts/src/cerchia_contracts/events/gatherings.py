"""Events of the events service: ``events.gatherings.v1`` and ``events.reminders.v1``.

In code a scheduled meeting is a *gathering* (so it is never confused with a domain event); the
HTTP API calls it an event. Both topics are keyed by gathering id: what must stay in order is one
gathering's history (scheduled → RSVPs → changed → cancelled), not a whole community's.

Every event carries what a consumer needs to act without calling back: the community, the
gathering's title, its start in UTC with the IANA time zone it is held in (and the local wall-clock
start), the actor, and, where someone must be told, the recipients with the times as each of them
reads them (in their own time zone). The online link is never carried: it is shown only to
confirmed attendees through the API.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "AttendeeCheckedIn",
    "AttendeeCheckedInV1",
    "CheckInMethod",
    "GatheringCancelled",
    "GatheringCancelledV1",
    "GatheringChanged",
    "GatheringChangedV1",
    "GatheringFact",
    "GatheringFormat",
    "GatheringScheduled",
    "GatheringScheduledV1",
    "GatheringVisibility",
    "LocalTimes",
    "RecapLink",
    "RecapPublished",
    "RecapPublishedV1",
    "RecipientTimes",
    "ReminderDue",
    "ReminderDueV1",
    "RsvpCancelled",
    "RsvpCancelledV1",
    "RsvpConfirmed",
    "RsvpConfirmedV1",
    "RsvpWaitlisted",
    "RsvpWaitlistedV1",
    "Venue",
    "WaitlistPromoted",
    "WaitlistPromotedV1",
]

GatheringFormat = Literal["in_person", "online", "hybrid"]
GatheringVisibility = Literal["public", "members"]
CheckInMethod = Literal["host", "code"]
ZoneSource = Literal["profile", "gathering"]


class Venue(EventData):
    """Where an in-person or hybrid gathering takes place."""

    name: str = Field(description="Name of the place, e.g. 'Biblioteca Sala Borsa'.")
    address: str = Field(description="Postal address, one line.")
    latitude: float | None = Field(default=None, description="WGS 84 latitude, if known.")
    longitude: float | None = Field(default=None, description="WGS 84 longitude, if known.")


class LocalTimes(EventData):
    """A gathering's times as wall-clock time in one IANA time zone (what a recipient reads)."""

    time_zone: str = Field(description="IANA time zone of the reader, e.g. America/New_York.")
    source: ZoneSource = Field(
        description=(
            "profile: the reader's own time zone from their profile; gathering: theirs is not "
            "known, so the gathering's own zone is used."
        )
    )
    starts_at_local: str = Field(
        description="Start in `time_zone`, ISO 8601 with its UTC offset (DST applied)."
    )
    ends_at_local: str = Field(description="End in `time_zone`, ISO 8601 with its UTC offset.")
    previous_starts_at_local: str | None = Field(
        default=None,
        description="Start before the change in `time_zone`, when the time changed.",
    )


class RecipientTimes(LocalTimes):
    """The times for the recipients who read them in the same time zone."""

    user_ids: tuple[str, ...] = Field(description="Recipients reading the times in this zone.")


class GatheringFact(EventData):
    """Fields every gathering event carries."""

    community_id: str = Field(description="Id of the community the gathering belongs to.")
    gathering_id: str = Field(description="Id of the gathering (the API's event id).")
    actor_id: str | None = Field(
        default=None, description="User who caused the change (None for the platform itself)."
    )
    title: str = Field(description="Title of the gathering.")
    format: GatheringFormat = Field(description="in_person, online or hybrid.")
    starts_at: datetime = Field(description="Start (UTC).")
    ends_at: datetime = Field(description="End (UTC).")
    time_zone: str = Field(description="IANA time zone the gathering is held in, e.g. Europe/Rome.")
    starts_at_local: str = Field(
        description=(
            "Start as wall-clock time in `time_zone`, ISO 8601 with its UTC offset, "
            "e.g. 2026-03-29T18:30:00+02:00 (what attendees read on the invitation)."
        )
    )
    series_id: str | None = Field(
        default=None, description="Id of the recurring series this occurrence belongs to, if any."
    )


class GatheringScheduled(GatheringFact):
    """A gathering was scheduled (one per occurrence of a recurring series)."""

    visibility: GatheringVisibility = Field(
        description="public (readable by anyone if the community is public) or members."
    )
    host_ids: tuple[str, ...] = Field(description="User ids of the hosts.")
    capacity: int | None = Field(default=None, description="Seats; None for unlimited.")
    rsvp_deadline: datetime | None = Field(
        default=None, description="When RSVPs close (UTC); None means at the start."
    )
    venue: Venue | None = Field(default=None, description="The venue (in person / hybrid).")
    occurrence_index: int | None = Field(
        default=None,
        description=(
            "0-based position of this occurrence in its series (None if not recurring); "
            "announce a series once, on index 0."
        ),
    )
    recurrence: str | None = Field(
        default=None, description="The series' RFC 5545 RRULE (e.g. FREQ=WEEKLY;COUNT=8), if any."
    )


class GatheringScheduledV1(CloudEvent[GatheringScheduled]):
    """A new gathering is on a community's calendar."""

    type: Literal["cerchia.events.gathering_scheduled.v1"] = Field(
        default="cerchia.events.gathering_scheduled.v1", description="Event type."
    )


class GatheringChanged(GatheringFact):
    """A gathering's details changed (the fields carry the state after the change)."""

    changed: tuple[str, ...] = Field(
        description=(
            "Names of the changed fields: title, description, format, time, time_zone, venue, "
            "online_link, capacity, rsvp_deadline, hosts, visibility (more may be added)."
        )
    )
    critical: bool = Field(
        description=(
            "True when the change matters to attendees (time, place, online link): notify them "
            "even if they muted ordinary updates."
        )
    )
    previous_starts_at: datetime | None = Field(
        default=None, description="Start before the change (UTC), when the time changed."
    )
    venue: Venue | None = Field(default=None, description="The venue after the change.")
    host_ids: tuple[str, ...] = Field(default=(), description="User ids of the hosts.")
    attendee_ids: tuple[str, ...] = Field(
        default=(), description="Confirmed attendees (the people to tell)."
    )
    waitlist_ids: tuple[str, ...] = Field(
        default=(), description="People on the waitlist, in order."
    )
    recipient_times: tuple[RecipientTimes, ...] = Field(
        default=(),
        description=(
            "The times in each recipient's own time zone, recipients grouped by zone; every "
            "recipient is in exactly one group."
        ),
    )


class GatheringChangedV1(CloudEvent[GatheringChanged]):
    """A gathering changed; `critical` says whether attendees must be told."""

    type: Literal["cerchia.events.gathering_changed.v1"] = Field(
        default="cerchia.events.gathering_changed.v1", description="Event type."
    )


class GatheringCancelled(GatheringFact):
    """A gathering was cancelled; it stays on calendars as cancelled."""

    reason: str | None = Field(default=None, description="Why, as the host wrote it.")
    critical: bool = Field(default=True, description="Always true: a cancellation is critical.")
    host_ids: tuple[str, ...] = Field(default=(), description="User ids of the hosts.")
    attendee_ids: tuple[str, ...] = Field(
        default=(), description="Confirmed attendees (the people to tell)."
    )
    waitlist_ids: tuple[str, ...] = Field(
        default=(), description="People on the waitlist, in order."
    )
    recipient_times: tuple[RecipientTimes, ...] = Field(
        default=(),
        description=(
            "The times in each recipient's own time zone, recipients grouped by zone; every "
            "recipient is in exactly one group."
        ),
    )


class GatheringCancelledV1(CloudEvent[GatheringCancelled]):
    """A gathering is cancelled."""

    type: Literal["cerchia.events.gathering_cancelled.v1"] = Field(
        default="cerchia.events.gathering_cancelled.v1", description="Event type."
    )


class RsvpConfirmed(GatheringFact):
    """A member is going and holds a seat."""

    user_id: str = Field(description="The attendee.")
    going_count: int = Field(description="Confirmed attendees after this RSVP.")
    capacity: int | None = Field(default=None, description="Seats; None for unlimited.")
    recipient_time: LocalTimes | None = Field(
        default=None,
        description=(
            "The times in the time zone of `user_id` (their profile's, else the gathering's)."
        ),
    )


class RsvpConfirmedV1(CloudEvent[RsvpConfirmed]):
    """An RSVP 'going' was confirmed with a seat."""

    type: Literal["cerchia.events.rsvp_confirmed.v1"] = Field(
        default="cerchia.events.rsvp_confirmed.v1", description="Event type."
    )


class RsvpWaitlisted(GatheringFact):
    """A member wants to go but the gathering is full: they wait in FIFO order."""

    user_id: str = Field(description="The person waiting.")
    position: int = Field(description="1-based position in the waitlist when added.")
    recipient_time: LocalTimes | None = Field(
        default=None,
        description=(
            "The times in the time zone of `user_id` (their profile's, else the gathering's)."
        ),
    )


class RsvpWaitlistedV1(CloudEvent[RsvpWaitlisted]):
    """An RSVP 'going' joined the waitlist."""

    type: Literal["cerchia.events.rsvp_waitlisted.v1"] = Field(
        default="cerchia.events.rsvp_waitlisted.v1", description="Event type."
    )


class RsvpCancelled(GatheringFact):
    """Someone who was going or waiting is no longer."""

    user_id: str = Field(description="The person who withdrew.")
    previous_status: Literal["going", "waitlisted"] = Field(
        description="What they held before: a seat (going) or a waitlist place."
    )
    recipient_time: LocalTimes | None = Field(
        default=None,
        description=(
            "The times in the time zone of `user_id` (their profile's, else the gathering's)."
        ),
    )


class RsvpCancelledV1(CloudEvent[RsvpCancelled]):
    """An RSVP was withdrawn (a seat may have been freed)."""

    type: Literal["cerchia.events.rsvp_cancelled.v1"] = Field(
        default="cerchia.events.rsvp_cancelled.v1", description="Event type."
    )


class WaitlistPromoted(GatheringFact):
    """A seat freed up and the first person on the waitlist now holds it."""

    user_id: str = Field(description="The promoted attendee (tell them they are going).")
    host_ids: tuple[str, ...] = Field(default=(), description="User ids of the hosts.")
    recipient_time: LocalTimes | None = Field(
        default=None,
        description=(
            "The times in the time zone of `user_id` (their profile's, else the gathering's)."
        ),
    )


class WaitlistPromotedV1(CloudEvent[WaitlistPromoted]):
    """Someone moved from the waitlist to a seat."""

    type: Literal["cerchia.events.waitlist_promoted.v1"] = Field(
        default="cerchia.events.waitlist_promoted.v1", description="Event type."
    )


class AttendeeCheckedIn(GatheringFact):
    """An attendee was checked in at the gathering (attendance is recorded)."""

    user_id: str = Field(description="The attendee.")
    method: CheckInMethod = Field(
        description="host: a host checked them in; code: they entered the host's short code."
    )
    checked_in_at: datetime = Field(description="When (UTC).")


class AttendeeCheckedInV1(CloudEvent[AttendeeCheckedIn]):
    """An attendee checked in."""

    type: Literal["cerchia.events.attendee_checked_in.v1"] = Field(
        default="cerchia.events.attendee_checked_in.v1", description="Event type."
    )


class RecapLink(EventData):
    """A link shared in a recap (slides, photos, recording)."""

    title: str = Field(description="What the link is.")
    url: str = Field(description="Absolute http(s) URL.")


class RecapPublished(GatheringFact):
    """A host published the recap of a gathering that took place.

    The content service turns it into a discussion thread linked to the gathering: the thread's
    author is `actor_id`, its title the gathering's title, its body `notes_markdown` plus `links`.
    A host may edit a published recap: the event is published again with the same `recap_id`
    and a higher `revision`, so the thread is updated rather than duplicated.
    """

    recap_id: str = Field(description="Id of the recap (stable across re-publication).")
    revision: int = Field(default=1, description="1 when first published, +1 on each edit.")
    notes_markdown: str = Field(
        description="The recap as Markdown source; render it with raw HTML disabled."
    )
    notes_html: str = Field(
        default="", description="The recap rendered to HTML and sanitized (safe to embed)."
    )
    links: tuple[RecapLink, ...] = Field(default=(), description="Links shared with the recap.")
    host_ids: tuple[str, ...] = Field(default=(), description="User ids of the hosts.")
    attendee_count: int = Field(description="How many attendees checked in.")


class RecapPublishedV1(CloudEvent[RecapPublished]):
    """A gathering's recap is out; content opens a linked thread."""

    type: Literal["cerchia.events.recap_published.v1"] = Field(
        default="cerchia.events.recap_published.v1", description="Event type."
    )


class ReminderDue(GatheringFact):
    """A reminder fell due: tell the confirmed attendees the gathering is coming up."""

    reminder_id: str = Field(
        description="Id of the reminder job (gathering, offset and start it was computed for)."
    )
    offset_seconds: int = Field(
        description="How long before the start it fires, in seconds (86400 = the day before)."
    )
    attendee_ids: tuple[str, ...] = Field(description="Confirmed attendees to remind.")
    venue: Venue | None = Field(default=None, description="The venue (in person / hybrid).")
    recipient_times: tuple[RecipientTimes, ...] = Field(
        default=(),
        description=(
            "The times in each recipient's own time zone, recipients grouped by zone; every "
            "recipient is in exactly one group."
        ),
    )


class ReminderDueV1(CloudEvent[ReminderDue]):
    """Remind the attendees of an upcoming gathering."""

    type: Literal["cerchia.events.reminder_due.v1"] = Field(
        default="cerchia.events.reminder_due.v1", description="Event type."
    )
