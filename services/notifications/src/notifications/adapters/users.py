"""The users projection in MongoDB, built from membership events."""

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.service.ports import Contact

USERS = "users"


class MongoUserDirectory:
    """Who can be notified, and how to address them."""

    indexes: Sequence[Indexes] = (Indexes(USERS),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USERS]

    async def upsert(self, contact: Contact, session: Session) -> None:
        """Create or refresh a user's contact details (a timezone, once known, is kept)."""
        fields: Document = {
            "email": contact.email,
            "display_name": contact.display_name,
            "locale": contact.locale,
        }
        if contact.timezone is not None:
            fields["timezone"] = contact.timezone
        await self._collection.update_one(
            {"_id": contact.user_id}, {"$set": fields}, upsert=True, session=session
        )

    async def contacts(self, user_ids: Sequence[str], session: Session) -> dict[str, Contact]:
        """The known users among ``user_ids`` (one query, whatever their number)."""
        if not user_ids:
            return {}
        found = self._collection.find({"_id": {"$in": list(set(user_ids))}}, session=session)
        return {
            doc["_id"]: Contact(
                user_id=doc["_id"],
                email=doc["email"],
                display_name=doc["display_name"],
                locale=doc["locale"],
                timezone=doc.get("timezone"),
            )
            async for doc in found
        }

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget the user."""
        await self._collection.delete_one({"_id": user_id}, session=session)
