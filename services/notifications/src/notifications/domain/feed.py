"""The in-app feed: what a person sees in the app, read or unread."""

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


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed, newest first, and the cursor of the next (older) page."""

    items: list[FeedItem]
    next_cursor: str | None
