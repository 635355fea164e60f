"""Replies and the edit history of posts in MongoDB."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.documents import (
    SortOrder,
    after_filter,
    live_by_author_since,
    post_args,
    post_fields,
    shown,
)
from content.domain.discussions import Reply, Revision

REPLIES = "replies"
REVISIONS = "revisions"

_REPLY_ORDER: SortOrder = (("created_at", ASCENDING), ("_id", ASCENDING))


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

    async def live_in(self, thread_id: str, session: Session) -> list[Reply]:
        """The thread's replies that are neither deleted nor hidden nor removed."""
        docs = await self._collection.find(
            {"thread_id": thread_id, **shown(False)}, session=session
        ).to_list()
        return [_reply(doc) for doc in docs]

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Reply]:
        """The author's live replies in the community posted at or after ``since``."""
        docs = await self._collection.find(
            live_by_author_since(community_id, author_id, since), session=session
        ).to_list()
        return [_reply(doc) for doc in docs]


def _reply_fields(reply: Reply) -> dict[str, Any]:
    return {**post_fields(reply), "thread_id": reply.thread_id, "parent_id": reply.parent_id}


def _reply(doc: Document) -> Reply:
    return Reply(**post_args(doc), thread_id=doc["thread_id"], parent_id=doc.get("parent_id"))


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

    async def drop(self, post_id: str, session: Session) -> None:
        """Forget every earlier version of a post."""
        await self._collection.delete_many({"post_id": post_id}, session=session)

    async def of(self, post_id: str) -> list[Revision]:
        """A post's earlier versions, oldest first."""
        docs = (
            await self._collection.find({"post_id": post_id}).sort("revision", ASCENDING).to_list()
        )
        return [
            Revision(d["post_id"], d["revision"], d.get("title"), d["markdown"], d["created_at"])
            for d in docs
        ]
