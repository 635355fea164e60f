"""RSVPs in MongoDB: one document per (gathering, person); waitlist order by ticket."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.rsvps import Rsvp, RsvpStatus

RSVPS = "rsvps"


def _key(gathering_id: str, user_id: str) -> str:
    return f"{gathering_id}:{user_id}"


class MongoRsvps:
    """The rsvps collection."""

    indexes: Sequence[Indexes] = (
        Indexes(
            RSVPS,
            (
                IndexModel(
                    [("gathering_id", ASCENDING), ("status", ASCENDING), ("ticket", ASCENDING)],
                    name="waitlist_order",
                ),
                IndexModel(
                    [("gathering_id", ASCENDING), ("status", ASCENDING), ("user_id", ASCENDING)],
                    name="by_status",
                ),
                IndexModel([("user_id", ASCENDING), ("status", ASCENDING)], name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[RSVPS]

    async def get(
        self, gathering_id: str, user_id: str, session: Session | None = None
    ) -> Rsvp | None:
        """One person's RSVP to one gathering."""
        doc = await self._collection.find_one({"_id": _key(gathering_id, user_id)}, session=session)
        return None if doc is None else _from_document(doc)

    async def save(self, rsvp: Rsvp, session: Session) -> None:
        """Create or replace the RSVP."""
        await self._collection.replace_one(
            {"_id": _key(rsvp.gathering_id, rsvp.user_id)},
            _to_document(rsvp),
            upsert=True,
            session=session,
        )

    async def waitlist(
        self, gathering_id: str, *, limit: int | None = None, session: Session | None = None
    ) -> list[Rsvp]:
        """The waitlist, first come first served."""
        cursor = self._collection.find(
            {"gathering_id": gathering_id, "status": "waitlisted"}, session=session
        ).sort("ticket", ASCENDING)
        if limit is not None:
            cursor = cursor.limit(limit)
        return [_from_document(d) for d in await cursor.to_list()]

    async def position(self, rsvp: Rsvp, session: Session | None = None) -> int:
        """1-based place in the waitlist."""
        return await self._collection.count_documents(
            {
                "gathering_id": rsvp.gathering_id,
                "status": "waitlisted",
                "ticket": {"$lte": rsvp.ticket},
            },
            session=session,
        )

    async def with_status(
        self,
        gathering_id: str,
        statuses: Sequence[RsvpStatus],
        *,
        after_user: str | None = None,
        limit: int | None = None,
        session: Session | None = None,
    ) -> list[Rsvp]:
        """RSVPs of a gathering with these statuses, by user id (for cursor pagination)."""
        query: dict[str, Any] = {"gathering_id": gathering_id, "status": {"$in": list(statuses)}}
        if after_user is not None:
            query["user_id"] = {"$gt": after_user}
        cursor = self._collection.find(query, session=session).sort("user_id", ASCENDING)
        if limit is not None:
            cursor = cursor.limit(limit)
        return [_from_document(d) for d in await cursor.to_list()]

    async def of_user(
        self, user_id: str, statuses: Sequence[RsvpStatus], session: Session | None = None
    ) -> list[Rsvp]:
        """A person's RSVPs with these statuses."""
        cursor = self._collection.find(
            {"user_id": user_id, "status": {"$in": list(statuses)}}, session=session
        )
        return [_from_document(d) for d in await cursor.to_list()]

    async def anonymize(self, user_id: str, replacement: str, session: Session) -> None:
        """Re-key every RSVP of ``user_id`` to ``replacement`` (counts survive, the person not)."""
        docs = await self._collection.find({"user_id": user_id}, session=session).to_list()
        for doc in docs:
            await self._collection.delete_one({"_id": doc["_id"]}, session=session)
            doc.update(_id=_key(doc["gathering_id"], replacement), user_id=replacement)
            await self._collection.insert_one(doc, session=session)


def _to_document(rsvp: Rsvp) -> Document:
    return {
        "_id": _key(rsvp.gathering_id, rsvp.user_id),
        "gathering_id": rsvp.gathering_id,
        "user_id": rsvp.user_id,
        "status": rsvp.status,
        "responded_at": rsvp.responded_at,
        "ticket": rsvp.ticket,
        "checked_in_at": rsvp.checked_in_at,
        "check_in_method": rsvp.check_in_method,
    }


def _from_document(doc: Document) -> Rsvp:
    return Rsvp(
        gathering_id=doc["gathering_id"],
        user_id=doc["user_id"],
        status=doc["status"],
        responded_at=doc["responded_at"],
        ticket=doc.get("ticket"),
        checked_in_at=doc.get("checked_in_at"),
        check_in_method=doc.get("check_in_method"),
    )
