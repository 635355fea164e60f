"""HTTP routes of the member directory and of my communities."""

from typing import Annotated

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import Problem
from membership.domain.directory import DirectoryQuery
from membership.entrypoints.community_schemas import (
    CommunityOut,
    MyCommunities,
    MyCommunityOut,
    StandingOut,
)
from membership.entrypoints.member_schemas import DirectoryEntry, DirectoryPage
from membership.entrypoints.refusals import Ports, decode_cursor, encode_cursor, problems
from membership.service import directory as use

router = APIRouter(prefix="/api/v1", tags=["directory"])
Filter = Annotated[str | None, Query(min_length=1, max_length=80)]


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
    ports: Ports,
    q: Filter = None,
    skill: Filter = None,
    interest: Filter = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DirectoryPage:
    """Members by name; search name/handle with ``q``, filter by skill and interest.
    A private community's directory is visible to its members only."""
    after = decode_cursor(cursor)
    if after is not None and not (
        isinstance(after, list) and len(after) == 2 and all(isinstance(x, str) for x in after)
    ):
        raise Problem(400, "invalid-cursor", "The cursor is not one this API issued.")
    listings, next_key = await use.directory(
        community_id,
        DirectoryQuery(
            text=q,
            skill=skill,
            interest=interest,
            after=None if after is None else (after[0], after[1]),
            limit=limit,
        ),
        viewer_id=me.user_id,
        ports=ports,
    )
    return DirectoryPage(
        items=[DirectoryEntry.of(x) for x in listings],
        next_cursor=None if next_key is None else encode_cursor(list(next_key)),
    )


@router.get(
    "/me/communities", response_model=MyCommunities, summary="My communities", responses=problems()
)
async def my_communities(me: CurrentUser, ports: Ports) -> MyCommunities:
    """Where I am a member (with my role), in line (with my position), offered a seat, or
    applying; and whether I must accept a new code of conduct."""
    mine = await use.my_communities(user_id=me.user_id, ports=ports)
    return MyCommunities(
        items=[
            MyCommunityOut(
                community=CommunityOut.of(m.community),
                standing=StandingOut.of(
                    m.standing, m.community.code_of_conduct.version, m.position
                ),
            )
            for m in mine
        ]
    )
