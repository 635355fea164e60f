"""``GET /api/v1/me/events``: the caller's upcoming events across their communities."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from events.entrypoints.deps import Deps, ZoneQuery
from events.entrypoints.gathering_schemas import LocalTimesOut
from events.entrypoints.presenters import viewer_time
from events.service import calendars, queries

router = APIRouter(prefix="/api/v1/me", tags=["events"])


class MyEventOut(BaseModel):
    """One upcoming event of mine, as a list item."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b5e6c1e-3a4f-4a7e-9d38-5f1c2e9a7b10",
                    "community_id": "c0ffee00-1111-4222-8333-444455556666",
                    "title": "Aperitivo di networking",
                    "format": "in_person",
                    "starts_at": "2026-12-03T17:30:00Z",
                    "ends_at": "2026-12-03T19:30:00Z",
                    "time_zone": "Europe/Rome",
                    "viewer_time": {
                        "time_zone": "America/New_York",
                        "source": "profile",
                        "starts_at": "2026-12-03T12:30:00-05:00",
                        "ends_at": "2026-12-03T14:30:00-05:00",
                    },
                    "my_status": "going",
                }
            ]
        }
    )

    id: str = Field(description="Event id.")
    community_id: str = Field(description="Community the event belongs to.")
    title: str
    format: str = Field(description="in_person, online or hybrid.")
    starts_at: datetime = Field(description="Start (UTC).")
    ends_at: datetime = Field(description="End (UTC).")
    time_zone: str = Field(description="IANA time zone the event was scheduled in.")
    viewer_time: LocalTimesOut = Field(
        description="Start and end in my zone (`tz`, else my profile's, else the event's)."
    )
    my_status: Literal["going", "waitlisted"] = Field(description="My RSVP.")


class MyEventsOut(BaseModel):
    """My upcoming events, soonest first."""

    items: list[MyEventOut]


@router.get(
    "/events",
    response_model=MyEventsOut,
    summary="My upcoming events (going or waitlisted), soonest first",
    responses=problem_responses(401, 422),
)
async def my_upcoming_events(
    me: CurrentUser,
    deps: Deps,
    limit: Annotated[int, Query(ge=1, le=50, description="How many at most.")] = 10,
    tz: ZoneQuery = None,
) -> MyEventsOut:
    """Events I am going to or waiting for, in communities I still belong to."""
    preference = await queries.zone_preference(tz, me.user_id, zones=deps.zones)
    found = await calendars.upcoming_for(
        me.user_id,
        now=datetime.now(UTC),
        limit=limit,
        directory=deps.directory,
        rsvps=deps.rsvps,
        gatherings=deps.gatherings,
    )
    return MyEventsOut(
        items=[
            MyEventOut(
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
            for g, status in found
        ]
    )
