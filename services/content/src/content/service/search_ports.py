"""What the use cases need of the full-text index."""

from dataclasses import dataclass
from typing import Literal, Protocol

from cerchia_chassis.ports import Session

SearchKind = Literal["thread", "reply", "resource"]


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result."""

    kind: SearchKind
    id: str
    thread_id: str | None
    title: str
    excerpt: str
    score: float


class SearchIndex(Protocol):
    """The tokenized full-text index over live content."""

    async def put(
        self,
        *,
        kind: SearchKind,
        object_id: str,
        community_id: str,
        thread_id: str | None,
        title: str,
        body: str,
        language: str,
        session: Session,
        title_searchable: bool = True,
    ) -> None:
        """Index (or re-index) one object; ``title`` is shown with the hit, and its words
        match only if ``title_searchable`` (a reply shows its thread's title but is found by
        its own words only)."""
        ...

    async def drop(self, kind: SearchKind, object_id: str, session: Session) -> None: ...

    async def drop_thread(self, thread_id: str, session: Session) -> None:
        """Remove a thread and every reply in it from the index."""
        ...

    async def search(
        self, community_id: str, query: str, *, language: str, limit: int
    ) -> list[SearchHit]: ...
