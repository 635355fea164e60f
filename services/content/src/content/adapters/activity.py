"""Per-member activity in MongoDB: read markers and the posting log behind the rate limit."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

READS = "reads"
POST_LOG = "post_log"
POSTERS = "posters"
# Longer than any sensible rate window; the TTL index keeps the log small.
POST_LOG_RETENTION = timedelta(days=1)


def read_marker_id(thread_id: str, user_id: str) -> str:
    """The id of a member's read marker on a thread (threads join on it to find unread ones)."""
    return f"{thread_id}:{user_id}"


class MongoReadMarkers:
    """When each member last read each thread."""

    indexes: Sequence[Indexes] = (
        Indexes(
            READS, (IndexModel([("user_id", ASCENDING), ("thread_id", ASCENDING)], name="user"),)
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[READS]

    async def mark(self, thread_id: str, user_id: str, at: datetime) -> None:
        """Record a read (never moving the marker back)."""
        await self._collection.update_one(
            {"_id": read_marker_id(thread_id, user_id)},
            {"$max": {"read_at": at}, "$set": {"thread_id": thread_id, "user_id": user_id}},
            upsert=True,
        )

    async def read_at(self, user_id: str, thread_ids: Sequence[str]) -> dict[str, datetime]:
        """thread id → when ``user_id`` last read it."""
        docs = await self._collection.find(
            {"user_id": user_id, "thread_id": {"$in": list(thread_ids)}}
        ).to_list()
        return {doc["thread_id"]: doc["read_at"] for doc in docs}


class MongoPostLog:
    """When each member posted recently."""

    indexes: Sequence[Indexes] = (
        Indexes(
            POST_LOG,
            (
                IndexModel([("user_id", ASCENDING), ("at", ASCENDING)], name="user_at"),
                IndexModel(
                    "at",
                    expireAfterSeconds=int(POST_LOG_RETENTION.total_seconds()),
                    name="retention",
                ),
            ),
        ),
        Indexes(POSTERS),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[POST_LOG]
        self._posters = db[POSTERS]

    async def recent(self, user_id: str, since: datetime, session: Session) -> list[datetime]:
        """The member's post times after ``since``."""
        docs = await self._collection.find(
            {"user_id": user_id, "at": {"$gt": since}}, {"at": 1}, session=session
        ).to_list()
        return [doc["at"] for doc in docs]

    async def record(self, user_id: str, at: datetime, session: Session) -> None:
        """Count one post.

        Touching the member's counter makes two concurrent posts of one member conflict, so
        the transaction retry re-reads the log and the limit holds under a burst.
        """
        await self._posters.update_one(
            {"_id": user_id}, {"$inc": {"posts": 1}}, upsert=True, session=session
        )
        await self._collection.insert_one({"user_id": user_id, "at": at}, session=session)

    async def fence(self, user_id: str, session: Session) -> None:
        """Touch the member's counter, as every post does: a concurrent post conflicts."""
        await self._posters.update_one(
            {"_id": user_id}, {"$inc": {"fences": 1}}, upsert=True, session=session
        )
