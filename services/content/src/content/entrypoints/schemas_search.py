"""Response bodies of the search API."""

from typing import Literal

from pydantic import BaseModel

from content.service.search_ports import SearchHit


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


def search_results(hits: list[SearchHit]) -> SearchResults:
    """The response for ranked hits."""
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
