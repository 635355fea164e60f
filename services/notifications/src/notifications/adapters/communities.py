"""The communities and memberships projection in MongoDB, built from membership events."""

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

COMMUNITIES = "communities"
MEMBERSHIPS = "memberships"


class MongoCommunities:
    """Community names, and who belongs where with which role."""

    indexes: Sequence[Indexes] = (
        Indexes(COMMUNITIES),
        Indexes(
            MEMBERSHIPS,
            (
                IndexModel([("community_id", ASCENDING)], name="by_community"),
                IndexModel([("user_id", ASCENDING)], name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._communities = db[COMMUNITIES]
        self._memberships = db[MEMBERSHIPS]

    async def upsert(self, community_id: str, *, name: str, session: Session) -> None:
        """Create or rename a community."""
        await self._communities.update_one(
            {"_id": community_id}, {"$set": {"name": name}}, upsert=True, session=session
        )

    async def set_member(
        self, community_id: str, user_id: str, *, role: str, session: Session
    ) -> None:
        """Record a membership and its role."""
        await self._memberships.update_one(
            {"_id": f"{community_id}:{user_id}"},
            {"$set": {"community_id": community_id, "user_id": user_id, "role": role}},
            upsert=True,
            session=session,
        )

    async def remove_member(self, community_id: str, user_id: str, session: Session) -> None:
        """Forget a membership."""
        await self._memberships.delete_one({"_id": f"{community_id}:{user_id}"}, session=session)

    async def roles(self, community_id: str, session: Session | None = None) -> dict[str, str]:
        """Every member of a community and their role (one query)."""
        found = self._memberships.find(
            {"community_id": community_id}, {"user_id": 1, "role": 1}, session=session
        )
        return {doc["user_id"]: doc["role"] async for doc in found}

    async def name(self, community_id: str, session: Session | None = None) -> str | None:
        """A community's name, if known."""
        doc = await self._communities.find_one({"_id": community_id}, session=session)
        return None if doc is None else str(doc["name"])

    async def erase_user(self, user_id: str, session: Session) -> None:
        """Forget every membership of a user."""
        await self._memberships.delete_many({"user_id": user_id}, session=session)
