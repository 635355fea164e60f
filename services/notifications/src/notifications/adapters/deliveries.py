"""The delivery queue in MongoDB: claimed with a lease, so a crashed sender's work is retried."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.domain.categories import Category, Urgency
from notifications.domain.deliveries import Channel, Delivery, DeliveryStatus

DELIVERIES = "deliveries"
CLAIM_LEASE = timedelta(seconds=60)


class MongoDeliveryQueue:
    """Deliveries keyed by their idempotency key: enqueuing one twice stores it once."""

    indexes: Sequence[Indexes] = (
        Indexes(
            DELIVERIES,
            (
                IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel([("recipient_id", ASCENDING)], name="by_recipient"),
                IndexModel([("event_id", ASCENDING)], name="by_event"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[DELIVERIES]
        self._wake: Callable[[], None] = lambda: None

    def on_enqueue(self, wake: Callable[[], None]) -> None:
        """Register the sender's wake-up."""
        self._wake = wake

    def wake(self) -> None:
        """Tell the sender new deliveries are due."""
        self._wake()

    async def enqueue(self, deliveries: Sequence[Delivery], session: Session) -> None:
        """Store deliveries in the caller's transaction, in one bulk write."""
        if deliveries:
            await self._collection.insert_many(
                [_to_document(d) for d in deliveries], session=session, ordered=False
            )

    async def claim_due(self, *, limit: int, now: datetime) -> list[Delivery]:
        """Take up to ``limit`` due deliveries; each is hidden from other senders for a lease."""
        claimed: list[Delivery] = []
        for _ in range(limit):
            document = await self._collection.find_one_and_update(
                {"status": DeliveryStatus.PENDING.value, "due_at": {"$lte": now}},
                {"$set": {"due_at": now + CLAIM_LEASE}, "$inc": {"attempts": 1}},
                sort=[("due_at", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if document is None:
                break
            claimed.append(_from_document(document))
        return claimed

    async def mark_sent(self, delivery: Delivery, *, now: datetime) -> None:
        """The provider accepted the delivery."""
        update: Document = {"$set": {"status": DeliveryStatus.SENT.value, "sent_at": now}}
        if delivery.sensitive:
            update["$unset"] = {"context": ""}  # the single-use secret has no business staying
        await self._collection.update_one({"_id": delivery.key}, update)

    async def mark_failed(
        self, delivery: Delivery, *, error: str, retry_at: datetime | None
    ) -> None:
        """Retry at ``retry_at``, or give up when it is None."""
        update: Document = {"$set": {"last_error": error[:1000]}}
        if retry_at is None:
            update["$set"]["status"] = DeliveryStatus.FAILED.value
            update["$set"]["failed_at"] = datetime.now(UTC)
            if delivery.sensitive:
                update["$unset"] = {"context": ""}
        else:
            update["$set"]["due_at"] = retry_at
        await self._collection.update_one({"_id": delivery.key}, update)

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget every delivery to a person (the address and texts are personal data)."""
        await self._collection.delete_many({"recipient_id": user_id}, session=session)

    async def log(
        self, *, recipient_id: str | None = None, event_id: str | None = None
    ) -> list[Document]:
        """Delivery states for a person or an event, newest first (for the delivery log)."""
        query: Document = {}
        if recipient_id is not None:
            query["recipient_id"] = recipient_id
        if event_id is not None:
            query["event_id"] = event_id
        return (
            await self._collection.find(query, {"context": 0, "trace_headers": 0})
            .sort("created_at", -1)
            .limit(200)
            .to_list()
        )


def _to_document(delivery: Delivery) -> Document:
    return {
        "_id": delivery.key,
        "event_id": delivery.event_id,
        "recipient_id": delivery.recipient_id,
        "channel": delivery.channel.value,
        "template": delivery.template,
        "locale": delivery.locale,
        "address": delivery.address,
        "context": delivery.context,
        "category": delivery.category.value,
        "urgency": delivery.urgency.value,
        "community_id": delivery.community_id,
        "sensitive": delivery.sensitive,
        "trace_headers": delivery.trace_headers,
        "status": DeliveryStatus.PENDING.value,
        "deferred": delivery.deferred,
        "attempts": 0,
        "created_at": delivery.created_at,
        "due_at": (delivery.due_at or delivery.created_at).astimezone(UTC),
    }


def _from_document(document: Document) -> Delivery:
    return Delivery(
        key=document["_id"],
        event_id=document["event_id"],
        recipient_id=document["recipient_id"],
        channel=Channel(document["channel"]),
        template=document["template"],
        locale=document["locale"],
        address=document["address"],
        context=document.get("context") or {},
        created_at=document["created_at"],
        category=Category(document.get("category", Category.ACCOUNT.value)),
        urgency=Urgency(document.get("urgency", Urgency.NORMAL.value)),
        community_id=document.get("community_id"),
        sensitive=bool(document.get("sensitive")),
        trace_headers=document.get("trace_headers") or {},
        attempts=document["attempts"],
    )
