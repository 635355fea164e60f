"""Request and response bodies for changing a series and "this and following" updates."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from events.entrypoints.schemas_gatherings import GatheringOut, OccurrenceOut


class RuleChange(BaseModel):
    """A new rule for the whole series, from its first start (past occurrences stay)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"rule": "FREQ=WEEKLY;BYDAY=TH;COUNT=8"},
                {
                    "rule": "FREQ=WEEKLY;UNTIL=20260630T220000Z",
                    "exceptions": ["2026-06-02"],
                    "reason": "We meet until the end of June.",
                },
            ]
        },
    )

    rule: Line = Field(
        min_length=6,
        max_length=200,
        description="RFC 5545 RRULE (DAILY, WEEKLY or MONTHLY; COUNT or UNTIL required).",
    )
    exceptions: list[date] | None = Field(
        default=None, max_length=100, description="Local dates to skip; omitted: keep the current."
    )
    reason: Text | None = Field(
        default=None, max_length=500, description="Told to attendees of cancelled occurrences."
    )


class SeriesChangeOut(BaseModel):
    """What a series change did."""

    series_id: str = Field(description="The series the addressed event is now in.")
    rule: str = Field(description="Its rule now.")
    exceptions: list[date] = Field(description="Local dates it skips.")
    changed: list[OccurrenceOut] = Field(description="Occurrences changed (SEQUENCE bumped).")
    created: list[OccurrenceOut] = Field(description="Occurrences the new rule added.")
    cancelled: list[OccurrenceOut] = Field(
        description="Future occurrences no longer in the rule (attendees were told)."
    )


class UpdatedOut(GatheringOut):
    """The changed event and, for `scope=following`, what happened to the rest of the series."""

    series_change: SeriesChangeOut | None = Field(
        default=None, description="Set when `scope=following`."
    )
