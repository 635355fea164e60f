"""Each person's standing in each community, one document per (community, person)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.memberships import Membership
from membership.domain.waitlist import SeatOffer

MEMBERSHIPS = "memberships"


def _key(community_id: str, user_id: str) -> str:
    # One document per pair: a second concurrent admission of the same person conflicts.
    return f"{community_id}:{user_id}"


class MongoMemberships:
    """Standings; the waitlist is the ``waitlisted`` ones ordered by ``sequence``."""

    indexes: Sequence[Indexes] = (
        Indexes(
            MEMBERSHIPS,
            (
                IndexModel(
                    [("community_id", ASCENDING), ("state", ASCENDING), ("sequence", ASCENDING)],
                    name="community_state_sequence",
                ),
                IndexModel([("user_id", ASCENDING), ("state", ASCENDING)], name="user_state"),
                IndexModel(
                    [("state", ASCENDING), ("offer.expires_at", ASCENDING)], name="offers_due"
                ),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[MEMBERSHIPS]

    async def get(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> Membership | None:
        """A person's standing in a community."""
        document = await self._collection.find_one(
            {"_id": _key(community_id, user_id)}, session=session
        )
        return None if document is None else _from_document(document)

    async def put(self, membership: Membership, session: Session) -> None:
        """Store the standing as it is now."""
        document = _to_document(membership)
        await self._collection.replace_one(
            {"_id": document["_id"]}, document, upsert=True, session=session
        )

    async def head(self, community_id: str, session: Session) -> Membership | None:
        """First in line without an offer."""
        document = await self._collection.find_one(
            {"community_id": community_id, "state": "waitlisted"},
            sort=[("sequence", ASCENDING)],
            session=session,
        )
        return None if document is None else _from_document(document)

    async def waiting_ahead(self, community_id: str, sequence: int, session: Session | None) -> int:
        """How many wait (without an offer) before ``sequence``."""
        return await self._collection.count_documents(
            {"community_id": community_id, "state": "waitlisted", "sequence": {"$lt": sequence}},
            session=session,
        )

    async def members(self, community_id: str, session: Session | None = None) -> list[Membership]:
        """Current members."""
        cursor = self._collection.find(
            {"community_id": community_id, "state": "member"}, session=session
        )
        return [_from_document(d) async for d in cursor]

    async def waitlist(self, community_id: str) -> list[Membership]:
        """Offered and waiting, in sequence order."""
        cursor = self._collection.find(
            {"community_id": community_id, "state": {"$in": ["waitlisted", "offered"]}}
        ).sort("sequence", ASCENDING)
        return [_from_document(d) async for d in cursor]

    async def of_user(self, user_id: str, session: Session | None = None) -> list[Membership]:
        """All standings of a person."""
        cursor = self._collection.find({"user_id": user_id}, session=session)
        return [_from_document(d) async for d in cursor]

    async def expired_offers(self, now: datetime, limit: int) -> list[Membership]:
        """Open offers past expiry, the oldest first."""
        cursor = (
            self._collection.find({"state": "offered", "offer.expires_at": {"$lte": now}})
            .sort("offer.expires_at", ASCENDING)
            .limit(limit)
        )
        return [_from_document(d) async for d in cursor]

    async def delete_of_user(self, user_id: str, session: Session) -> None:
        """Forget every standing of a person (erasure)."""
        await self._collection.delete_many({"user_id": user_id}, session=session)

    async def shares_community(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are both members of at least one community."""
        communities = await self._collection.distinct(
            "community_id", {"user_id": a, "state": "member"}
        )
        if not communities:
            return False
        found = await self._collection.find_one(
            {"user_id": b, "state": "member", "community_id": {"$in": communities}},
            projection={"_id": 1},
        )
        return found is not None


def _to_document(m: Membership) -> dict[str, Any]:
    offer = m.offer
    return {
        "_id": _key(m.community_id, m.user_id),
        "community_id": m.community_id,
        "user_id": m.user_id,
        "state": m.state,
        "since": m.since,
        "role": m.role,
        "joined_at": m.joined_at,
        "code_version": m.code_version,
        "code_accepted_at": m.code_accepted_at,
        "sequence": m.sequence,
        "offer": None
        if offer is None
        else {"id": offer.id, "offered_at": offer.offered_at, "expires_at": offer.expires_at},
        "application_id": m.application_id,
        "reason": m.reason,
    }


def _from_document(d: Document) -> Membership:
    offer = d.get("offer")
    return Membership(
        community_id=d["community_id"],
        user_id=d["user_id"],
        state=d["state"],
        since=d["since"],
        role=d.get("role"),
        joined_at=d.get("joined_at"),
        code_version=d.get("code_version"),
        code_accepted_at=d.get("code_accepted_at"),
        sequence=d.get("sequence"),
        offer=None
        if offer is None
        else SeatOffer(
            id=offer["id"], offered_at=offer["offered_at"], expires_at=offer["expires_at"]
        ),
        application_id=d.get("application_id"),
        reason=d.get("reason"),
    )
