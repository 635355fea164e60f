"""Digest entries and each person's next digest slot per community, in MongoDB (a durable
schedule)."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.service.ports import DigestEntry, DueDigest

ENTRIES = "digest_entries"
SCHEDULES = "digest_schedules"
LEASE = timedelta(minutes=2)


def schedule_id(user_id: str, community_id: str | None) -> str:
    """One schedule per person and community ('' for what belongs to no community)."""
    return f"{user_id}|{community_id or ''}"


class MongoDigests:
    """Entries wait in ``digest_entries``; ``digest_schedules`` holds one due time per person
    and community."""

    indexes: Sequence[Indexes] = (
        Indexes(
            ENTRIES,
            (
                IndexModel(
                    [("user_id", ASCENDING), ("community_id", ASCENDING)],
                    name="by_user_community",
                ),
            ),
        ),
        Indexes(
            SCHEDULES,
            (
                IndexModel([("due_at", ASCENDING)], name="due"),
                IndexModel([("user_id", ASCENDING)], name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._entries = db[ENTRIES]
        self._schedules = db[SCHEDULES]

    async def add(
        self,
        entries: Sequence[DigestEntry],
        due: Mapping[tuple[str, str | None], datetime],
        session: Session,
    ) -> None:
        """Set entries aside and make sure each digest is scheduled (bulk writes)."""
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
                UpdateOne(
                    {"_id": schedule_id(user, community)},
                    {
                        "$min": {"due_at": at},
                        "$set": {"user_id": user, "community_id": community},
                    },
                    upsert=True,
                )
                for (user, community), at in due.items()
            ],
            session=session,
            ordered=False,
        )

    async def claim_due(self, *, now: datetime, limit: int) -> list[DueDigest]:
        """Due schedules, each leased so that a second worker leaves it alone for a while."""
        claimed: list[DueDigest] = []
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
            claimed.append(
                DueDigest(
                    user_id=doc.get("user_id") or doc["_id"],
                    community_id=doc.get("community_id"),
                    due_at=doc["due_at"],
                )
            )
        return claimed

    async def take(self, due: DueDigest, session: Session) -> list[DigestEntry]:
        """Remove and return one digest's entries, and the schedule they were waiting for."""
        docs = await self._entries.find(
            {"user_id": due.user_id, "community_id": due.community_id}, session=session
        ).to_list()
        if docs:
            await self._entries.delete_many(
                {"_id": {"$in": [d["_id"] for d in docs]}}, session=session
            )
        await self._schedules.delete_one(
            {"_id": schedule_id(due.user_id, due.community_id)}, session=session
        )
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

    async def postpone(self, due: DueDigest, *, until: datetime) -> None:
        """Keep the entries and try again at ``until`` (the person is not known here yet)."""
        await self._schedules.update_one(
            {"_id": schedule_id(due.user_id, due.community_id)},
            {"$set": {"due_at": until, "lease_until": None}},
        )

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget a person's pending digests."""
        await self._entries.delete_many({"user_id": user_id}, session=session)
        await self._schedules.delete_many({"user_id": user_id}, session=session)
