"""HTTP routes of moderation: flags, the queue, decisions and the audit log."""

from fastapi import APIRouter, status

from cerchia_chassis.auth import CurrentUser
from content.domain.moderation import Action
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented
from content.entrypoints.schemas_moderation import (
    DecisionOut,
    DecisionPage,
    DecisionRequest,
    FlagOut,
    FlagPage,
    FlagRequest,
    decision_out,
    flag_out,
)
from content.service import moderation

router = APIRouter(prefix="/api/v1", tags=["moderation"], responses=documented(401))
_FLAG = documented(403, 404, 422)
_DECIDE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)
_PAGE = documented(400, 403, 404, 422)


@router.post(
    "/communities/{community_id}/flags",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagOut,
    summary="Flag content",
    responses=_FLAG,
)
async def flag(community_id: str, body: FlagRequest, me: CurrentUser, deps: Deps) -> FlagOut:
    """Members flag a thread, reply or resource for the moderators' queue."""
    created = await moderation.flag_content(
        community_id,
        me.user_id,
        kind=body.target_kind,
        target_id=body.target_id,
        reason=body.reason,
        ports=deps.ports,
    )
    return flag_out(created)


@router.get(
    "/communities/{community_id}/moderation/queue",
    response_model=FlagPage,
    summary="Moderation queue",
    responses=_PAGE,
)
async def queue(
    community_id: str, me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 50
) -> FlagPage:
    """Open flags, oldest first (moderators)."""
    page = await moderation.moderation_queue(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    return FlagPage(items=[flag_out(f) for f in page.items], next_cursor=page.next_cursor)


@router.post(
    "/communities/{community_id}/moderation/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    summary="Hide, restore or remove content",
    responses=_DECIDE,
)
async def decide(
    community_id: str, body: DecisionRequest, me: CurrentUser, deps: Deps
) -> DecisionOut:
    """Moderators decide with a recorded reason; the author is notified via the event."""
    decision = await moderation.moderate(
        community_id,
        me.user_id,
        kind=body.target_kind,
        target_id=body.target_id,
        action=Action(body.action),
        reason=body.reason,
        ports=deps.ports,
    )
    return decision_out(decision)


@router.get(
    "/communities/{community_id}/moderation/log",
    response_model=DecisionPage,
    summary="Moderation audit log",
    responses=_PAGE,
)
async def log(
    community_id: str, me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 50
) -> DecisionPage:
    """Every decision, newest first (moderators)."""
    page = await moderation.moderation_log(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    return DecisionPage(items=[decision_out(d) for d in page.items], next_cursor=page.next_cursor)
