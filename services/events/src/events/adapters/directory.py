"""The projection of communities and memberships, built from ``membership.communities.v1``."""

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from events.domain.access import Community, CommunityVisibility, Role

COMMUNITIES = "communities"
MEMBERS = "members"


def _key(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


class MongoDirectory:
    """Who belongs where, with which role; which communities are public or archived."""

    indexes: Sequence[Indexes] = (
        Indexes(COMMUNITIES),
        Indexes(
            MEMBERS,
            (
                IndexModel([("community_id", ASCENDING), ("user_id", ASCENDING)], name="member"),
                IndexModel("user_id", name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._communities = db[COMMUNITIES]
        self._members = db[MEMBERS]

    async def community(self, community_id: str) -> Community | None:
        """The community, if membership announced it."""
        doc = await self._communities.find_one({"_id": community_id})
        if doc is None:
            return None
        return Community(
            id=doc["_id"],
            name=doc["name"],
            visibility=doc["visibility"],
            archived=doc.get("archived", False),
        )

    async def role(self, community_id: str, user_id: str) -> Role | None:
        """The member's role, or None for a non-member."""
        doc = await self._members.find_one({"_id": _key(community_id, user_id)})
        return None if doc is None else doc["role"]

    async def roles(self, community_id: str, user_ids: Sequence[str]) -> dict[str, Role]:
        """Roles of those of ``user_ids`` who are members."""
        cursor = self._members.find({"_id": {"$in": [_key(community_id, u) for u in user_ids]}})
        return {doc["user_id"]: doc["role"] for doc in await cursor.to_list()}

    async def communities_of(self, user_id: str) -> list[str]:
        """Ids of the communities the user belongs to."""
        cursor = self._members.find({"user_id": user_id}, {"community_id": 1})
        return [doc["community_id"] for doc in await cursor.to_list()]

    async def put_community(
        self,
        *,
        community_id: str,
        name: str,
        visibility: CommunityVisibility,
        session: Session,
    ) -> None:
        """Create or refresh a community."""
        await self._communities.update_one(
            {"_id": community_id},
            {"$set": {"name": name, "visibility": visibility}, "$setOnInsert": {"archived": False}},
            upsert=True,
            session=session,
        )

    async def archive(self, community_id: str, session: Session) -> None:
        """Mark a community archived (read-only)."""
        await self._communities.update_one(
            {"_id": community_id}, {"$set": {"archived": True}}, session=session
        )

    async def put_member(
        self, community_id: str, user_id: str, role: Role, session: Session
    ) -> None:
        """Record a membership and its role."""
        await self._members.update_one(
            {"_id": _key(community_id, user_id)},
            {"$set": {"community_id": community_id, "user_id": user_id, "role": role}},
            upsert=True,
            session=session,
        )

    async def remove_member(self, community_id: str, user_id: str, session: Session) -> None:
        """Forget a membership."""
        await self._members.delete_one({"_id": _key(community_id, user_id)}, session=session)

    async def forget_user(self, user_id: str, session: Session) -> None:
        """Forget every membership of an erased user."""
        await self._members.delete_many({"user_id": user_id}, session=session)
