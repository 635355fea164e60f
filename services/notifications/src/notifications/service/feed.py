"""Reading the in-app feed and marking it read."""

from datetime import UTC, datetime

from notifications.domain.feed import FeedPage
from notifications.service.ports import Feed


async def feed_page(user_id: str, *, feed: Feed, cursor: str | None, limit: int) -> FeedPage:
    """A page of the caller's feed, newest first."""
    return await feed.page(user_id, cursor=cursor, limit=limit)


async def unread_count(user_id: str, *, feed: Feed) -> int:
    """How many notifications the caller has not read."""
    return await feed.unread_count(user_id)


async def mark_read(user_id: str, item_id: str, *, feed: Feed) -> bool:
    """Mark one of the caller's notifications read; False when it is not theirs (or absent)."""
    return await feed.mark_read(user_id, item_id, now=datetime.now(UTC))


async def mark_all_read(user_id: str, *, feed: Feed) -> int:
    """Mark all the caller's notifications read; return how many changed."""
    return await feed.mark_all_read(user_id, now=datetime.now(UTC))
