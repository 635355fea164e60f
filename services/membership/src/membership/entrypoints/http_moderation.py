"""HTTP routes of moderation: roles, removals, bans and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.text import Line
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import CHANGE, problems
from membership.entrypoints.schemas_communities import StandingOut
from membership.entrypoints.schemas_members import (
    AuditPage,
    Ban,
    BanLiftedOut,
    BanOut,
    ChangeRole,
    LiftBan,
    Removal,
    RolesOut,
)
from membership.service import moderation as use

router = APIRouter(prefix="/api/v1/communities/{community_id}", tags=["moderation"])


@router.put(
    "/members/{user_id}/role", response_model=RolesOut, summary="Change a role", responses=CHANGE
)
async def change_role(
    community_id: str, user_id: str, body: ChangeRole, me: CurrentUser, deps: Deps
) -> RolesOut:
    """Owner only. ``owner`` transfers ownership: you stay on as a moderator."""
    changed = await use.change_role(
        community_id, user_id, role=body.role, actor_id=me.user_id, ports=deps.community
    )
    return RolesOut.of(changed)


@router.post(
    "/members/{user_id}/removal",
    response_model=StandingOut,
    summary="Remove a member",
    responses=CHANGE,
)
async def remove(
    community_id: str, user_id: str, body: Removal, me: CurrentUser, deps: Deps
) -> StandingOut:
    """Moderators remove members, the owner also moderators; the seat goes to the next in line."""
    gone = await use.remove_member(
        community_id, user_id, reason=body.reason, actor_id=me.user_id, ports=deps.community
    )
    return StandingOut.of(gone, 0)


@router.post(
    "/bans",
    status_code=status.HTTP_201_CREATED,
    response_model=BanOut,
    summary="Ban someone",
    responses=CHANGE,
)
async def ban(community_id: str, body: Ban, me: CurrentUser, deps: Deps) -> BanOut:
    """Moderators only: out for good; applications, invitations and rejoining are refused."""
    banned = await use.ban(
        community_id, body.user_id, reason=body.reason, actor_id=me.user_id, ports=deps.community
    )
    return BanOut.of(banned)


@router.post(
    "/bans/{user_id}/lift",
    response_model=BanLiftedOut,
    summary="Lift a ban",
    responses=CHANGE,
)
async def lift_ban(
    community_id: str, user_id: str, body: LiftBan, me: CurrentUser, deps: Deps
) -> BanLiftedOut:
    """Moderators only: the person may apply, be invited or join again (they are not re-admitted
    by this). The reason goes to the audit log; someone not banned is a 409."""
    lifted = await use.lift_ban(
        community_id, user_id, reason=body.reason, actor_id=me.user_id, ports=deps.community
    )
    return BanLiftedOut.of(lifted, reason=body.reason)


@router.get(
    "/audit", response_model=AuditPage, summary="Audit log", responses=problems(400, 403, 404)
)
async def audit(
    community_id: str,
    me: CurrentUser,
    deps: Deps,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> AuditPage:
    """Moderation and admission decisions, newest first (owner and moderators only)."""
    page = await use.audit_trail(
        community_id, cursor=cursor, limit=limit, viewer_id=me.user_id, ports=deps.community
    )
    return AuditPage.of(page)
