"""HTTP route of full-text search."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.dependencies import PortsDep
from content.entrypoints.responses import documented
from content.service.search import QUERY_MAX, search

router = APIRouter(prefix="/api/v1", tags=["search"], responses=documented(401))


class SearchHitOut(BaseModel):
    """One ranked result."""

    kind: Literal["thread", "reply", "resource"]
    id: str
    thread_id: str | None
    title: str
    excerpt: str
    score: float


class SearchResults(BaseModel):
    """Results, best first."""

    items: list[SearchHitOut]


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Search a community",
    responses=documented(403, 404, 422),
)
async def search_community(
    me: CurrentUser,
    ports: PortsDep,
    community_id: Annotated[str, Query(min_length=1, max_length=64)],
    q: Annotated[str, Query(min_length=1, max_length=QUERY_MAX, examples=["retrospective"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchResults:
    """Full-text search (stemmed, ranked) over live threads, replies and resources."""
    hits = await search(community_id, me.user_id, query=q, limit=limit, ports=ports)
    return SearchResults(
        items=[
            SearchHitOut(
                kind=h.kind,
                id=h.id,
                thread_id=h.thread_id,
                title=h.title,
                excerpt=h.excerpt,
                score=h.score,
            )
            for h in hits
        ]
    )
