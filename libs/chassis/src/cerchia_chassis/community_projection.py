"""A consuming service's projection of ``membership.communities.v1``, in its own database.

Content, events and notifications authorize and address people from what membership announced:
which communities exist (name, visibility, language, archived, code of conduct version, owner)
and who stands where with which role. They keep it here, once, with the same rules
(``cerchia_chassis.domain.community``: every fact applies by the time it happened, so a
redelivered or replayed event never undoes a newer one). ``apply`` runs inside the caller's
transaction, next to the service's own inbox record and reactions (an events service releases
a departed member's seats in the same transaction, say).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.community import (
    NEVER,
    Change,
    CommunityChange,
    CommunityState,
    MemberState,
    Standing,
    changes_of,
)
from cerchia_chassis.mongo import Document, Indexes, Session
from cerchia_contracts.catalog import AnyEvent

COMMUNITIES = "communities"
MEMBERSHIPS = "memberships"


def _key(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


class CommunityProjection:
    """Communities and memberships as membership announced them."""

    indexes: Sequence[Indexes] = (
        Indexes(COMMUNITIES, (IndexModel("visibility", name="by_visibility"),)),
        Indexes(
            MEMBERSHIPS,
            (
                IndexModel(
                    [("community_id", ASCENDING), ("standing", ASCENDING)], name="by_community"
                ),
                IndexModel([("user_id", ASCENDING), ("standing", ASCENDING)], name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._communities = db[COMMUNITIES]
        self._memberships = db[MEMBERSHIPS]

    async def apply(self, event: AnyEvent, session: Session) -> list[Change]:
        """Fold one event into the projection; return the changes it stated (none for events
        of other kinds), so the caller can react to them (a departure, say)."""
        changes = changes_of(event)
        for change in changes:
            if isinstance(change, CommunityChange):
                current = await self.community(change.community_id, session)
                await self._save_community(change.applied_to(current), session)
            else:
                held = await self.member(change.community_id, change.user_id, session)
                await self._save_member(change.applied_to(held), session)
        return changes

    async def community(
        self, community_id: str, session: Session | None = None
    ) -> CommunityState | None:
        """The community, if membership announced it."""
        doc = await self._communities.find_one({"_id": community_id}, session=session)
        return None if doc is None else _community(doc)

    async def communities(self, ids: Iterable[str]) -> dict[str, CommunityState]:
        """The announced communities among ``ids``."""
        cursor = self._communities.find({"_id": {"$in": list(dict.fromkeys(ids))}})
        return {doc["_id"]: _community(doc) async for doc in cursor}

    async def member(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> MemberState | None:
        """The person's place in the community (whatever their standing), if any is known."""
        doc = await self._memberships.find_one(
            {"_id": _key(community_id, user_id)}, session=session
        )
        return None if doc is None else _member(doc)

    async def members(
        self,
        community_id: str,
        *,
        roles: Iterable[str] | None = None,
        session: Session | None = None,
    ) -> list[MemberState]:
        """The community's active members (with one of ``roles``, if given)."""
        query: dict[str, Any] = {"community_id": community_id, "standing": Standing.ACTIVE.value}
        if roles is not None:
            query["role"] = {"$in": sorted(set(roles))}
        cursor = self._memberships.find(query, session=session).sort("user_id", ASCENDING)
        return [_member(doc) async for doc in cursor]

    async def roles(
        self, community_id: str, user_ids: Iterable[str], session: Session | None = None
    ) -> dict[str, str]:
        """The roles of those of ``user_ids`` who are active members."""
        cursor = self._memberships.find(
            {
                "_id": {"$in": [_key(community_id, u) for u in dict.fromkeys(user_ids)]},
                "standing": Standing.ACTIVE.value,
            },
            session=session,
        )
        return {doc["user_id"]: doc["role"] async for doc in cursor}

    async def memberships_of(
        self, user_id: str, *, active: bool = True, session: Session | None = None
    ) -> list[MemberState]:
        """The person's places (active ones only, unless ``active`` is False)."""
        query: dict[str, Any] = {"user_id": user_id}
        if active:
            query["standing"] = Standing.ACTIVE.value
        cursor = self._memberships.find(query, session=session).sort("community_id", ASCENDING)
        return [_member(doc) async for doc in cursor]

    async def forget_user(self, user_id: str, session: Session) -> None:
        """Erasure: every place the person held is forgotten."""
        await self._memberships.delete_many({"user_id": user_id}, session=session)

    async def _save_community(self, community: CommunityState, session: Session) -> None:
        await self._communities.replace_one(
            {"_id": community.id},
            {
                "name": community.name,
                "visibility": community.visibility,
                "language": community.language,
                "archived": community.archived,
                "code_of_conduct_version": community.code_of_conduct_version,
                "owner_id": community.owner_id,
                "described_at": community.described_at,
            },
            upsert=True,
            session=session,
        )

    async def _save_member(self, member: MemberState, session: Session) -> None:
        await self._memberships.replace_one(
            {"_id": _key(member.community_id, member.user_id)},
            {
                "community_id": member.community_id,
                "user_id": member.user_id,
                "role": member.role,
                "standing": member.standing.value,
                "accepted_code_of_conduct_version": member.accepted_code_of_conduct_version,
                "as_of": member.as_of,
            },
            upsert=True,
            session=session,
        )


def _aware(value: datetime | None) -> datetime | None:
    # BSON dates come back naive (UTC): comparisons with event times need them aware.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=NEVER.tzinfo)


def _community(doc: Document) -> CommunityState:
    return CommunityState(
        id=doc["_id"],
        name=doc.get("name", ""),
        visibility=doc.get("visibility", "private"),
        language=doc.get("language", "it"),
        archived=bool(doc.get("archived", False)),
        code_of_conduct_version=int(doc.get("code_of_conduct_version", 0)),
        owner_id=doc.get("owner_id"),
        described_at=_aware(doc.get("described_at")),
    )


def _member(doc: Document) -> MemberState:
    return MemberState(
        community_id=doc["community_id"],
        user_id=doc["user_id"],
        role=doc.get("role", "member"),
        standing=Standing(doc.get("standing", Standing.LEFT.value)),
        accepted_code_of_conduct_version=int(doc.get("accepted_code_of_conduct_version", 0)),
        as_of=_aware(doc.get("as_of")) or NEVER,
    )
