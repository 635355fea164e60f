"""HTTP route of full-text search."""

from typing import Annotated

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from content.entrypoints.deps import Deps
from content.entrypoints.schemas import documented
from content.entrypoints.schemas_search import SearchResults, search_results
from content.service.search import QUERY_MAX, search

router = APIRouter(prefix="/api/v1", tags=["search"], responses=documented(401))


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Search a community",
    responses=documented(403, 404, 422),
)
async def search_community(
    me: CurrentUser,
    deps: Deps,
    community_id: Annotated[Line, Query(min_length=1, max_length=64)],
    q: Annotated[Line, Query(min_length=1, max_length=QUERY_MAX, examples=["retrospective"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchResults:
    """Full-text search (stemmed, ranked) over live threads, replies and resources."""
    hits = await search(community_id, me.user_id, query=q, limit=limit, ports=deps.ports)
    return search_results(hits)
