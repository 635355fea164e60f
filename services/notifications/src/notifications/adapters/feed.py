"""The in-app feed in MongoDB; its change stream feeds the realtime stream."""

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import InvalidCursor
from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.domain.categories import Category
from notifications.domain.feed import FeedItem

FEED = "feed"


def object_id(value: str | None) -> ObjectId | None:
    """A feed item id from its string form, or None when malformed."""
    if not value:
        return None
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


class MongoFeed:
    """Feed items keyed by an ObjectId, which orders them by creation (cursor and stream ids)."""

    indexes: Sequence[Indexes] = (
        Indexes(
            FEED,
            (
                IndexModel("key", unique=True, name="key_unique"),
                IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)], name="by_user"),
                IndexModel([("user_id", ASCENDING), ("read_at", ASCENDING)], name="unread"),
                IndexModel("actor_id", name="by_actor"),  # erasure
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[FEED]

    async def add(self, items: Sequence[FeedItem], session: Session) -> None:
        """Store items in one bulk write, in the caller's transaction."""
        if items:
            await self._collection.insert_many(
                [_to_document(item) for item in items], session=session, ordered=True
            )

    async def page(self, user_id: str, *, before: str | None, limit: int) -> list[FeedItem]:
        """Newest first, older than the item ``before`` (an id this feed gave out)."""
        query: Document = {"user_id": user_id}
        if before is not None:
            position = object_id(before)
            if position is None:
                raise InvalidCursor
            query["_id"] = {"$lt": position}
        docs = await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return [_from_document(doc) for doc in docs]

    async def unread_count(self, user_id: str) -> int:
        """Unread items of a person."""
        return await self._collection.count_documents({"user_id": user_id, "read_at": None})

    async def mark_read(self, user_id: str, item_id: str, *, now: datetime) -> bool:
        """Mark one item read, only if it belongs to ``user_id``."""
        oid = object_id(item_id)
        if oid is None:
            return False
        mine = {"_id": oid, "user_id": user_id}
        result = await self._collection.update_one(
            {**mine, "read_at": None}, {"$set": {"read_at": now}}
        )
        return result.matched_count == 1 or await self._collection.count_documents(mine) == 1

    async def mark_all_read(self, user_id: str, *, now: datetime) -> int:
        """Mark every unread item of a person read."""
        result = await self._collection.update_many(
            {"user_id": user_id, "read_at": None}, {"$set": {"read_at": now}}
        )
        return result.modified_count

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget a person's feed, and the notices about what they did in other people's feeds
        (their texts name the person)."""
        await self._collection.delete_many(
            {"$or": [{"user_id": user_id}, {"actor_id": user_id}]}, session=session
        )

    async def follow(self, user_id: str, last_id: str | None) -> AsyncIterator[FeedItem]:
        """Items after ``last_id`` (none of the past when it is None), then new ones as they come.

        The change stream opens before the backlog is read, so nothing inserted in between is
        missed; ids already sent are skipped.
        """
        pipeline = [{"$match": {"operationType": "insert", "fullDocument.user_id": user_id}}]
        async with await self._collection.watch(pipeline, max_await_time_ms=1000) as stream:
            sent = object_id(last_id)
            if sent is not None:
                backlog = self._collection.find({"user_id": user_id, "_id": {"$gt": sent}}).sort(
                    "_id", ASCENDING
                )
                async for doc in backlog:
                    sent = doc["_id"]
                    yield _from_document(doc)
            while stream.alive:
                change = await stream.try_next()
                if change is None:
                    continue
                doc = change["fullDocument"]
                if sent is not None and doc["_id"] <= sent:
                    continue
                sent = doc["_id"]
                yield _from_document(doc)


def _to_document(item: FeedItem) -> Document:
    return {
        "_id": ObjectId(),
        "key": item.key,
        "user_id": item.user_id,
        "event_id": item.event_id,
        "kind": item.kind,
        "category": item.category.value,
        "title": item.title,
        "body": item.body,
        "link": item.link,
        "community_id": item.community_id,
        "actor_id": item.actor_id,
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


def _from_document(doc: Document) -> FeedItem:
    return FeedItem(
        id=str(doc["_id"]),
        key=doc["key"],
        user_id=doc["user_id"],
        event_id=doc["event_id"],
        kind=doc["kind"],
        category=Category(doc["category"]),
        title=doc["title"],
        body=doc["body"],
        link=doc["link"],
        community_id=doc.get("community_id"),
        actor_id=doc.get("actor_id"),
        created_at=doc["created_at"],
        read_at=doc.get("read_at"),
    )
