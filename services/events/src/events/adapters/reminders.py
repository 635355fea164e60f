"""Reminder jobs in MongoDB: pending → claimed (with a lease) → settled (fired or dropped)."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.reminders import ReminderJob

REMINDERS = "reminders"
PENDING, CLAIMED = "pending", "claimed"
SETTLED_RETENTION = timedelta(days=30)


class MongoReminderStore:
    """Durable jobs: they survive restarts, and a claim hands each to one instance at a time."""

    indexes: Sequence[Indexes] = (
        Indexes(
            REMINDERS,
            (
                IndexModel([("state", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel([("state", ASCENDING), ("lease_until", ASCENDING)], name="leases"),
                IndexModel("gathering_id", name="by_gathering"),
                IndexModel(
                    "settled_at",
                    expireAfterSeconds=int(SETTLED_RETENTION.total_seconds()),
                    name="settled_retention",
                ),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[REMINDERS]

    async def replace_for(
        self, gathering_id: str, jobs: Sequence[ReminderJob], session: Session
    ) -> None:
        """Drop the gathering's unsettled jobs (a holder's settle then fails) and add ``jobs``."""
        await self._collection.delete_many(
            {"gathering_id": gathering_id, "state": {"$in": [PENDING, CLAIMED]}}, session=session
        )
        for job in jobs:
            await self._collection.replace_one(
                {"_id": job.id},
                {
                    "gathering_id": job.gathering_id,
                    "offset_s": int(job.offset.total_seconds()),
                    "starts_at": job.starts_at,
                    "due_at": job.due_at,
                    "state": PENDING,
                    "owner": None,
                    "lease_until": None,
                    "settled_at": None,
                },
                upsert=True,
                session=session,
            )

    async def claim_due(
        self, *, now: datetime, lease: timedelta, owner: str, limit: int
    ) -> list[ReminderJob]:
        """Atomically claim up to ``limit`` due jobs (or jobs whose holder's lease ran out)."""
        claimed = []
        for _ in range(limit):
            doc = await self._collection.find_one_and_update(
                {
                    "$or": [
                        {"state": PENDING, "due_at": {"$lte": now}},
                        {"state": CLAIMED, "lease_until": {"$lt": now}},
                    ]
                },
                {"$set": {"state": CLAIMED, "owner": owner, "lease_until": now + lease}},
                sort=[("due_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                break
            claimed.append(
                ReminderJob(
                    id=doc["_id"],
                    gathering_id=doc["gathering_id"],
                    offset=timedelta(seconds=doc["offset_s"]),
                    starts_at=doc["starts_at"],
                    due_at=doc["due_at"],
                )
            )
        return claimed

    async def complete(self, job_id: str, *, owner: str, outcome: str, session: Session) -> bool:
        """Settle the job if ``owner`` still holds it."""
        result = await self._collection.update_one(
            {"_id": job_id, "state": CLAIMED, "owner": owner},
            {"$set": {"state": outcome, "settled_at": datetime.now(UTC)}},
            session=session,
        )
        return result.matched_count == 1
