"""Webhook subscriptions in MongoDB."""

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.domain.webhooks import WebhookSubscription

WEBHOOKS = "webhooks"


class MongoWebhooks:
    """Integrators' endpoints per community."""

    indexes: Sequence[Indexes] = (
        Indexes(
            WEBHOOKS,
            (
                IndexModel([("community_id", ASCENDING)], name="by_community"),
                IndexModel([("owner_id", ASCENDING)], name="by_owner"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[WEBHOOKS]

    async def add(self, subscription: WebhookSubscription) -> None:
        """Store a new subscription."""
        await self._collection.insert_one(
            {
                "_id": subscription.id,
                "community_id": subscription.community_id,
                "owner_id": subscription.owner_id,
                "url": subscription.url,
                "event_types": list(subscription.event_types),
                "secret": subscription.secret,
                "created_at": subscription.created_at,
                "active": subscription.active,
                "consecutive_failures": 0,
            }
        )

    async def get(self, subscription_id: str) -> WebhookSubscription | None:
        """A subscription by id."""
        doc = await self._collection.find_one({"_id": subscription_id})
        return None if doc is None else _from_document(doc)

    async def of_community(self, community_id: str) -> list[WebhookSubscription]:
        """A community's subscriptions, oldest first."""
        docs = (
            await self._collection.find({"community_id": community_id}).sort("created_at").to_list()
        )
        return [_from_document(d) for d in docs]

    async def matching(
        self, community_id: str, event_type: str, session: Session
    ) -> list[WebhookSubscription]:
        """Active subscriptions of a community whose filter takes this event type."""
        docs = await self._collection.find(
            {"community_id": community_id, "active": True}, session=session
        ).to_list()
        return [s for s in map(_from_document, docs) if s.wants(event_type)]

    async def remove_owned_by(self, owner_id: str, session: Session) -> list[str]:
        """Delete the endpoints ``owner_id`` registered (erasure); their ids."""
        ids = await self._collection.distinct("_id", {"owner_id": owner_id}, session=session)
        await self._collection.delete_many({"_id": {"$in": ids}}, session=session)
        return [str(i) for i in ids]

    async def delete(self, subscription_id: str) -> None:
        """Remove a subscription."""
        await self._collection.delete_one({"_id": subscription_id})

    async def set_secret(self, subscription_id: str, secret: str) -> None:
        """Rotate a subscription's secret."""
        await self._collection.update_one({"_id": subscription_id}, {"$set": {"secret": secret}})

    async def record_outcome(
        self, subscription_id: str, *, ok: bool, disable_after: int, session: Session
    ) -> bool:
        """Count consecutive failures; return True when this failure disabled the endpoint
        (after ``disable_after`` in a row), so its owner is told exactly once."""
        if ok:
            await self._collection.update_one(
                {"_id": subscription_id},
                {"$set": {"consecutive_failures": 0}},
                session=session,
            )
            return False
        doc = await self._collection.find_one_and_update(
            {"_id": subscription_id},
            {"$inc": {"consecutive_failures": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if doc is None or not doc.get("active", True):
            return False
        if int(doc["consecutive_failures"]) < disable_after:
            return False
        await self._collection.update_one(
            {"_id": subscription_id}, {"$set": {"active": False}}, session=session
        )
        return True

    async def enable(self, subscription_id: str) -> None:
        """Take deliveries again, with a clean failure count."""
        await self._collection.update_one(
            {"_id": subscription_id}, {"$set": {"active": True, "consecutive_failures": 0}}
        )


def _from_document(doc: Document) -> WebhookSubscription:
    return WebhookSubscription(
        id=doc["_id"],
        community_id=doc["community_id"],
        owner_id=doc["owner_id"],
        url=doc["url"],
        event_types=tuple(doc.get("event_types") or ()),
        secret=doc["secret"],
        created_at=doc["created_at"],
        active=bool(doc.get("active", True)),
        consecutive_failures=int(doc.get("consecutive_failures", 0)),
    )
