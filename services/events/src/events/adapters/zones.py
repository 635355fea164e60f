"""People's own time zones in MongoDB, projected from membership's profile updates."""

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

USER_ZONES = "user_zones"


class MongoUserZones:
    """One document per person who shared a time zone: ``{_id: user id, time_zone}``."""

    indexes: Sequence[Indexes] = (Indexes(USER_ZONES),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USER_ZONES]

    async def of(self, user_ids: Sequence[str], session: Session | None = None) -> dict[str, str]:
        """The known zones of ``user_ids``."""
        if not user_ids:
            return {}
        cursor = self._collection.find({"_id": {"$in": list(set(user_ids))}}, session=session)
        return {doc["_id"]: doc["time_zone"] for doc in await cursor.to_list()}

    async def put(self, user_id: str, time_zone: str, session: Session) -> None:
        """Record the person's current zone."""
        await self._collection.replace_one(
            {"_id": user_id}, {"time_zone": time_zone}, upsert=True, session=session
        )

    async def forget(self, user_id: str, session: Session) -> None:
        """Forget an erased person's zone."""
        await self._collection.delete_one({"_id": user_id}, session=session)
