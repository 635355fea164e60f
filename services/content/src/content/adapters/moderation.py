"""Flags and the moderation audit log in MongoDB."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.documents import SortOrder, after_filter
from content.domain.moderation import Action, Decision, Flag

FLAGS = "flags"
DECISIONS = "moderation_log"
_QUEUE_ORDER: SortOrder = (("created_at", ASCENDING), ("_id", ASCENDING))
_LOG_ORDER: SortOrder = (("created_at", DESCENDING), ("_id", DESCENDING))


class MongoModeration:
    """The moderation queue and the audit log (append-only)."""

    indexes: Sequence[Indexes] = (
        Indexes(
            FLAGS,
            (
                IndexModel(
                    [("community_id", ASCENDING), ("resolved_at", ASCENDING), *_QUEUE_ORDER],
                    name="queue",
                ),
                IndexModel([("target_id", ASCENDING), ("resolved_at", ASCENDING)], name="target"),
            ),
        ),
        Indexes(DECISIONS, (IndexModel([("community_id", ASCENDING), *_LOG_ORDER], name="log"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._flags = db[FLAGS]
        self._decisions = db[DECISIONS]

    async def add_flag(self, flag: Flag, session: Session) -> None:
        """Queue a flag."""
        await self._flags.insert_one(
            {
                "_id": flag.id,
                "community_id": flag.community_id,
                "target_kind": flag.target_kind,
                "target_id": flag.target_id,
                "reporter_id": flag.reporter_id,
                "reason": flag.reason,
                "created_at": flag.created_at,
                "resolved_at": None,
                "resolution": None,
            },
            session=session,
        )

    async def open_flags(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Flag]:
        """Unresolved flags of a community, oldest first."""
        query: dict[str, Any] = {"community_id": community_id, "resolved_at": None}
        query.update(after_filter(_QUEUE_ORDER, after))
        docs = await self._flags.find(query).sort(list(_QUEUE_ORDER)).limit(limit).to_list()
        return [_flag(doc) for doc in docs]

    async def open_flags_on(self, target_id: str, session: Session) -> list[Flag]:
        """Unresolved flags on one target."""
        docs = await self._flags.find(
            {"target_id": target_id, "resolved_at": None}, session=session
        ).to_list()
        return [_flag(doc) for doc in docs]

    async def resolve(
        self, flag_ids: Sequence[str], *, resolution: str, at: datetime, session: Session
    ) -> None:
        """Close flags with the decision taken."""
        if flag_ids:
            await self._flags.update_many(
                {"_id": {"$in": list(flag_ids)}},
                {"$set": {"resolved_at": at, "resolution": resolution}},
                session=session,
            )

    async def record(self, decision: Decision, session: Session) -> None:
        """Append a decision to the audit log."""
        await self._decisions.insert_one(
            {
                "_id": decision.id,
                "community_id": decision.community_id,
                "target_kind": decision.target_kind,
                "target_id": decision.target_id,
                "moderator_id": decision.moderator_id,
                "action": decision.action.value,
                "reason": decision.reason,
                "created_at": decision.created_at,
                "resolved_flag_ids": list(decision.resolved_flag_ids),
            },
            session=session,
        )

    async def decisions(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Decision]:
        """A community's decisions, newest first."""
        query: dict[str, Any] = {"community_id": community_id}
        query.update(after_filter(_LOG_ORDER, after))
        docs = await self._decisions.find(query).sort(list(_LOG_ORDER)).limit(limit).to_list()
        return [
            Decision(
                id=d["_id"],
                community_id=d["community_id"],
                target_kind=d["target_kind"],
                target_id=d["target_id"],
                moderator_id=d.get("moderator_id"),
                action=Action(d["action"]),
                reason=d["reason"],
                created_at=d["created_at"],
                resolved_flag_ids=tuple(d.get("resolved_flag_ids", ())),
            )
            for d in docs
        ]


def _flag(doc: Document) -> Flag:
    return Flag(
        id=doc["_id"],
        community_id=doc["community_id"],
        target_kind=doc["target_kind"],
        target_id=doc["target_id"],
        reporter_id=doc.get("reporter_id"),
        reason=doc["reason"],
        created_at=doc["created_at"],
        resolved_at=doc.get("resolved_at"),
        resolution=doc.get("resolution"),
    )
