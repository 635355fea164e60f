"""Exports and their parts in MongoDB; both are deleted by TTL when the download period ends."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.exports import Contribution, Export, ExportStatus, PartFile

EXPORTS = "exports"
EXPORT_PARTS = "export_parts"


class MongoExports:
    """Exports (progress) and the parts services contributed (the archive's contents)."""

    indexes: Sequence[Indexes] = (
        Indexes(
            EXPORTS,
            (
                IndexModel([("user_id", ASCENDING), ("status", ASCENDING)], name="by_user"),
                IndexModel([("status", ASCENDING), ("deadline", ASCENDING)], name="overdue"),
                IndexModel("purge_at", expireAfterSeconds=0, name="purge"),
            ),
        ),
        Indexes(
            EXPORT_PARTS,
            (
                IndexModel([("export_id", ASCENDING)], name="by_export"),
                IndexModel("purge_at", expireAfterSeconds=0, name="purge"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._exports = db[EXPORTS]
        self._parts = db[EXPORT_PARTS]

    async def add(self, export: Export, purge_at: datetime, session: Session) -> None:
        """Store a new export; it is deleted at ``purge_at`` unless saved with a later one."""
        await self._exports.insert_one(_to_document(export, purge_at), session=session)

    async def save(self, export: Export, purge_at: datetime, session: Session) -> None:
        """Replace a stored export (and move the purge of its parts along)."""
        await self._exports.replace_one(
            {"_id": export.id}, _to_document(export, purge_at), session=session
        )
        await self._parts.update_many(
            {"export_id": export.id}, {"$set": {"purge_at": purge_at}}, session=session
        )

    async def get(self, export_id: str, session: Session | None = None) -> Export | None:
        """An export by id."""
        doc = await self._exports.find_one({"_id": export_id}, session=session)
        return None if doc is None else _from_document(doc)

    async def pending_of(self, user_id: str, session: Session | None = None) -> Export | None:
        """The user's export still waiting for parts, if any."""
        doc = await self._exports.find_one(
            {"user_id": user_id, "status": ExportStatus.PENDING.value}, session=session
        )
        return None if doc is None else _from_document(doc)

    async def overdue(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending exports past their deadline."""
        cursor = self._exports.find(
            {"status": ExportStatus.PENDING.value, "deadline": {"$lte": now}}, {"_id": 1}
        ).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def put_part(self, part: PartFile, purge_at: datetime, session: Session) -> None:
        """Store one part (a redelivered part replaces itself)."""
        await self._parts.replace_one(
            {"_id": f"{part.export_id}:{part.service}:{part.sequence}"},
            {
                "export_id": part.export_id,
                "service": part.service,
                "file": part.file,
                "description": part.description,
                "sequence": part.sequence,
                "items": list(part.items),
                "purge_at": purge_at,
            },
            upsert=True,
            session=session,
        )

    async def parts(self, export_id: str) -> list[PartFile]:
        """Every stored part of an export."""
        cursor = self._parts.find({"export_id": export_id}).sort(
            [("service", ASCENDING), ("file", ASCENDING), ("sequence", ASCENDING)]
        )
        return [
            PartFile(
                export_id=d["export_id"],
                service=d["service"],
                file=d["file"],
                description=d["description"],
                sequence=d["sequence"],
                items=d["items"],
            )
            async for d in cursor
        ]

    async def erase(self, user_id: str, session: Session) -> None:
        """Delete a person's exports and their parts (account erasure)."""
        ids = await self._exports.distinct("_id", {"user_id": user_id}, session=session)
        await self._parts.delete_many({"export_id": {"$in": ids}}, session=session)
        await self._exports.delete_many({"_id": {"$in": ids}}, session=session)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def _to_document(export: Export, purge_at: datetime) -> Document:
    return {
        "_id": export.id,
        "user_id": export.user_id,
        "requested_at": export.requested_at,
        "deadline": export.deadline,
        "status": export.status.value,
        "contributions": {
            service: {"parts": c.parts, "received": sorted(c.received)}
            for service, c in export.contributions.items()
        },
        "finished_at": export.finished_at,
        "expires_at": export.expires_at,
        "services": list(export.services),
        "purge_at": purge_at,
    }


def _from_document(doc: dict[str, Any]) -> Export:
    return Export(
        id=doc["_id"],
        user_id=doc["user_id"],
        requested_at=_utc(doc["requested_at"]) or doc["requested_at"],
        deadline=_utc(doc["deadline"]) or doc["deadline"],
        status=ExportStatus(doc["status"]),
        contributions={
            service: Contribution(c.get("parts"), frozenset(c.get("received") or ()))
            for service, c in (doc.get("contributions") or {}).items()
        },
        finished_at=_utc(doc.get("finished_at")),
        expires_at=_utc(doc.get("expires_at")),
        services=tuple(doc.get("services") or ()),
    )
