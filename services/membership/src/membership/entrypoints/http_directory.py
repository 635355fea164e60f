"""HTTP routes of the member directory and of my communities."""

from typing import Annotated

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.text import Line
from membership.domain.directory import DirectoryQuery
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import problems
from membership.entrypoints.schemas_communities import MyCommunities
from membership.entrypoints.schemas_members import DirectoryPage
from membership.service import directory as use

router = APIRouter(prefix="/api/v1", tags=["directory"])
Filter = Annotated[Line | None, Query(min_length=1, max_length=80)]


@router.get(
    "/communities/{community_id}/directory",
    response_model=DirectoryPage,
    summary="Directory",
    responses=problems(400, 404),
)
async def directory(
    community_id: str,
    me: CurrentUser,
    *,
    deps: Deps,
    q: Filter = None,
    skill: Filter = None,
    interest: Filter = None,
    cursor: Annotated[Line | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> DirectoryPage:
    """Members by name; search name/handle with ``q``, filter by skill and interest.
    A private community's directory is visible to its members only."""
    query = DirectoryQuery(text=q, skill=skill, interest=interest, cursor=cursor, limit=limit)
    page = await use.directory(community_id, query, viewer_id=me.user_id, ports=deps.community)
    return DirectoryPage.of(page)


@router.get(
    "/me/communities", response_model=MyCommunities, summary="My communities", responses=problems()
)
async def my_communities(me: CurrentUser, deps: Deps) -> MyCommunities:
    """Where I am a member (with my role), in line (with my position), offered a seat, or
    applying; and whether I must accept a new code of conduct."""
    return MyCommunities.of(await use.my_communities(user_id=me.user_id, ports=deps.community))
