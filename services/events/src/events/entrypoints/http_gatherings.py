"""HTTP routes for scheduling, reading, changing and cancelling events."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import Problem
from events.adapters import ical
from events.domain.errors import InvalidRecurrence
from events.domain.gatherings import Details, Venue, utc
from events.entrypoints.cursors import decode_page, encode_page
from events.entrypoints.deps import Deps, MaybeUser, ZoneQuery
from events.entrypoints.gathering_schemas import (
    CancelRequest,
    GatheringCreate,
    GatheringOut,
    GatheringPage,
    GatheringUpdate,
    ScheduledOut,
    VenueIn,
)
from events.entrypoints.presenters import gathering_out, occurrence_out, series_change_out
from events.entrypoints.series_schemas import UpdatedOut
from events.service import queries, scheduling, series_changes
from events.service.access import GatheringScope, community_scope
from events.service.ports import Page

router = APIRouter(prefix="/api/v1", tags=["events"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Sign in required (members-only content)"},
    403: {"description": "Not a member, or not a host/moderator"},
    404: {"description": "No such community or event"},
}
UpdateScope = Annotated[
    Literal["occurrence", "following"],
    Query(
        description=(
            "occurrence: this event only; following: this occurrence and every later one of "
            "its series (a new time or `recurrence` splits the series here)."
        )
    ),
]
_REQUIRED = (
    "title",
    "description",
    "format",
    "starts_at",
    "ends_at",
    "time_zone",
    "host_ids",
    "visibility",
)


def _venue(venue: VenueIn | None) -> Venue | None:
    if venue is None:
        return None
    return Venue(venue.name, venue.address, venue.latitude, venue.longitude)


def _views(deps: Deps) -> dict[str, Any]:
    return {
        "gatherings": deps.gatherings,
        "rsvps": deps.rsvps,
        "recaps": deps.recaps,
        "directory": deps.directory,
    }


@router.post(
    "/communities/{community_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=ScheduledOut,
    summary="Schedule an event (or a recurring series)",
    responses={**_PROBLEMS, 422: {"description": "Invalid details or recurrence rule"}},
)
async def create_event(
    community_id: str,
    body: GatheringCreate,
    *,
    me: CurrentUser,
    deps: Deps,
    response: Response,
    tz: ZoneQuery = None,
) -> ScheduledOut:
    """Members schedule events; hosts must be members. A recurrence creates every occurrence."""
    details = Details(
        title=body.title,
        description=body.description,
        format=body.format,
        venue=_venue(body.venue),
        online_link=None if body.online_link is None else str(body.online_link),
        starts_at=utc(body.starts_at),
        ends_at=utc(body.ends_at),
        time_zone=body.time_zone,
        capacity=body.capacity,
        rsvp_deadline=None if body.rsvp_deadline is None else utc(body.rsvp_deadline),
        host_ids=tuple(body.host_ids or [me.user_id]),
        visibility=body.visibility,
    )
    recurrence = None
    if body.recurrence is not None:
        recurrence = scheduling.Recurrence(body.recurrence.rule, tuple(body.recurrence.exceptions))
    now = datetime.now(UTC)
    created = await scheduling.schedule(
        community_id,
        details,
        recurrence=recurrence,
        actor_id=me.user_id,
        now=now,
        stores=deps.stores,
    )
    view = await queries.view(created[0].id, me.user_id, **_views(deps))
    response.headers["Location"] = f"/api/v1/events/{created[0].id}"
    preference = await queries.zone_preference(tz, me.user_id, zones=deps.zones)
    out = gathering_out(view, now=now, preference=preference)
    return ScheduledOut(**out.model_dump(), occurrences=[occurrence_out(g) for g in created])


@router.get(
    "/communities/{community_id}/events",
    response_model=GatheringPage,
    summary="List a community's events",
    responses=_PROBLEMS,
)
async def list_events(
    community_id: str,
    *,
    deps: Deps,
    user_id: MaybeUser,
    include_past: Annotated[bool, Query(description="Also events that have ended.")] = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    tz: ZoneQuery = None,
) -> GatheringPage:
    """Members see every event; anyone sees the public events of a public community."""
    now = datetime.now(UTC)
    preference = await queries.zone_preference(tz, user_id, zones=deps.zones)
    scope = await community_scope(community_id, user_id, directory=deps.directory)
    found = await queries.in_community(
        community_id,
        user_id,
        since=None if include_past else now,
        after=decode_page(cursor),
        limit=limit + 1,
        gatherings=deps.gatherings,
        directory=deps.directory,
    )
    items = []
    for gathering in found[:limit]:
        item_scope = GatheringScope(**vars(scope), gathering=gathering)
        view = await queries.describe(item_scope, rsvps=deps.rsvps, recaps=deps.recaps)
        items.append(gathering_out(view, now=now, preference=preference))
    more = len(found) > limit
    last = found[limit - 1] if more else None
    next_cursor = encode_page(Page(last.starts_at, last.id)) if last else None
    return GatheringPage(items=items, next_cursor=next_cursor)


@router.get(
    "/events/{event_id}",
    response_model=GatheringOut,
    summary="Read an event",
    responses=_PROBLEMS,
)
async def read_event(
    event_id: str, deps: Deps, user_id: MaybeUser, tz: ZoneQuery = None
) -> GatheringOut:
    """Public events of public communities are readable by anyone; the rest by members.
    `viewer_time` shows the times in `tz`, else in the caller's profile zone."""
    preference = await queries.zone_preference(tz, user_id, zones=deps.zones)
    view = await queries.view(event_id, user_id, **_views(deps))
    return gathering_out(view, now=datetime.now(UTC), preference=preference)


@router.patch(
    "/events/{event_id}",
    response_model=UpdatedOut,
    summary="Change an event (or it and the following occurrences of its series)",
    responses={
        **_PROBLEMS,
        409: {"description": "Cancelled or already started"},
        422: {"description": "Invalid details or rule, or a series scope on a single event"},
    },
)
async def update_event(
    event_id: str,
    body: GatheringUpdate,
    *,
    me: CurrentUser,
    deps: Deps,
    scope: UpdateScope = "occurrence",
    tz: ZoneQuery = None,
) -> UpdatedOut:
    """Hosts and moderators change details; time, place and link changes are critical.

    With `scope=following` the fields sent apply to this occurrence and every later one (their
    SEQUENCE is bumped); a new time moves them all by the same wall-clock shift, and a new
    `recurrence` re-plans them: occurrences the rule no longer yields are cancelled (attendees
    told), new ones are created, and the series is split at this occurrence.
    """
    sent = body.model_dump(exclude_unset=True)
    sent.pop("recurrence", None)
    nulls = [name for name in _REQUIRED if name in sent and sent[name] is None]
    if nulls:
        raise Problem(422, "validation-error", f"These fields cannot be null: {', '.join(nulls)}")
    changes: dict[str, Any] = {}
    for name in sent:
        value = getattr(body, name)
        if name == "venue":
            value = _venue(value)
        elif name == "online_link":
            value = None if value is None else str(value)
        elif name in ("starts_at", "ends_at", "rsvp_deadline"):
            value = None if value is None else utc(value)
        elif name == "host_ids":
            value = tuple(value)
        changes[name] = value
    now = datetime.now(UTC)
    series_change = None
    if scope == "following":
        recurrence = None
        if body.recurrence is not None:
            recurrence = scheduling.Recurrence(
                body.recurrence.rule, tuple(body.recurrence.exceptions)
            )
        done = await series_changes.update_following(
            event_id,
            changes,
            recurrence=recurrence,
            actor_id=me.user_id,
            now=now,
            stores=deps.stores,
        )
        series_change = series_change_out(done)
    elif body.recurrence is not None:
        raise InvalidRecurrence("a new rule applies from an occurrence on: use scope=following")
    else:
        await scheduling.update(event_id, changes, actor_id=me.user_id, now=now, stores=deps.stores)
    preference = await queries.zone_preference(tz, me.user_id, zones=deps.zones)
    view = await queries.view(event_id, me.user_id, **_views(deps))
    out = gathering_out(view, now=now, preference=preference)
    return UpdatedOut(**out.model_dump(), series_change=series_change)


@router.post(
    "/events/{event_id}/cancel",
    response_model=list[GatheringOut],
    summary="Cancel an event (or it and the following occurrences)",
    responses={**_PROBLEMS, 409: {"description": "Already cancelled or over"}},
)
async def cancel_event(
    event_id: str, body: CancelRequest, me: CurrentUser, deps: Deps, tz: ZoneQuery = None
) -> list[GatheringOut]:
    """Hosts and moderators cancel; attendees are told (a critical change)."""
    now = datetime.now(UTC)
    preference = await queries.zone_preference(tz, me.user_id, zones=deps.zones)
    cancelled = await scheduling.cancel(
        event_id,
        reason=body.reason,
        scope=body.scope,
        actor_id=me.user_id,
        now=now,
        stores=deps.stores,
    )
    return [
        gathering_out(
            await queries.view(g.id, me.user_id, **_views(deps)), now=now, preference=preference
        )
        for g in cancelled
    ]


@router.get(
    "/events/{event_id}/calendar.ics",
    summary="The event as an iCalendar file",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **_PROBLEMS},
)
async def event_ics(event_id: str, deps: Deps, user_id: MaybeUser) -> Response:
    """One VEVENT with a stable UID; the link is included only for confirmed attendees."""
    view = await queries.view(event_id, user_id, **_views(deps))
    body = ical.calendar(
        [view.gathering],
        name=view.gathering.details.title,
        with_link=lambda _: view.sees_link,
        with_address=lambda _: view.member,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event_id}.ics"'},
    )
