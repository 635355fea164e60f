"""Threads in MongoDB, listed by activity or age, optionally only those unread by a member."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.activity import READS, read_marker_id
from content.adapters.documents import (
    SortOrder,
    after_filter,
    live_by_author_since,
    post_args,
    post_fields,
    shown,
)
from content.domain.discussions import Thread
from content.service.discussion_ports import ThreadSort

THREADS = "threads"

_THREAD_ORDER: dict[str, SortOrder] = {
    "activity": (("pinned", DESCENDING), ("last_activity_at", DESCENDING), ("_id", DESCENDING)),
    "newest": (("created_at", DESCENDING), ("_id", DESCENDING)),
}


class MongoThreads:
    """The threads collection."""

    indexes: Sequence[Indexes] = (
        Indexes(
            THREADS,
            (
                IndexModel(
                    [("community_id", ASCENDING), *_THREAD_ORDER["activity"]], name="by_activity"
                ),
                IndexModel(
                    [("community_id", ASCENDING), *_THREAD_ORDER["newest"]], name="by_newest"
                ),
                IndexModel("recap_id", name="recap", sparse=True),
                IndexModel("author_id", name="author"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[THREADS]

    async def add(self, thread: Thread, session: Session) -> None:
        """Insert a new thread."""
        await self._collection.insert_one(
            {"_id": thread.id, **_thread_fields(thread)}, session=session
        )

    async def save(self, thread: Thread, session: Session) -> None:
        """Replace a thread's stored state."""
        await self._collection.replace_one(
            {"_id": thread.id}, _thread_fields(thread), session=session
        )

    async def get(self, thread_id: str, session: Session | None = None) -> Thread | None:
        """The thread with this id."""
        doc = await self._collection.find_one({"_id": thread_id}, session=session)
        return None if doc is None else _thread(doc)

    async def by_recap(self, recap_id: str, session: Session) -> Thread | None:
        """The thread opened for a gathering's recap."""
        doc = await self._collection.find_one({"recap_id": recap_id}, session=session)
        return None if doc is None else _thread(doc)

    async def page(
        self,
        community_id: str,
        *,
        sort: ThreadSort,
        after: Position | None,
        limit: int,
        category: str | None,
        tag: str | None,
        include_hidden: bool,
        unread_for: str | None = None,
    ) -> list[Thread]:
        """Threads of a community in ``sort`` order, after a cursor position; with
        ``unread_for``, only those with activity after that member's read marker."""
        order = _THREAD_ORDER[sort]
        query: dict[str, Any] = {"community_id": community_id, **shown(include_hidden)}
        if category is not None:
            query["category"] = category
        if tag is not None:
            query["tags"] = tag
        query.update(after_filter(order, after))
        if unread_for is None:
            docs = await self._collection.find(query).sort(list(order)).limit(limit).to_list()
        else:
            cursor = await self._collection.aggregate(
                [
                    {"$match": query},
                    {"$sort": dict(order)},
                    *_unread_by(unread_for),
                    {"$limit": limit},
                ]
            )
            docs = await cursor.to_list()
        return [_thread(doc) for doc in docs]

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Thread]:
        """The author's live threads in the community opened at or after ``since``."""
        docs = await self._collection.find(
            live_by_author_since(community_id, author_id, since), session=session
        ).to_list()
        return [_thread(doc) for doc in docs]

    async def categories(self, community_id: str) -> dict[str, int]:
        """Categories in use, with how many live threads each holds."""
        docs = await self._collection.find(
            {"community_id": community_id, "category": {"$ne": None}, **shown(False)},
            {"category": 1},
        ).to_list()
        counts: dict[str, int] = {}
        for doc in docs:
            counts[doc["category"]] = counts.get(doc["category"], 0) + 1
        return dict(sorted(counts.items()))


def _unread_by(user_id: str) -> list[dict[str, Any]]:
    """Stages keeping threads with activity after the member's read marker (or never read).

    The filter runs in the database before the limit, so a page of unread threads is full.
    The marker is joined on its id (thread id, user id) with a plain equality lookup, and the
    comparison happens after an unwind: the MongoDB-compatible server in use evaluates neither
    a correlated lookup pipeline nor ``$max`` over an array path.
    """
    marker = "_read_marker"
    suffix = read_marker_id("", user_id)
    return [
        {"$addFields": {f"{marker}_id": {"$concat": ["$_id", {"$literal": suffix}]}}},
        {
            "$lookup": {
                "from": READS,
                "localField": f"{marker}_id",
                "foreignField": "_id",
                "as": marker,
            }
        },
        {"$unwind": {"path": f"${marker}", "preserveNullAndEmptyArrays": True}},
        {
            "$match": {
                "$or": [
                    {marker: {"$exists": False}},
                    {"$expr": {"$gt": ["$last_activity_at", f"${marker}.read_at"]}},
                ]
            }
        },
        {"$project": {marker: 0, f"{marker}_id": 0}},
    ]


def _thread_fields(thread: Thread) -> dict[str, Any]:
    return {
        **post_fields(thread),
        "title": thread.title,
        "category": thread.category,
        "tags": list(thread.tags),
        "last_activity_at": thread.last_activity_at,
        "reply_count": thread.reply_count,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "followers": list(thread.followers),
        "linked_event_id": thread.linked_event_id,
        "recap_id": thread.recap_id,
    }


def _thread(doc: Document) -> Thread:
    return Thread(
        **post_args(doc),
        title=doc["title"],
        category=doc.get("category"),
        tags=tuple(doc.get("tags", ())),
        last_activity_at=doc.get("last_activity_at"),
        reply_count=doc.get("reply_count", 0),
        pinned=doc.get("pinned", False),
        locked=doc.get("locked", False),
        followers=tuple(doc.get("followers", ())),
        linked_event_id=doc.get("linked_event_id"),
        recap_id=doc.get("recap_id"),
    )
