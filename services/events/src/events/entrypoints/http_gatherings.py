"""HTTP routes for scheduling, reading, changing and cancelling events."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from events.domain.drafts import changes, drafted
from events.entrypoints.deps import Deps, MaybeUser, ZoneQuery
from events.entrypoints.presenters import gathering_out, occurrence_out, series_change_out
from events.entrypoints.schemas_gatherings import (
    CancelRequest,
    GatheringCreate,
    GatheringOut,
    GatheringPage,
    GatheringUpdate,
    ScheduledOut,
)
from events.entrypoints.schemas_series import UpdatedOut
from events.service import queries, scheduling, series_changes

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
    tz: ZoneQuery,
) -> ScheduledOut:
    """Members schedule events; hosts must be members. A recurrence creates every occurrence."""
    now = datetime.now(UTC)
    created = await scheduling.schedule(
        community_id,
        drafted(body.model_dump(exclude={"recurrence"}), author_id=me.user_id),
        recurrence=body.recurrence.recurrence() if body.recurrence else None,
        actor_id=me.user_id,
        now=now,
        ports=deps.ports,
    )
    view = await queries.view(created[0].id, me.user_id, tz=tz, ports=deps.ports)
    response.headers["Location"] = f"/api/v1/events/{created[0].id}"
    out = gathering_out(view, now=now)
    return ScheduledOut(**out.model_dump(), occurrences=[occurrence_out(g) for g in created])


@router.get(
    "/communities/{community_id}/events",
    response_model=GatheringPage,
    summary="List a community's events",
    responses={**_PROBLEMS, 400: {"description": "The cursor is not valid"}},
)
async def list_events(
    community_id: str,
    *,
    deps: Deps,
    user_id: MaybeUser,
    include_past: Annotated[bool, Query(description="Also events that have ended.")] = False,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    tz: ZoneQuery,
) -> GatheringPage:
    """Members see every event; anyone sees the public events of a public community."""
    now = datetime.now(UTC)
    page = await queries.in_community(
        community_id,
        user_id,
        include_past=include_past,
        cursor=cursor,
        limit=limit,
        tz=tz,
        now=now,
        ports=deps.ports,
    )
    items = [gathering_out(view, now=now) for view in page.items]
    return GatheringPage(items=items, next_cursor=page.next_cursor)


@router.get(
    "/events/{event_id}",
    response_model=GatheringOut,
    summary="Read an event",
    responses=_PROBLEMS,
)
async def read_event(event_id: str, deps: Deps, user_id: MaybeUser, tz: ZoneQuery) -> GatheringOut:
    """Public events of public communities are readable by anyone; the rest by members.
    `viewer_time` shows the times in `tz`, else in the caller's profile zone."""
    view = await queries.view(event_id, user_id, tz=tz, ports=deps.ports)
    return gathering_out(view, now=datetime.now(UTC))


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
    tz: ZoneQuery,
) -> UpdatedOut:
    """Hosts and moderators change details; time, place and link changes are critical.

    With `scope=following` the fields sent apply to this occurrence and every later one (their
    SEQUENCE is bumped); a new time moves them all by the same wall-clock shift, and a new
    `recurrence` re-plans them: occurrences the rule no longer yields are cancelled (attendees
    told), new ones are created, and the series is split at this occurrence.
    """
    now = datetime.now(UTC)
    done = await series_changes.update_event(
        event_id,
        changes(body.model_dump(exclude_unset=True, exclude={"recurrence"})),
        recurrence=body.recurrence.recurrence() if body.recurrence else None,
        scope=scope,
        actor_id=me.user_id,
        now=now,
        ports=deps.ports,
    )
    view = await queries.view(event_id, me.user_id, tz=tz, ports=deps.ports)
    out = gathering_out(view, now=now)
    series_change = None if done is None else series_change_out(done)
    return UpdatedOut(**out.model_dump(), series_change=series_change)


@router.post(
    "/events/{event_id}/cancel",
    response_model=list[GatheringOut],
    summary="Cancel an event (or it and the following occurrences)",
    responses={**_PROBLEMS, 409: {"description": "Already cancelled or over"}},
)
async def cancel_event(
    event_id: str, body: CancelRequest, me: CurrentUser, deps: Deps, tz: ZoneQuery
) -> list[GatheringOut]:
    """Hosts and moderators cancel; attendees are told (a critical change)."""
    now = datetime.now(UTC)
    cancelled = await scheduling.cancel(
        event_id,
        reason=body.reason,
        scope=body.scope,
        actor_id=me.user_id,
        now=now,
        ports=deps.ports,
    )
    return [
        gathering_out(await queries.view(g.id, me.user_id, tz=tz, ports=deps.ports), now=now)
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
    body = await queries.event_calendar(event_id, user_id, ports=deps.ports)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event_id}.ics"'},
    )
