"""Response bodies for the caller's own agenda."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from events.entrypoints.schemas_gatherings import LocalTimesOut


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
