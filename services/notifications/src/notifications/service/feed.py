"""Reading the in-app feed, following it live, and marking it read."""

from collections.abc import AsyncIterator

from cerchia_chassis.domain.cursors import InvalidCursor, Page, decode_optional, page_of
from notifications.domain.errors import NotificationNotFound
from notifications.domain.feed import FeedItem, is_item_id
from notifications.service.ports import Ports


def _before(cursor: str | None) -> str | None:
    position = decode_optional(cursor, arity=1)
    if position is None:
        return None
    (item_id,) = position
    if not is_item_id(item_id):
        raise InvalidCursor
    return str(item_id)


async def feed_page(
    user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[FeedItem]:
    """A page of the caller's feed, newest first; the cursor continues after its last item."""
    items = await ports.feed.page(user_id, before=_before(cursor), limit=limit + 1)
    return page_of(items, limit, lambda item: (item.id,))


def follow_feed(user_id: str, last_id: str | None, *, ports: Ports) -> AsyncIterator[FeedItem]:
    """What the caller missed after ``last_id``, then their new notifications as they come."""
    return ports.feed.follow(user_id, last_id)


async def unread_count(user_id: str, *, ports: Ports) -> int:
    """How many notifications the caller has not read."""
    return await ports.feed.unread_count(user_id)


async def mark_read(user_id: str, item_id: str, *, ports: Ports) -> None:
    """Mark one of the caller's notifications read (someone else's is reported as absent)."""
    if not await ports.feed.mark_read(user_id, item_id, now=ports.clock()):
        raise NotificationNotFound


async def mark_all_read(user_id: str, *, ports: Ports) -> int:
    """Mark all the caller's notifications read; return how many changed."""
    return await ports.feed.mark_all_read(user_id, now=ports.clock())
