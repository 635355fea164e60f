"""The in-app feed: what a person sees in the app, read or unread."""

import re
from dataclasses import dataclass
from datetime import datetime

from notifications.domain.categories import Category


@dataclass(frozen=True)
class FeedItem:
    """One notification in a person's feed."""

    id: str
    key: str
    user_id: str
    event_id: str
    kind: str
    category: Category
    title: str
    body: str
    link: str
    community_id: str | None
    actor_id: str | None
    created_at: datetime
    read_at: datetime | None = None


#: A feed item's id: 24 hex digits, ordered by creation (cursors and the stream resume by it).
_ITEM_ID = re.compile(r"[0-9a-f]{24}")


def is_item_id(value: object) -> bool:
    """Whether ``value`` can name a feed item."""
    return isinstance(value, str) and _ITEM_ID.fullmatch(value) is not None
