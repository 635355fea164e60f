"""Gatherings in MongoDB: one document per gathering (occurrences of a series included)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.gatherings import Details, Gathering, Venue
from events.service.ports import After

GATHERINGS = "gatherings"


class MongoGatherings:
    """The gatherings collection."""

    indexes: Sequence[Indexes] = (
        Indexes(
            GATHERINGS,
            (
                IndexModel(
                    [("community_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                    name="community_by_start",
                ),
                IndexModel(
                    [("series_id", ASCENDING), ("original_starts_at", ASCENDING)],
                    name="series_slots",
                ),
                IndexModel("host_ids", name="hosts"),
                IndexModel("created_by", name="creator"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[GATHERINGS]

    async def add(self, gatherings: Sequence[Gathering], session: Session) -> None:
        """Insert new gatherings."""
        await self._collection.insert_many([to_document(g) for g in gatherings], session=session)

    async def get(self, gathering_id: str, session: Session | None = None) -> Gathering | None:
        """The gathering with this id, if any."""
        document = await self._collection.find_one({"_id": gathering_id}, session=session)
        return None if document is None else from_document(document)

    async def save(self, gathering: Gathering, session: Session) -> None:
        """Replace the stored gathering (inside the caller's transaction)."""
        await self._collection.replace_one(
            {"_id": gathering.id}, to_document(gathering), session=session
        )

    async def in_community(
        self,
        community_id: str,
        *,
        public_only: bool,
        since: datetime | None,
        after: After | None,
        limit: int,
    ) -> list[Gathering]:
        """A community's gatherings by start then id."""
        query: dict[str, Any] = {"community_id": community_id}
        if public_only:
            query["visibility"] = "public"
        if since is not None:
            query["ends_at"] = {"$gte": since}
        if after is not None:
            query["$or"] = [
                {"starts_at": {"$gt": after.starts_at}},
                {"starts_at": after.starts_at, "_id": {"$gt": after.id}},
            ]
        cursor = self._collection.find(query).sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(d) for d in await cursor.limit(limit).to_list()]

    async def in_series(self, series_id: str, session: Session) -> list[Gathering]:
        """Every occurrence filed in the series, cancelled ones too, by slot."""
        cursor = self._collection.find({"series_id": series_id}, session=session)
        found = [from_document(d) for d in await cursor.to_list()]
        return sorted(found, key=lambda g: (g.slot, g.id))

    async def involving(self, user_id: str, session: Session) -> list[Gathering]:
        """Gatherings the user hosts or created."""
        cursor = self._collection.find(
            {"$or": [{"host_ids": user_id}, {"created_by": user_id}]}, session=session
        )
        return [from_document(d) for d in await cursor.to_list()]

    async def since(
        self, ids: Sequence[str], *, community_ids: Sequence[str], ended_after: datetime
    ) -> list[Gathering]:
        """Of ``ids``, those in the communities that ended after ``ended_after``, by start."""
        cursor = self._collection.find(
            {
                "_id": {"$in": list(ids)},
                "community_id": {"$in": list(community_ids)},
                "ends_at": {"$gte": ended_after},
            }
        ).sort("starts_at", ASCENDING)
        return [from_document(d) for d in await cursor.to_list()]


def to_document(g: Gathering) -> Document:
    """The stored form of a gathering."""
    d = g.details
    venue = None
    if d.venue is not None:
        venue = {
            "name": d.venue.name,
            "address": d.venue.address,
            "latitude": d.venue.latitude,
            "longitude": d.venue.longitude,
        }
    return {
        "_id": g.id,
        "community_id": g.community_id,
        "created_by": g.created_by,
        "title": d.title,
        "description": d.description,
        "format": d.format,
        "venue": venue,
        "online_link": d.online_link,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "time_zone": d.time_zone,
        "capacity": d.capacity,
        "rsvp_deadline": d.rsvp_deadline,
        "host_ids": list(d.host_ids),
        "visibility": d.visibility,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
        "check_in_code": g.check_in_code,
        "status": g.status,
        "cancel_reason": g.cancel_reason,
        "sequence": g.sequence,
        "going_count": g.going_count,
        "waitlist_count": g.waitlist_count,
        "waitlist_ticket": g.waitlist_ticket,
        "series_id": g.series_id,
        "occurrence_index": g.occurrence_index,
        "recurrence": g.recurrence,
        "original_starts_at": g.original_starts_at,
    }


def from_document(doc: Document) -> Gathering:
    """A gathering from its stored form."""
    venue = doc.get("venue")
    details = Details(
        title=doc["title"],
        description=doc["description"],
        format=doc["format"],
        venue=None if venue is None else Venue(**venue),
        online_link=doc.get("online_link"),
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        time_zone=doc["time_zone"],
        capacity=doc.get("capacity"),
        rsvp_deadline=doc.get("rsvp_deadline"),
        host_ids=tuple(doc["host_ids"]),
        visibility=doc["visibility"],
    )
    return Gathering(
        id=doc["_id"],
        community_id=doc["community_id"],
        created_by=doc["created_by"],
        details=details,
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        check_in_code=doc["check_in_code"],
        status=doc["status"],
        cancel_reason=doc.get("cancel_reason"),
        sequence=doc["sequence"],
        going_count=doc["going_count"],
        waitlist_count=doc["waitlist_count"],
        waitlist_ticket=doc["waitlist_ticket"],
        series_id=doc.get("series_id"),
        occurrence_index=doc.get("occurrence_index"),
        recurrence=doc.get("recurrence"),
        original_starts_at=doc.get("original_starts_at"),
    )
