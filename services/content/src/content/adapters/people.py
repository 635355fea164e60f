"""Content's projection of membership's users in MongoDB: names, handles, verified email."""

from collections.abc import Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from content.service.directory_ports import Person

PEOPLE = "people"
FORMER_MEMBER = "Former member"


class MongoPeople:
    """What people are called, by user id and by handle."""

    indexes: Sequence[Indexes] = (
        Indexes(PEOPLE, (IndexModel("handle", name="handle", sparse=True),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._people = db[PEOPLE]

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]:
        """How each of these people is shown; unknown ones get a neutral name."""
        docs = await self._people.find({"_id": {"$in": list(set(user_ids))}}).to_list()
        found = {doc["_id"]: _person(doc) for doc in docs}
        return {
            user_id: found.get(user_id) or Person(user_id, "Member", None) for user_id in user_ids
        }

    async def by_handles(
        self, handles: Sequence[str], session: Session | None = None
    ) -> dict[str, str]:
        """handle → user id, for the handles someone holds."""
        docs = await self._people.find(
            {"handle": {"$in": [h.lower() for h in handles]}}, session=session
        ).to_list()
        return {doc["handle"]: doc["_id"] for doc in docs}

    async def save_person(
        self,
        user_id: str,
        *,
        display_name: str,
        handle: str | None,
        initial: bool,
        session: Session,
    ) -> None:
        """Record a person's name and handle (never resurrecting an erased person)."""
        existing = await self._people.find_one({"_id": user_id}, session=session)
        if existing is not None and (
            existing.get("erased") or (initial and "display_name" in existing)
        ):
            return
        await self._people.update_one(
            {"_id": user_id},
            {
                "$set": {
                    "display_name": display_name,
                    "handle": handle.lower() if handle else None,
                },
                "$setOnInsert": {"email_verified": False},
            },
            upsert=True,
            session=session,
        )

    async def mark_verified(self, user_id: str, session: Session) -> None:
        """The person verified their email address."""
        await self._people.update_one(
            {"_id": user_id}, {"$set": {"email_verified": True}}, upsert=True, session=session
        )

    async def verified(self, user_id: str, session: Session | None = None) -> bool:
        """Whether the person verified their email address."""
        doc = await self._people.find_one({"_id": user_id}, {"email_verified": 1}, session=session)
        return bool(doc and doc.get("email_verified"))

    async def erase_person(self, user_id: str, session: Session) -> None:
        """Forget the person's name and handle; remember only that they were erased."""
        await self._people.replace_one(
            {"_id": user_id},
            {"display_name": FORMER_MEMBER, "handle": None, "erased": True},
            upsert=True,
            session=session,
        )


def _person(doc: dict[str, Any]) -> Person:
    return Person(
        user_id=doc["_id"],
        display_name=doc.get("display_name", "Member"),
        handle=doc.get("handle"),
        erased=bool(doc.get("erased")),
    )
