"""HTTP routes of moderation: flags, the queue, decisions and the audit log."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.auth import CurrentUser
from content.domain.moderation import Action, Decision, Flag
from content.entrypoints.dependencies import Cursor, Limit, PortsDep
from content.entrypoints.responses import documented
from content.service import moderation

router = APIRouter(prefix="/api/v1", tags=["moderation"], responses=documented(401))
_FLAG = documented(403, 404, 422)
_DECIDE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)
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
    target_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1_000)


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
    target_id: str = Field(min_length=1, max_length=64)
    action: Literal["hide", "restore", "remove"]
    reason: str = Field(min_length=1, max_length=1_000)


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


def _flag(flag: Flag) -> FlagOut:
    return FlagOut(
        id=flag.id,
        target_kind=flag.target_kind,
        target_id=flag.target_id,
        reporter_id=flag.reporter_id,
        reason=flag.reason,
        created_at=flag.created_at,
        resolution=flag.resolution,
    )


def _decision(decision: Decision) -> DecisionOut:
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


@router.post(
    "/communities/{community_id}/flags",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagOut,
    summary="Flag content",
    responses=_FLAG,
)
async def flag(community_id: str, body: FlagRequest, me: CurrentUser, ports: PortsDep) -> FlagOut:
    """Members flag a thread, reply or resource for the moderators' queue."""
    created = await moderation.flag_content(
        community_id,
        me.user_id,
        kind=body.target_kind,
        target_id=body.target_id,
        reason=body.reason,
        ports=ports,
    )
    return _flag(created)


@router.get(
    "/communities/{community_id}/moderation/queue",
    response_model=FlagPage,
    summary="Moderation queue",
    responses=_READ,
)
async def queue(
    community_id: str, me: CurrentUser, ports: PortsDep, cursor: Cursor = None, limit: Limit = 50
) -> FlagPage:
    """Open flags, oldest first (moderators)."""
    page = await moderation.moderation_queue(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=ports
    )
    return FlagPage(items=[_flag(f) for f in page.items], next_cursor=page.next_cursor)


@router.post(
    "/communities/{community_id}/moderation/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    summary="Hide, restore or remove content",
    responses=_DECIDE,
)
async def decide(
    community_id: str, body: DecisionRequest, me: CurrentUser, ports: PortsDep
) -> DecisionOut:
    """Moderators decide with a recorded reason; the author is notified via the event."""
    decision = await moderation.moderate(
        community_id,
        me.user_id,
        kind=body.target_kind,
        target_id=body.target_id,
        action=Action(body.action),
        reason=body.reason,
        ports=ports,
    )
    return _decision(decision)


@router.get(
    "/communities/{community_id}/moderation/log",
    response_model=DecisionPage,
    summary="Moderation audit log",
    responses=_READ,
)
async def log(
    community_id: str, me: CurrentUser, ports: PortsDep, cursor: Cursor = None, limit: Limit = 50
) -> DecisionPage:
    """Every decision, newest first (moderators)."""
    page = await moderation.moderation_log(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=ports
    )
    return DecisionPage(items=[_decision(d) for d in page.items], next_cursor=page.next_cursor)
