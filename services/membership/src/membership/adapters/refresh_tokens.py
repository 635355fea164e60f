"""Refresh sessions (families of rotating refresh tokens) in MongoDB; expired ones vanish (TTL)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.sessions import RefreshSession, RevocationReason

REFRESH_SESSIONS = "refresh_sessions"


class MongoRefreshSessions:
    """One document per session holding the digest of its one current refresh token."""

    indexes: Sequence[Indexes] = (
        Indexes(
            REFRESH_SESSIONS,
            (
                # Revoked sessions stay until they would have expired: a replay keeps being
                # recognised as reuse rather than as an unknown token.
                IndexModel("expires_at", expireAfterSeconds=0, name="expiry"),
                IndexModel("user_id", name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[REFRESH_SESSIONS]

    async def add(self, refresh: RefreshSession) -> None:
        """Store a new session."""
        await self._collection.insert_one(_to_document(refresh))

    async def get(self, session_id: str, session: Session | None = None) -> RefreshSession | None:
        """The session with this id, if any."""
        document = await self._collection.find_one({"_id": session_id}, session=session)
        return None if document is None else _from_document(document)

    async def save(self, refresh: RefreshSession, session: Session | None = None) -> None:
        """Replace the stored session."""
        await self._collection.replace_one(
            {"_id": refresh.id}, _to_document(refresh), session=session
        )

    async def revoke_all(
        self,
        user_id: str,
        *,
        now: datetime,
        reason: RevocationReason,
        session: Session,
        keep: str | None = None,
    ) -> list[str]:
        """Revoke every live session of the user except ``keep``; return their ids."""
        query: Document = {"user_id": user_id, "revoked_at": None}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        ids = [
            doc["_id"] async for doc in self._collection.find(query, {"_id": 1}, session=session)
        ]
        if ids:
            await self._collection.update_many(
                {"_id": {"$in": ids}},
                {"$set": {"revoked_at": now, "revoked_reason": reason}},
                session=session,
            )
        return ids

    async def for_user(self, user_id: str) -> list[RefreshSession]:
        """The user's sessions, oldest first."""
        cursor = self._collection.find({"user_id": user_id}).sort("created_at", 1)
        return [_from_document(document) async for document in cursor]

    async def delete_for_user(self, user_id: str, session: Session) -> None:
        """Forget every session of the user."""
        await self._collection.delete_many({"user_id": user_id}, session=session)


def _to_document(refresh: RefreshSession) -> dict[str, Any]:
    return {
        "_id": refresh.id,
        "user_id": refresh.user_id,
        "current_digest": refresh.current_digest,
        "created_at": refresh.created_at,
        "rotated_at": refresh.rotated_at,
        "expires_at": refresh.expires_at,
        "generation": refresh.generation,
        "revoked_at": refresh.revoked_at,
        "revoked_reason": refresh.revoked_reason,
    }


def _from_document(document: Document) -> RefreshSession:
    return RefreshSession(
        id=document["_id"],
        user_id=document["user_id"],
        current_digest=document["current_digest"],
        created_at=document["created_at"],
        rotated_at=document["rotated_at"],
        expires_at=document["expires_at"],
        generation=document.get("generation", 0),
        revoked_at=document.get("revoked_at"),
        revoked_reason=document.get("revoked_reason"),
    )
