"""``GET /api/v1/me/events``: the caller's upcoming events across their communities."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from events.entrypoints.deps import Deps, ZoneQuery
from events.entrypoints.presenters import my_event_out
from events.entrypoints.schemas_mine import MyEventsOut
from events.service import calendars

router = APIRouter(prefix="/api/v1/me", tags=["events"])


@router.get(
    "/events",
    response_model=MyEventsOut,
    summary="My upcoming events (going or waitlisted), soonest first",
    responses=problem_responses(401, 422),
)
async def my_upcoming_events(
    me: CurrentUser,
    deps: Deps,
    tz: ZoneQuery,
    limit: Annotated[int, Query(ge=1, le=50, description="How many at most.")] = 10,
) -> MyEventsOut:
    """Events I am going to or waiting for, in communities I still belong to."""
    agenda = await calendars.upcoming_for(
        me.user_id, now=datetime.now(UTC), limit=limit, tz=tz, ports=deps.ports
    )
    return MyEventsOut(
        items=[my_event_out(g, status, agenda.preference) for g, status in agenda.items]
    )
