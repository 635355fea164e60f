"""Calendar-feed tokens in MongoDB, stored only as SHA-256 hashes."""

from collections.abc import Sequence
from datetime import datetime

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

FEED_TOKENS = "feed_tokens"


class MongoFeedTokens:
    """One live token per user; issuing a new one replaces (revokes) the old."""

    indexes: Sequence[Indexes] = (
        Indexes(FEED_TOKENS, (IndexModel("token_hash", unique=True, name="token_hash_unique"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[FEED_TOKENS]

    async def issue(self, user_id: str, token_hash: str, *, now: datetime) -> None:
        """Store the user's new token hash."""
        await self._collection.replace_one(
            {"_id": user_id}, {"token_hash": token_hash, "issued_at": now}, upsert=True
        )

    async def revoke(self, user_id: str, session: Session | None = None) -> bool:
        """Revoke the user's token; False if there was none."""
        result = await self._collection.delete_one({"_id": user_id}, session=session)
        return result.deleted_count == 1

    async def user_for(self, token_hash: str) -> str | None:
        """Whose token this is, if it is live."""
        doc = await self._collection.find_one({"token_hash": token_hash})
        return None if doc is None else str(doc["_id"])
