"""HTTP routes of communities and their code of conduct."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from membership.domain.communities import Details
from membership.entrypoints.community_schemas import (
    AcceptCode,
    CodeOfConductOut,
    CommunityOut,
    CommunityPage,
    CreateCommunity,
    PublishCode,
    StandingOut,
    UpdateCommunity,
)
from membership.entrypoints.refusals import (
    CHANGE,
    READ,
    Ports,
    encode_cursor,
    problems,
    text_cursor,
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
    body: CreateCommunity, me: CurrentUser, ports: Ports, response: Response
) -> CommunityOut:
    """Create a community; the creator becomes its owner and first member (code version 1)."""
    community = await use.create_community(
        use.Founding(
            details=Details(
                name=body.name,
                slug=body.slug,
                purpose=body.purpose.strip(),
                audience=body.audience.strip(),
                tags=tuple(body.tags),
                language=body.language,
                visibility=body.visibility,
                join_policy=body.join_policy,
            ),
            capacity=body.capacity,
            code_of_conduct=body.code_of_conduct.strip(),
            questions=tuple(q.domain() for q in body.screening_questions),
        ),
        founder_id=me.user_id,
        ports=ports,
    )
    response.headers["Location"] = f"/api/v1/communities/{community.id}"
    _, standing = await use.read_community(community.id, viewer_id=me.user_id, ports=ports)
    return CommunityOut.of(community, standing)


@router.get(
    "",
    response_model=CommunityPage,
    summary="Discover public communities",
    responses=problems(400),
)
async def discover(
    me: CurrentUser,
    *,
    ports: Ports,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    language: Annotated[str | None, Query(pattern="^(it|en)$")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CommunityPage:
    """Public, active communities in slug order; unlisted and private ones are never listed."""
    found = await use.list_communities(
        after=text_cursor(cursor), limit=limit + 1, tag=tag, language=language, ports=ports
    )
    items = found[:limit]
    more = len(found) > limit
    return CommunityPage(
        items=[CommunityOut.of(c) for c in items],
        next_cursor=encode_cursor(items[-1].details.slug) if more else None,
    )


@router.get(
    "/{community_id}", response_model=CommunityOut, summary="Read a community", responses=READ
)
async def read(community_id: str, me: CurrentUser, ports: Ports) -> CommunityOut:
    """A community by id or slug, with your standing; a private one is 404 to outsiders."""
    community, standing = await use.read_community(community_id, viewer_id=me.user_id, ports=ports)
    return CommunityOut.of(community, standing)


@router.patch(
    "/{community_id}",
    response_model=CommunityOut,
    summary="Change settings",
    responses=CHANGE,
)
async def update(
    community_id: str, body: UpdateCommunity, me: CurrentUser, ports: Ports
) -> CommunityOut:
    """Owner only. Raising the capacity offers the new seats to the waitlist, in order;
    lowering it below the seats taken is refused."""
    fields = body.model_dump(exclude_unset=True, exclude={"screening_questions", "tags"})
    changes = use.Changes(
        **fields,
        tags=None if body.tags is None else tuple(body.tags),
        questions=None
        if body.screening_questions is None
        else tuple(q.domain() for q in body.screening_questions),
    )
    community = await use.update_community(community_id, changes, actor_id=me.user_id, ports=ports)
    _, standing = await use.read_community(community.id, viewer_id=me.user_id, ports=ports)
    return CommunityOut.of(community, standing)


@router.post(
    "/{community_id}/archive",
    response_model=CommunityOut,
    summary="Archive",
    responses=CHANGE,
)
async def archive(community_id: str, me: CurrentUser, ports: Ports) -> CommunityOut:
    """Owner only: the community becomes read-only and admits nobody."""
    community = await use.archive_community(community_id, actor_id=me.user_id, ports=ports)
    return CommunityOut.of(community)


@router.get(
    "/{community_id}/code-of-conduct",
    response_model=CodeOfConductOut,
    summary="The code of conduct in force",
    responses=READ,
)
async def code_of_conduct(community_id: str, me: CurrentUser, ports: Ports) -> CodeOfConductOut:
    """The current version and whether you must (re-)accept it."""
    community, standing = await use.read_community(community_id, viewer_id=me.user_id, ports=ports)
    code = community.code_of_conduct
    return CodeOfConductOut(
        community_id=community.id,
        version=code.version,
        text=code.text,
        published_at=code.published_at,
        accepted_version=standing.code_version if standing else None,
        accepted_at=standing.code_accepted_at if standing else None,
        must_accept=standing.needs_code_acceptance(code.version) if standing else False,
    )


@router.post(
    "/{community_id}/code-of-conduct",
    status_code=status.HTTP_201_CREATED,
    response_model=CodeOfConductOut,
    summary="Publish a new version",
    responses=CHANGE,
)
async def publish(
    community_id: str, body: PublishCode, me: CurrentUser, ports: Ports
) -> CodeOfConductOut:
    """Owner only. Every other member must accept the new version before posting again."""
    community = await use.publish_code_of_conduct(
        community_id, body.text.strip(), actor_id=me.user_id, ports=ports
    )
    code = community.code_of_conduct
    return CodeOfConductOut(
        community_id=community.id,
        version=code.version,
        text=code.text,
        published_at=code.published_at,
        accepted_version=code.version,
        accepted_at=code.published_at,
    )


@router.post(
    "/{community_id}/code-of-conduct/acceptance",
    response_model=StandingOut,
    summary="Accept the code of conduct",
    responses=CHANGE,
)
async def accept_code(
    community_id: str, body: AcceptCode, me: CurrentUser, ports: Ports
) -> StandingOut:
    """Members accept the current version; recorded with version and time."""
    standing = await use.accept_code_of_conduct(
        community_id, body.version, user_id=me.user_id, ports=ports
    )
    return StandingOut.of(standing, body.version)
