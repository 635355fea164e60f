"""Threads, replies and their edit history in MongoDB."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.documents import SortOrder, after_filter, body_document, body_from
from content.domain.discussions import Reply, Revision, Thread, Visibility
from content.domain.pages import Position
from content.service.ports import ThreadSort

THREADS = "threads"
REPLIES = "replies"
REVISIONS = "revisions"

_THREAD_ORDER: dict[str, SortOrder] = {
    "activity": (("pinned", DESCENDING), ("last_activity_at", DESCENDING), ("_id", DESCENDING)),
    "newest": (("created_at", DESCENDING), ("_id", DESCENDING)),
}
_REPLY_ORDER: SortOrder = (("created_at", ASCENDING), ("_id", ASCENDING))


def _post_fields(post: Thread | Reply) -> dict[str, Any]:
    return {
        "community_id": post.community_id,
        "author_id": post.author_id,
        "body": body_document(post.body),
        "created_at": post.created_at,
        "revision": post.revision,
        "edited_at": post.edited_at,
        "deleted_at": post.deleted_at,
        "visibility": post.visibility.value,
        "reactions": {name: list(who) for name, who in post.reactions.items()},
    }


def _post_args(doc: Document) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "community_id": doc["community_id"],
        "author_id": doc.get("author_id"),
        "body": body_from(doc["body"]),
        "created_at": doc["created_at"],
        "revision": doc["revision"],
        "edited_at": doc.get("edited_at"),
        "deleted_at": doc.get("deleted_at"),
        "visibility": Visibility(doc["visibility"]),
        "reactions": {name: tuple(who) for name, who in doc.get("reactions", {}).items()},
    }


def _shown(include_hidden: bool) -> dict[str, Any]:
    visibilities = ["visible", "hidden"] if include_hidden else ["visible"]
    return {"deleted_at": None, "visibility": {"$in": visibilities}}


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
    ) -> list[Thread]:
        """Threads of a community in ``sort`` order, after a cursor position."""
        order = _THREAD_ORDER[sort]
        query: dict[str, Any] = {"community_id": community_id, **_shown(include_hidden)}
        if category is not None:
            query["category"] = category
        if tag is not None:
            query["tags"] = tag
        query.update(after_filter(order, after))
        docs = await self._collection.find(query).sort(list(order)).limit(limit).to_list()
        return [_thread(doc) for doc in docs]

    async def categories(self, community_id: str) -> dict[str, int]:
        """Categories in use, with how many live threads each holds."""
        docs = await self._collection.find(
            {"community_id": community_id, "category": {"$ne": None}, **_shown(False)},
            {"category": 1},
        ).to_list()
        counts: dict[str, int] = {}
        for doc in docs:
            counts[doc["category"]] = counts.get(doc["category"], 0) + 1
        return dict(sorted(counts.items()))


def _thread_fields(thread: Thread) -> dict[str, Any]:
    return {
        **_post_fields(thread),
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
        **_post_args(doc),
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


class MongoReplies:
    """The replies collection."""

    indexes: Sequence[Indexes] = (
        Indexes(
            REPLIES,
            (
                IndexModel([("thread_id", ASCENDING), *_REPLY_ORDER], name="by_thread"),
                IndexModel("author_id", name="author"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[REPLIES]

    async def add(self, reply: Reply, session: Session) -> None:
        """Insert a new reply."""
        await self._collection.insert_one(
            {"_id": reply.id, **_reply_fields(reply)}, session=session
        )

    async def save(self, reply: Reply, session: Session) -> None:
        """Replace a reply's stored state."""
        await self._collection.replace_one({"_id": reply.id}, _reply_fields(reply), session=session)

    async def get(self, reply_id: str, session: Session | None = None) -> Reply | None:
        """The reply with this id."""
        doc = await self._collection.find_one({"_id": reply_id}, session=session)
        return None if doc is None else _reply(doc)

    async def page(
        self, thread_id: str, *, after: Position | None, limit: int, include_hidden: bool
    ) -> list[Reply]:
        """Replies of a thread in posting order; deleted ones stay as placeholders for the tree."""
        visibilities = ["visible", "hidden"] if include_hidden else ["visible"]
        query: dict[str, Any] = {"thread_id": thread_id, "visibility": {"$in": visibilities}}
        query.update(after_filter(_REPLY_ORDER, after))
        docs = await self._collection.find(query).sort(list(_REPLY_ORDER)).limit(limit).to_list()
        return [_reply(doc) for doc in docs]


def _reply_fields(reply: Reply) -> dict[str, Any]:
    return {**_post_fields(reply), "thread_id": reply.thread_id, "parent_id": reply.parent_id}


def _reply(doc: Document) -> Reply:
    return Reply(**_post_args(doc), thread_id=doc["thread_id"], parent_id=doc.get("parent_id"))


class MongoRevisions:
    """Earlier versions of edited posts."""

    indexes: Sequence[Indexes] = (
        Indexes(
            REVISIONS, (IndexModel([("post_id", ASCENDING), ("revision", ASCENDING)], name="post"),)
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[REVISIONS]

    async def add(self, revision: Revision, session: Session) -> None:
        """Keep a version."""
        await self._collection.insert_one(
            {
                "post_id": revision.post_id,
                "revision": revision.revision,
                "title": revision.title,
                "markdown": revision.markdown,
                "created_at": revision.created_at,
            },
            session=session,
        )

    async def of(self, post_id: str) -> list[Revision]:
        """A post's earlier versions, oldest first."""
        docs = (
            await self._collection.find({"post_id": post_id}).sort("revision", ASCENDING).to_list()
        )
        return [
            Revision(d["post_id"], d["revision"], d.get("title"), d["markdown"], d["created_at"])
            for d in docs
        ]
