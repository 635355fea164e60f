"""HTTP routes of communities and their code of conduct."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser, MaybeCurrentUser
from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.text import Line
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import CHANGE, READ, problems
from membership.entrypoints.schemas_communities import (
    AcceptCode,
    CodeOfConductOut,
    CommunityOut,
    CommunityPage,
    CreateCommunity,
    PublishCode,
    StandingOut,
    UpdateCommunity,
)
from membership.service import communities as use

router = APIRouter(prefix="/api/v1/communities", tags=["communities"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CommunityOut,
    summary="Found a community",
    responses=problems(409),
)
async def create(
    body: CreateCommunity, me: CurrentUser, deps: Deps, response: Response
) -> CommunityOut:
    """Create a community; the creator becomes its owner and first member (code version 1)."""
    community, founder = await use.create_community(
        body.founding(), founder_id=me.user_id, ports=deps.community
    )
    response.headers["Location"] = f"/api/v1/communities/{community.id}"
    return CommunityOut.of(community, founder)


@router.get(
    "",
    response_model=CommunityPage,
    summary="Discover public communities",
    responses=problems(400),
)
async def discover(
    me: MaybeCurrentUser,
    *,
    deps: Deps,
    q: Annotated[
        Line | None,
        Query(
            min_length=1,
            max_length=200,
            description="Words to look for in the name, purpose, audience and tags.",
        ),
    ] = None,
    tag: Annotated[Line | None, Query(max_length=40)] = None,
    language: Annotated[Line | None, Query(pattern="^(it|en)$")] = None,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> CommunityPage:
    """Public, active communities, for anyone (no token needed); unlisted and private ones are
    never listed. In slug order, or with `q` those matching its words (stemmed, accents
    ignored), most relevant first: a word in the name counts most, then tags, then purpose and
    audience. A full community says how many wait for a seat (`waitlist_length`)."""
    page = await use.list_communities(
        cursor=cursor, limit=limit, tag=tag, language=language, q=q, ports=deps.community
    )
    return CommunityPage.of(page, await use.waiting_in_full(page.items, ports=deps.community))


@router.get(
    "/{community_id}", response_model=CommunityOut, summary="Read a community", responses=READ
)
async def read(community_id: str, me: MaybeCurrentUser, deps: Deps) -> CommunityOut:
    """A community by id or slug: purpose, audience, code of conduct, seats and how many wait,
    with your standing (and place in line) when signed in. Anyone may read a public community
    without a token; a private one is 404 to outsiders, an unlisted one to anonymous callers."""
    page = await use.read_community(
        community_id, viewer_id=None if me is None else me.user_id, ports=deps.community
    )
    return CommunityOut.page(page)


@router.patch(
    "/{community_id}",
    response_model=CommunityOut,
    summary="Change settings",
    responses=CHANGE,
)
async def update(
    community_id: str, body: UpdateCommunity, me: CurrentUser, deps: Deps
) -> CommunityOut:
    """Owner only. Raising the capacity offers the new seats to the waitlist, in order;
    lowering it below the seats taken is refused."""
    community, standing = await use.update_community(
        community_id, body.changes(), actor_id=me.user_id, ports=deps.community
    )
    return CommunityOut.of(community, standing)


@router.post(
    "/{community_id}/archive",
    response_model=CommunityOut,
    summary="Archive",
    responses=CHANGE,
)
async def archive(community_id: str, me: CurrentUser, deps: Deps) -> CommunityOut:
    """Owner only: the community becomes read-only and admits nobody."""
    community = await use.archive_community(community_id, actor_id=me.user_id, ports=deps.community)
    return CommunityOut.of(community)


@router.get(
    "/{community_id}/code-of-conduct",
    response_model=CodeOfConductOut,
    summary="The code of conduct in force",
    responses=READ,
)
async def code_of_conduct(community_id: str, me: CurrentUser, deps: Deps) -> CodeOfConductOut:
    """The current version and whether you must (re-)accept it."""
    page = await use.read_community(community_id, viewer_id=me.user_id, ports=deps.community)
    return CodeOfConductOut.of(page.community, page.standing)


@router.post(
    "/{community_id}/code-of-conduct",
    status_code=status.HTTP_201_CREATED,
    response_model=CodeOfConductOut,
    summary="Publish a new version",
    responses=CHANGE,
)
async def publish(
    community_id: str, body: PublishCode, me: CurrentUser, deps: Deps
) -> CodeOfConductOut:
    """Owner only. Every other member must accept the new version before posting again."""
    community, owner = await use.publish_code_of_conduct(
        community_id, body.text, actor_id=me.user_id, ports=deps.community
    )
    return CodeOfConductOut.of(community, owner)


@router.post(
    "/{community_id}/code-of-conduct/acceptance",
    response_model=StandingOut,
    summary="Accept the code of conduct",
    responses=CHANGE,
)
async def accept_code(
    community_id: str, body: AcceptCode, me: CurrentUser, deps: Deps
) -> StandingOut:
    """Members accept the current version; recorded with version and time."""
    standing = await use.accept_code_of_conduct(
        community_id, body.version, user_id=me.user_id, ports=deps.community
    )
    return StandingOut.of(standing, body.version)
