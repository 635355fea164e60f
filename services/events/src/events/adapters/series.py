"""Recurring series in MongoDB: one document per series (its occurrences are gatherings)."""

from collections.abc import Sequence
from datetime import date

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.series import Series

SERIES = "series"


class MongoSeries:
    """The series collection."""

    indexes: Sequence[Indexes] = (Indexes(SERIES),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[SERIES]

    async def get(self, series_id: str, session: Session | None = None) -> Series | None:
        """The series with this id, if any."""
        doc = await self._collection.find_one({"_id": series_id}, session=session)
        if doc is None:
            return None
        return Series(
            id=doc["_id"],
            community_id=doc["community_id"],
            rule=doc["rule"],
            exceptions=tuple(date.fromisoformat(d) for d in doc["exceptions"]),
            first_starts_at=doc["first_starts_at"],
            first_ends_at=doc["first_ends_at"],
            time_zone=doc["time_zone"],
        )

    async def save(self, series: Series, session: Session) -> None:
        """Create or replace the series (inside the caller's transaction)."""
        await self._collection.replace_one(
            {"_id": series.id},
            {
                "community_id": series.community_id,
                "rule": series.rule,
                "exceptions": [d.isoformat() for d in series.exceptions],
                "first_starts_at": series.first_starts_at,
                "first_ends_at": series.first_ends_at,
                "time_zone": series.time_zone,
            },
            upsert=True,
            session=session,
        )
