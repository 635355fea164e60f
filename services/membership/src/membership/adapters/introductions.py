"""Introductions in MongoDB; a unique pair key allows one introduction per pair of people."""

from collections.abc import Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.domain.errors import Conflict
from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.introductions import Introduction

INTRODUCTIONS = "introductions"


class MongoIntroductions:
    """Introductions between members."""

    indexes: Sequence[Indexes] = (
        Indexes(
            INTRODUCTIONS,
            (
                IndexModel("pair", unique=True, name="pair_unique"),
                IndexModel("requester_id", name="requester"),
                IndexModel("recipient_id", name="recipient"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[INTRODUCTIONS]

    async def add(self, introduction: Introduction, session: Session) -> None:
        """Store a new introduction; the pair may have only one, whatever its outcome."""
        try:
            await self._collection.insert_one(_to_document(introduction), session=session)
        except DuplicateKeyError as exc:
            raise Conflict(
                "An introduction between you two already exists.", code="already-introduced"
            ) from exc

    async def get(
        self, introduction_id: str, session: Session | None = None
    ) -> Introduction | None:
        """The introduction with this id."""
        document = await self._collection.find_one({"_id": introduction_id}, session=session)
        return None if document is None else _from_document(document)

    async def save(self, introduction: Introduction, session: Session) -> None:
        """Store the introduction as it is now."""
        await self._collection.replace_one(
            {"_id": introduction.id}, _to_document(introduction), session=session
        )

    async def of_user(self, user_id: str) -> list[Introduction]:
        """Introductions a person asked for or was asked to accept."""
        cursor = self._collection.find(
            {"$or": [{"requester_id": user_id}, {"recipient_id": user_id}]}
        )
        return [_from_document(d) async for d in cursor]

    async def delete_of_user(self, user_id: str, session: Session) -> None:
        """Forget a person's introductions and notes (erasure)."""
        await self._collection.delete_many(
            {"$or": [{"requester_id": user_id}, {"recipient_id": user_id}]}, session=session
        )


def _to_document(i: Introduction) -> dict[str, Any]:
    return {
        "_id": i.id,
        "pair": i.pair,
        "community_id": i.community_id,
        "requester_id": i.requester_id,
        "recipient_id": i.recipient_id,
        "note": i.note,
        "status": i.status,
        "requested_at": i.requested_at,
        "answered_at": i.answered_at,
    }


def _from_document(d: Document) -> Introduction:
    return Introduction(
        id=d["_id"],
        community_id=d["community_id"],
        requester_id=d["requester_id"],
        recipient_id=d["recipient_id"],
        note=d["note"],
        status=d["status"],
        requested_at=d["requested_at"],
        answered_at=d.get("answered_at"),
    )
