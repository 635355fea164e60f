"""Browsers' push subscriptions in MongoDB, keyed by a hash of the endpoint."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.service.ports import PushSubscription

PUSH_SUBSCRIPTIONS = "push_subscriptions"


def _id(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


class MongoPushSubscriptions:
    """One browser endpoint belongs to one person: the last to subscribe on it."""

    indexes: Sequence[Indexes] = (
        Indexes(PUSH_SUBSCRIPTIONS, (IndexModel([("user_id", ASCENDING)], name="by_user"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[PUSH_SUBSCRIPTIONS]

    async def save(self, user_id: str, subscription: PushSubscription) -> None:
        """Store or refresh a subscription."""
        await self._collection.replace_one(
            {"_id": _id(subscription.endpoint)},
            {
                "user_id": user_id,
                "endpoint": subscription.endpoint,
                "p256dh": subscription.p256dh,
                "auth": subscription.auth,
                "expiration_time": subscription.expiration_time,
                "updated_at": datetime.now(UTC),
            },
            upsert=True,
        )

    async def remove(self, user_id: str, endpoint: str) -> bool:
        """Remove one of a person's subscriptions."""
        result = await self._collection.delete_one({"_id": _id(endpoint), "user_id": user_id})
        return result.deleted_count == 1

    async def of_many(self, user_ids: Sequence[str]) -> dict[str, list[PushSubscription]]:
        """The subscriptions of several people, in one query."""
        found: dict[str, list[PushSubscription]] = {}
        async for d in self._collection.find({"user_id": {"$in": list(set(user_ids))}}):
            found.setdefault(d["user_id"], []).append(
                PushSubscription(
                    endpoint=d["endpoint"],
                    p256dh=d["p256dh"],
                    auth=d["auth"],
                    expiration_time=d.get("expiration_time"),
                )
            )
        return found

    async def forget_endpoint(self, endpoint: str) -> None:
        """The push service says the endpoint is gone (404/410)."""
        await self._collection.delete_one({"_id": _id(endpoint)})

    async def users_with_push(self, user_ids: Sequence[str], session: Session) -> set[str]:
        """Who among ``user_ids`` has at least one subscription (one query)."""
        if not user_ids:
            return set()
        found = await self._collection.distinct(
            "user_id", {"user_id": {"$in": list(set(user_ids))}}, session=session
        )
        return {str(user) for user in found}

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget a person's devices."""
        await self._collection.delete_many({"user_id": user_id}, session=session)
