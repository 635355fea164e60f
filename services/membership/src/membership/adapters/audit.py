"""The audit trail in MongoDB, newest first."""

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.adapters.paging import after_filter
from membership.domain.audit import AuditEntry

AUDIT = "community_audit"
_ORDER = [("at", DESCENDING), ("_id", DESCENDING)]


class MongoAuditLog:
    """Append-only entries per community."""

    indexes: Sequence[Indexes] = (
        Indexes(
            AUDIT,
            (
                IndexModel([("community_id", ASCENDING), *_ORDER], name="community_newest"),
                IndexModel("actor_id", name="actor"),
                IndexModel("subject_id", name="subject"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[AUDIT]

    async def add(self, entry: AuditEntry, session: Session) -> None:
        """Record a decision in the caller's transaction."""
        await self._collection.insert_one(
            {
                "_id": entry.id,
                "community_id": entry.community_id,
                "action": entry.action,
                "actor_id": entry.actor_id,
                "at": entry.at,
                "subject_id": entry.subject_id,
                "reason": entry.reason,
                "details": entry.details,
            },
            session=session,
        )

    async def page(self, community_id: str, *, after: str | None, limit: int) -> list[AuditEntry]:
        """Entries of a community, newest first, after the entry ``after``."""
        query = {
            "community_id": community_id,
            **await after_filter(self._collection, after, _ORDER),
        }
        cursor = self._collection.find(query).sort(_ORDER).limit(limit)
        return [
            AuditEntry(
                id=d["_id"],
                community_id=d["community_id"],
                action=d["action"],
                actor_id=d.get("actor_id"),
                at=d["at"],
                subject_id=d.get("subject_id"),
                reason=d.get("reason"),
                details=d.get("details") or {},
            )
            async for d in cursor
        ]

    async def forget(self, user_id: str, session: Session) -> None:
        """Keep the decisions, drop the erased person's id from them."""
        await self._collection.update_many(
            {"actor_id": user_id}, {"$set": {"actor_id": None}}, session=session
        )
        await self._collection.update_many(
            {"subject_id": user_id}, {"$set": {"subject_id": None}}, session=session
        )
