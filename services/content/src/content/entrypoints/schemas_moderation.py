"""Request and response bodies of the moderation API: flags, decisions, the audit log."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from content.domain.moderation import Decision, Flag

Target = Literal["thread", "reply", "resource"]


class FlagRequest(BaseModel):
    """Report content to the moderators."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"target_kind": "reply", "target_id": "r-1", "reason": "Spam link."}]
        },
    )

    target_kind: Target
    target_id: Line = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=1_000)


class DecisionRequest(BaseModel):
    """A moderator's decision on content."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "target_kind": "reply",
                    "target_id": "r-1",
                    "action": "hide",
                    "reason": "Off-topic advertising.",
                }
            ]
        },
    )

    target_kind: Target
    target_id: Line = Field(min_length=1, max_length=64)
    action: Literal["hide", "restore", "remove"]
    reason: Text = Field(min_length=1, max_length=1_000)


class FlagOut(BaseModel):
    """A flag in the queue."""

    id: str
    target_kind: str
    target_id: str
    reporter_id: str | None
    reason: str
    created_at: datetime
    resolution: str | None


class FlagPage(BaseModel):
    """A page of the moderation queue."""

    items: list[FlagOut]
    next_cursor: str | None


class DecisionOut(BaseModel):
    """An audited decision."""

    id: str
    target_kind: str
    target_id: str
    moderator_id: str | None
    action: str
    reason: str
    created_at: datetime
    resolved_flag_ids: list[str]


class DecisionPage(BaseModel):
    """A page of the audit log."""

    items: list[DecisionOut]
    next_cursor: str | None


def flag_out(flag: Flag) -> FlagOut:
    """The response for one flag."""
    return FlagOut(
        id=flag.id,
        target_kind=flag.target_kind,
        target_id=flag.target_id,
        reporter_id=flag.reporter_id,
        reason=flag.reason,
        created_at=flag.created_at,
        resolution=flag.resolution,
    )


def decision_out(decision: Decision) -> DecisionOut:
    """The response for one decision."""
    return DecisionOut(
        id=decision.id,
        target_kind=decision.target_kind,
        target_id=decision.target_id,
        moderator_id=decision.moderator_id,
        action=decision.action.value,
        reason=decision.reason,
        created_at=decision.created_at,
        resolved_flag_ids=list(decision.resolved_flag_ids),
    )
