"""Recaps in MongoDB, one per gathering."""

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.recaps import Recap, RecapLink

RECAPS = "recaps"


class MongoRecaps:
    """The recaps collection, keyed by gathering id."""

    indexes: Sequence[Indexes] = (Indexes(RECAPS),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[RECAPS]

    async def get(self, gathering_id: str, session: Session | None = None) -> Recap | None:
        """The gathering's recap, if published."""
        doc = await self._collection.find_one({"_id": gathering_id}, session=session)
        if doc is None:
            return None
        return Recap(
            id=doc["recap_id"],
            gathering_id=doc["_id"],
            author_id=doc["author_id"],
            notes=doc["notes"],
            links=tuple(RecapLink(title=link["title"], url=link["url"]) for link in doc["links"]),
            published_at=doc["published_at"],
            revision=doc["revision"],
        )

    async def save(self, recap: Recap, session: Session) -> None:
        """Store the recap (a revision replaces the previous one)."""
        await self._collection.replace_one(
            {"_id": recap.gathering_id},
            {
                "recap_id": recap.id,
                "author_id": recap.author_id,
                "notes": recap.notes,
                "links": [{"title": link.title, "url": link.url} for link in recap.links],
                "published_at": recap.published_at,
                "revision": recap.revision,
            },
            upsert=True,
            session=session,
        )

    async def replace_author(self, author_id: str, replacement: str, session: Session) -> None:
        """Credit ``replacement`` with every recap ``author_id`` published (erasure)."""
        await self._collection.update_many(
            {"author_id": author_id}, {"$set": {"author_id": replacement}}, session=session
        )
