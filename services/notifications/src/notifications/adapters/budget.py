"""The per-community fan-out budget: provider sends counted per hour in MongoDB."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

BUDGETS = "fanout_budgets"
WINDOW = timedelta(hours=1)


class MongoFanoutBudget:
    """At most ``per_hour`` email and push sends per community and hour."""

    indexes: Sequence[Indexes] = (
        Indexes(BUDGETS, (IndexModel("expires_at", expireAfterSeconds=0, name="expiry"),)),
    )

    def __init__(self, db: AsyncDatabase[Document], *, per_hour: int) -> None:
        self._collection = db[BUDGETS]
        self._per_hour = per_hour

    async def reserve(
        self, community_id: str, *, wanted: int, now: datetime, session: Session
    ) -> int:
        """Take up to ``wanted`` sends from this hour's budget; return how many were granted."""
        window = now.replace(minute=0, second=0, microsecond=0)
        key = f"{community_id}:{window:%Y%m%d%H}"
        doc = await self._collection.find_one({"_id": key}, session=session)
        used = int(doc["count"]) if doc else 0
        granted = max(0, min(wanted, self._per_hour - used))
        if granted:
            await self._collection.update_one(
                {"_id": key},
                {"$inc": {"count": granted}, "$set": {"expires_at": window + 2 * WINDOW}},
                upsert=True,
                session=session,
            )
        return granted
