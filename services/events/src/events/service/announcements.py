"""The contract events a gathering's changes publish (domain → ``events.gatherings.v1``)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cerchia_chassis.domain.markup import render_markdown
from cerchia_contracts.events import gatherings as c
from events.domain.gatherings import Change, Gathering, Venue
from events.domain.recaps import Recap
from events.domain.reminders import ReminderJob
from events.domain.rsvps import CheckInMethod, Outcome

# Reminder event ids derive from the job id: even a double fire would collide in the outbox.
_REMINDER_NAMESPACE = uuid.UUID("6f1c3c52-2a4b-4c1e-9a57-5d0c9a7e0b11")


def _venue(venue: Venue | None) -> c.Venue | None:
    if venue is None:
        return None
    return c.Venue(
        name=venue.name, address=venue.address, latitude=venue.latitude, longitude=venue.longitude
    )


def _fact(g: Gathering, actor_id: str | None) -> dict[str, Any]:
    return {
        "community_id": g.community_id,
        "gathering_id": g.id,
        "actor_id": actor_id,
        "title": g.details.title,
        "format": g.details.format,
        "starts_at": g.starts_at,
        "ends_at": g.ends_at,
        "time_zone": g.details.time_zone,
        "starts_at_local": g.local(g.starts_at).isoformat(),
        "series_id": g.series_id,
    }


def scheduled(g: Gathering, *, actor_id: str) -> c.GatheringScheduledV1:
    """A gathering was scheduled."""
    data = c.GatheringScheduled(
        **_fact(g, actor_id),
        visibility=g.details.visibility,
        host_ids=g.details.host_ids,
        capacity=g.details.capacity,
        rsvp_deadline=g.details.rsvp_deadline,
        venue=_venue(g.details.venue),
        occurrence_index=g.occurrence_index,
        recurrence=g.recurrence,
    )
    return c.GatheringScheduledV1.new(subject=g.id, data=data, time=g.updated_at)


def changed(
    g: Gathering,
    change: Change,
    *,
    actor_id: str,
    attendee_ids: Sequence[str],
    waitlist_ids: Sequence[str],
) -> c.GatheringChangedV1:
    """A gathering changed; critical when time, place or link did."""
    data = c.GatheringChanged(
        **_fact(g, actor_id),
        changed=change.fields,
        critical=change.critical,
        previous_starts_at=change.previous_starts_at,
        venue=_venue(g.details.venue),
        host_ids=g.details.host_ids,
        attendee_ids=tuple(attendee_ids),
        waitlist_ids=tuple(waitlist_ids),
    )
    return c.GatheringChangedV1.new(subject=g.id, data=data, time=g.updated_at)


def cancelled(
    g: Gathering, *, actor_id: str, attendee_ids: Sequence[str], waitlist_ids: Sequence[str]
) -> c.GatheringCancelledV1:
    """A gathering was cancelled."""
    data = c.GatheringCancelled(
        **_fact(g, actor_id),
        reason=g.cancel_reason,
        host_ids=g.details.host_ids,
        attendee_ids=tuple(attendee_ids),
        waitlist_ids=tuple(waitlist_ids),
    )
    return c.GatheringCancelledV1.new(subject=g.id, data=data, time=g.updated_at)


def rsvp_outcome(
    g: Gathering, outcome: Outcome, *, user_id: str, position: int | None, now: datetime
) -> list[c.RsvpConfirmedV1 | c.RsvpWaitlistedV1 | c.RsvpCancelledV1]:
    """What an RSVP announces: confirmed, waitlisted, or withdrawn (from a seat or the line)."""
    fact = _fact(g, user_id)
    if outcome.status == "going":
        data = c.RsvpConfirmed(
            **fact, user_id=user_id, going_count=g.going_count, capacity=g.details.capacity
        )
        return [c.RsvpConfirmedV1.new(subject=g.id, data=data, time=now)]
    if outcome.status == "waitlisted":
        waiting = c.RsvpWaitlisted(**fact, user_id=user_id, position=position or 1)
        return [c.RsvpWaitlistedV1.new(subject=g.id, data=waiting, time=now)]
    if outcome.previous in ("going", "waitlisted"):
        withdrawn = c.RsvpCancelled(**fact, user_id=user_id, previous_status=outcome.previous)
        return [c.RsvpCancelledV1.new(subject=g.id, data=withdrawn, time=now)]
    return []


def promoted(g: Gathering, *, user_id: str, now: datetime) -> c.WaitlistPromotedV1:
    """The head of the waitlist got a seat (the platform acted, so no actor)."""
    data = c.WaitlistPromoted(**_fact(g, None), user_id=user_id, host_ids=g.details.host_ids)
    return c.WaitlistPromotedV1.new(subject=g.id, data=data, time=now)


def checked_in(
    g: Gathering, *, actor_id: str, user_id: str, method: CheckInMethod, now: datetime
) -> c.AttendeeCheckedInV1:
    """An attendee was checked in."""
    data = c.AttendeeCheckedIn(
        **_fact(g, actor_id), user_id=user_id, method=method, checked_in_at=now
    )
    return c.AttendeeCheckedInV1.new(subject=g.id, data=data, time=now)


def recap_published(g: Gathering, recap: Recap, *, attendee_count: int) -> c.RecapPublishedV1:
    """A recap was published (or revised)."""
    data = c.RecapPublished(
        **_fact(g, recap.author_id),
        recap_id=recap.id,
        revision=recap.revision,
        notes_markdown=recap.notes,
        notes_html=render_markdown(recap.notes),
        links=tuple(c.RecapLink(title=link.title, url=link.url) for link in recap.links),
        host_ids=g.details.host_ids,
        attendee_count=attendee_count,
    )
    return c.RecapPublishedV1.new(subject=g.id, data=data, time=recap.published_at)


def reminder_due(
    g: Gathering, job: ReminderJob, *, attendee_ids: Sequence[str], now: datetime
) -> c.ReminderDueV1:
    """A reminder fell due; its event id is derived from the job, so it exists once."""
    data = c.ReminderDue(
        **_fact(g, None),
        reminder_id=job.id,
        offset_seconds=int(job.offset.total_seconds()),
        attendee_ids=tuple(attendee_ids),
        venue=_venue(g.details.venue),
    )
    return c.ReminderDueV1(
        id=str(uuid.uuid5(_REMINDER_NAMESPACE, job.id)),
        source="/cerchia/events",
        time=now,
        subject=g.id,
        data=data,
    )
