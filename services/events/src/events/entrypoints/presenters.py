"""Domain objects → response models, hiding what the caller may not see."""

from datetime import datetime

from cerchia_chassis.domain.markup import render_markdown
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.zones import ZonePreference, local_times
from events.entrypoints.schemas_attendance import (
    AttendeeOut,
    AttendeePage,
    CheckInOut,
    RecapLinkOut,
    RecapOut,
)
from events.entrypoints.schemas_gatherings import (
    GatheringOut,
    LocalTimesOut,
    MyRsvpOut,
    OccurrenceOut,
    VenueOut,
)
from events.entrypoints.schemas_mine import MyEventOut
from events.entrypoints.schemas_series import SeriesChangeOut
from events.service.attendance import CheckIn
from events.service.queries import Attendees, GatheringView
from events.service.series_changes import SeriesChange

API = "/api/v1"


def ics_url(gathering_id: str) -> str:
    """Where the event's .ics is."""
    return f"{API}/events/{gathering_id}/calendar.ics"


def recap_out(recap: Recap) -> RecapOut:
    """A recap as published."""
    return RecapOut(
        id=recap.id,
        revision=recap.revision,
        author_id=recap.author_id,
        notes=recap.notes,
        notes_html=render_markdown(recap.notes),
        links=[RecapLinkOut(title=link.title, url=link.url) for link in recap.links],
        published_at=recap.published_at,
    )


def rsvp_open(gathering: Gathering, now: datetime) -> bool:
    """Whether "going" is still accepted."""
    return not gathering.cancelled and now < gathering.rsvp_closes_at()


def viewer_time(gathering: Gathering, preference: ZonePreference) -> LocalTimesOut:
    """The gathering's times in the zone the caller reads them in."""
    times = local_times(
        gathering.starts_at,
        gathering.ends_at,
        own_zone=gathering.details.time_zone,
        preference=preference,
    )
    return LocalTimesOut(
        time_zone=times.time_zone,
        source=times.source,
        starts_at=times.starts_at.isoformat(),
        ends_at=times.ends_at.isoformat(),
    )


def _venue_out(view: GatheringView) -> VenueOut | None:
    venue = view.gathering.details.venue
    if venue is None:
        return None
    return VenueOut(
        name=venue.name,
        address=venue.address if view.member else None,
        latitude=venue.latitude if view.member else None,
        longitude=venue.longitude if view.member else None,
    )


def _my_rsvp_out(view: GatheringView) -> MyRsvpOut | None:
    if view.my_rsvp is None:
        return None
    return MyRsvpOut(
        status=view.my_rsvp.status,
        waitlist_position=view.waitlist_position,
        checked_in_at=view.my_rsvp.checked_in_at,
    )


def gathering_out(view: GatheringView, *, now: datetime) -> GatheringOut:
    """The event for the caller: members see the address and hosts; the link needs a seat."""
    g, d = view.gathering, view.gathering.details
    return GatheringOut(
        id=g.id,
        community_id=g.community_id,
        title=d.title,
        description=d.description,
        description_html=render_markdown(d.description),
        format=d.format,
        venue=_venue_out(view),
        online_link=d.online_link if view.sees_link else None,
        starts_at=g.starts_at,
        ends_at=g.ends_at,
        time_zone=d.time_zone,
        starts_at_local=g.local(g.starts_at).isoformat(),
        ends_at_local=g.local(g.ends_at).isoformat(),
        viewer_time=viewer_time(g, view.preference),
        capacity=d.capacity,
        going_count=g.going_count,
        waitlist_count=g.waitlist_count,
        seats_left=g.seats_left(),
        rsvp_deadline=d.rsvp_deadline,
        rsvp_open=rsvp_open(g, now),
        host_ids=list(d.host_ids) if view.member else [],
        visibility=d.visibility,
        status=g.status,
        cancel_reason=g.cancel_reason,
        series_id=g.series_id,
        occurrence_index=g.occurrence_index,
        recurrence=g.recurrence,
        sequence=g.sequence,
        created_at=g.created_at,
        updated_at=g.updated_at,
        my_rsvp=_my_rsvp_out(view),
        can_manage=view.scope.manager,
        recap=None if view.recap is None else recap_out(view.recap),
        ics_url=ics_url(g.id),
    )


def occurrence_out(g: Gathering) -> OccurrenceOut:
    """One occurrence of a series."""
    return OccurrenceOut(
        id=g.id,
        occurrence_index=g.occurrence_index or 0,
        starts_at=g.starts_at,
        starts_at_local=g.local(g.starts_at).isoformat(),
        status=g.status,
        sequence=g.sequence,
    )


def series_change_out(change: SeriesChange) -> SeriesChangeOut:
    """What a series change did."""
    return SeriesChangeOut(
        series_id=change.series_id,
        rule=change.rule,
        exceptions=list(change.exceptions),
        changed=[occurrence_out(g) for g in change.changed],
        created=[occurrence_out(g) for g in change.created],
        cancelled=[occurrence_out(g) for g in change.cancelled],
    )


def attendee_page_out(attendees: Attendees) -> AttendeePage:
    """Confirmed attendees; check-in details only for hosts."""
    host = attendees.host
    return AttendeePage(
        items=[
            AttendeeOut(
                user_id=r.user_id,
                checked_in_at=r.checked_in_at if host else None,
                check_in_method=r.check_in_method if host else None,
            )
            for r in attendees.page.items
        ],
        checked_in_count=attendees.checked_in,
        next_cursor=attendees.page.next_cursor,
    )


def check_in_out(done: CheckIn) -> CheckInOut:
    """A recorded check-in."""
    return CheckInOut(
        event_id=done.gathering_id,
        user_id=done.user_id,
        checked_in_at=done.at,
        method=done.method,
    )


def my_event_out(g: Gathering, status: str, preference: ZonePreference) -> MyEventOut:
    """One of the caller's upcoming events."""
    return MyEventOut(
        id=g.id,
        community_id=g.community_id,
        title=g.details.title,
        format=g.details.format,
        starts_at=g.details.starts_at,
        ends_at=g.details.ends_at,
        time_zone=g.details.time_zone,
        viewer_time=viewer_time(g, preference),
        my_status="going" if status == "going" else "waitlisted",
    )
