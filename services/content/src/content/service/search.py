"""Full-text search within a community, over live threads, replies and resources."""

from content.domain.errors import InvalidContent
from content.service.access import viewer_in
from content.service.ports import Ports
from content.service.search_ports import SearchHit

QUERY_MAX = 200


async def search(
    community_id: str, user_id: str, *, query: str, limit: int, ports: Ports
) -> list[SearchHit]:
    """Ranked hits the caller may read; hidden, removed and deleted content is never indexed."""
    text = " ".join(query.split())
    if not text or len(text) > QUERY_MAX:
        raise InvalidContent(f"Search for 1 to {QUERY_MAX} characters.")
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_read()
    return await ports.search.search(
        community_id, text, language=viewer.community.language, limit=limit
    )
