"""The users projection in MongoDB, built from membership events."""

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

USERS = "users"


class MongoUserDirectory:
    """Who can be notified, and how to address them."""

    indexes: Sequence[Indexes] = (Indexes(USERS),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USERS]

    async def upsert(
        self, *, user_id: str, email: str, display_name: str, locale: str, session: Session
    ) -> None:
        """Create or refresh a user's contact details."""
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"email": email, "display_name": display_name, "locale": locale}},
            upsert=True,
            session=session,
        )
