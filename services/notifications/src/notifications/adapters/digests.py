"""Digest entries and each person's next digest slot, in MongoDB (a durable schedule)."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.service.ports import DigestEntry

ENTRIES = "digest_entries"
SCHEDULES = "digest_schedules"
LEASE = timedelta(minutes=2)


class MongoDigests:
    """Entries wait in ``digest_entries``; ``digest_schedules`` holds one due time per person."""

    indexes: Sequence[Indexes] = (
        Indexes(ENTRIES, (IndexModel([("user_id", ASCENDING)], name="by_user"),)),
        Indexes(SCHEDULES, (IndexModel([("due_at", ASCENDING)], name="due"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._entries = db[ENTRIES]
        self._schedules = db[SCHEDULES]

    async def add(
        self, entries: Sequence[DigestEntry], due: Mapping[str, datetime], session: Session
    ) -> None:
        """Set entries aside and make sure each person's digest is scheduled (bulk writes)."""
        if not entries:
            return
        await self._entries.insert_many(
            [
                {
                    "_id": e.key,
                    "user_id": e.user_id,
                    "community_id": e.community_id,
                    "kind": e.kind,
                    "title": e.title,
                    "body": e.body,
                    "link": e.link,
                    "created_at": e.created_at,
                }
                for e in entries
            ],
            session=session,
            ordered=False,
        )
        await self._schedules.bulk_write(
            [
                UpdateOne({"_id": user}, {"$min": {"due_at": at}}, upsert=True)
                for user, at in due.items()
            ],
            session=session,
            ordered=False,
        )

    async def claim_due(self, *, now: datetime, limit: int) -> list[tuple[str, datetime]]:
        """Due schedules, each leased so that a second worker leaves it alone for a while."""
        claimed: list[tuple[str, datetime]] = []
        for _ in range(limit):
            doc = await self._schedules.find_one_and_update(
                {
                    "due_at": {"$lte": now},
                    "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
                },
                {"$set": {"lease_until": now + LEASE}},
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                break
            claimed.append((doc["_id"], doc["due_at"]))
        return claimed

    async def take(self, user_id: str, due_at: datetime, session: Session) -> list[DigestEntry]:
        """Remove and return a person's entries, and the schedule they were waiting for."""
        docs = await self._entries.find({"user_id": user_id}, session=session).to_list()
        if docs:
            await self._entries.delete_many(
                {"_id": {"$in": [d["_id"] for d in docs]}}, session=session
            )
        await self._schedules.delete_one({"_id": user_id}, session=session)
        return [
            DigestEntry(
                key=d["_id"],
                user_id=d["user_id"],
                community_id=d.get("community_id"),
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
                link=d["link"],
                created_at=d["created_at"],
            )
            for d in docs
        ]

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget a person's pending digest."""
        await self._entries.delete_many({"user_id": user_id}, session=session)
        await self._schedules.delete_one({"_id": user_id}, session=session)
