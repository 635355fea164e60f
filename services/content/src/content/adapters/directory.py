"""Content's projection of membership in MongoDB: communities, memberships and people."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from content.domain.access import MODERATING_ROLES, Community, Membership, Standing
from content.service.directory_ports import Person

COMMUNITIES = "communities"
MEMBERSHIPS = "memberships"
PEOPLE = "people"
FORMER_MEMBER = "Former member"


class MongoDirectory:
    """Who belongs where, with which role, and what they are called."""

    indexes: Sequence[Indexes] = (
        Indexes(COMMUNITIES),
        Indexes(
            MEMBERSHIPS,
            (
                IndexModel([("community_id", ASCENDING), ("user_id", ASCENDING)], name="member"),
                IndexModel([("user_id", ASCENDING), ("standing", ASCENDING)], name="by_user"),
            ),
        ),
        Indexes(PEOPLE, (IndexModel("handle", name="handle", sparse=True),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._communities = db[COMMUNITIES]
        self._memberships = db[MEMBERSHIPS]
        self._people = db[PEOPLE]

    async def community(
        self, community_id: str, session: Session | None = None
    ) -> Community | None:
        """The community, if membership told us about it."""
        found, _ = await self.community_as_of(community_id, session)
        return found

    async def community_as_of(
        self, community_id: str, session: Session | None
    ) -> tuple[Community | None, datetime | None]:
        """The community and when its descriptive state was current."""
        doc = await self._communities.find_one({"_id": community_id}, session=session)
        if doc is None:
            return None, None
        community = Community(
            id=doc["_id"],
            name=doc["name"],
            visibility=doc["visibility"],
            language=doc["language"],
            archived=doc["archived"],
            code_of_conduct_version=doc["code_of_conduct_version"],
        )
        return community, doc.get("described_at")

    async def save_community(
        self, community: Community, as_of: datetime | None, session: Session
    ) -> None:
        """Store the community's current state."""
        await self._communities.replace_one(
            {"_id": community.id},
            {
                "name": community.name,
                "visibility": community.visibility,
                "language": community.language,
                "archived": community.archived,
                "code_of_conduct_version": community.code_of_conduct_version,
                "described_at": as_of,
            },
            upsert=True,
            session=session,
        )

    async def membership(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> Membership | None:
        """One person's membership of one community."""
        doc = await self._memberships.find_one(
            {"_id": _membership_id(community_id, user_id)}, session=session
        )
        if doc is None:
            return None
        return Membership(
            community_id=doc["community_id"],
            user_id=doc["user_id"],
            role=doc["role"],
            standing=Standing(doc["standing"]),
            accepted_code_of_conduct_version=doc["accepted_code_of_conduct_version"],
            as_of=doc["as_of"],
        )

    async def save_membership(self, membership: Membership, session: Session) -> None:
        """Store a membership's current state."""
        await self._memberships.replace_one(
            {"_id": _membership_id(membership.community_id, membership.user_id)},
            {
                "community_id": membership.community_id,
                "user_id": membership.user_id,
                "role": membership.role,
                "standing": membership.standing.value,
                "accepted_code_of_conduct_version": membership.accepted_code_of_conduct_version,
                "as_of": membership.as_of,
            },
            upsert=True,
            session=session,
        )

    async def moderators(self, community_id: str, session: Session | None = None) -> list[str]:
        """Active owners and moderators."""
        cursor = self._memberships.find(
            {
                "community_id": community_id,
                "standing": Standing.ACTIVE.value,
                "role": {"$in": sorted(MODERATING_ROLES)},
            },
            {"user_id": 1},
            session=session,
        )
        return sorted(doc["user_id"] for doc in await cursor.to_list())

    async def members_by_handles(
        self, community_id: str, handles: Sequence[str], session: Session | None = None
    ) -> dict[str, str]:
        """handle → user id, for active members of the community only."""
        people = await self._people.find(
            {"handle": {"$in": [h.lower() for h in handles]}}, session=session
        ).to_list()
        by_id = {doc["_id"]: doc["handle"] for doc in people}
        if not by_id:
            return {}
        active = await self._memberships.find(
            {
                "community_id": community_id,
                "user_id": {"$in": list(by_id)},
                "standing": Standing.ACTIVE.value,
            },
            session=session,
        ).to_list()
        return {by_id[doc["user_id"]]: doc["user_id"] for doc in active}

    async def share_community(self, a: str, b: str) -> bool:
        """Whether both are active members of at least one common community."""
        mine = await self._memberships.distinct(
            "community_id", {"user_id": a, "standing": Standing.ACTIVE.value}
        )
        if not mine:
            return False
        found = await self._memberships.find_one(
            {"user_id": b, "standing": Standing.ACTIVE.value, "community_id": {"$in": mine}}
        )
        return found is not None

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]:
        """How each of these people is shown; unknown ones get a neutral name."""
        docs = await self._people.find({"_id": {"$in": list(set(user_ids))}}).to_list()
        found = {doc["_id"]: _person(doc) for doc in docs}
        return {
            user_id: found.get(user_id) or Person(user_id, "Member", None) for user_id in user_ids
        }

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
        if existing is not None and (existing.get("erased") or initial):
            return
        await self._people.replace_one(
            {"_id": user_id},
            {"display_name": display_name, "handle": handle.lower() if handle else None},
            upsert=True,
            session=session,
        )

    async def erase_person(self, user_id: str, session: Session) -> None:
        """Forget the person's name and handle; remember only that they were erased."""
        await self._people.replace_one(
            {"_id": user_id},
            {"display_name": FORMER_MEMBER, "handle": None, "erased": True},
            upsert=True,
            session=session,
        )


def _membership_id(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


def _person(doc: dict[str, Any]) -> Person:
    return Person(
        user_id=doc["_id"],
        display_name=doc["display_name"],
        handle=doc.get("handle"),
        erased=bool(doc.get("erased")),
    )
