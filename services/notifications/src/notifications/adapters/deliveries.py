"""The delivery queue in MongoDB: claimed with a lease, so a crashed sender's work is retried.

Every delivery carries ``expires_at`` (queued + the configured retention): a TTL index removes
it then, with its address, texts and, for a webhook, the event it carried.
"""

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.domain.categories import Category, Urgency
from notifications.domain.deliveries import Channel, Delivery, DeliveryStatus, Failure
from notifications.service.ports import Contact

DELIVERIES = "deliveries"
DEFAULT_RETENTION = timedelta(days=90)
CLAIM_LEASE = timedelta(seconds=60)
CLAIM_ROUNDS = 3


class MongoDeliveryQueue:
    """Deliveries keyed by their idempotency key: enqueuing one twice stores it once."""

    indexes: Sequence[Indexes] = (
        Indexes(
            DELIVERIES,
            (
                IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due"),
                IndexModel(
                    [("channel", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)],
                    name="due_by_channel",
                ),
                IndexModel([("recipient_id", ASCENDING)], name="by_recipient"),
                IndexModel([("event_id", ASCENDING)], name="by_event"),
                IndexModel(
                    [("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                    name="log_by_status",
                ),
                IndexModel(
                    [("recipient_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                    name="log_by_recipient",
                ),
                # Each document's own expiry, so a changed retention needs no index rebuild.
                # Purged by the service's own loop (``purge_expired``), not a TTL index: the
                # local database's TTL sweep scans a whole collection under its global lock,
                # and this one is the platform's largest.
                IndexModel([("expires_at", ASCENDING)], name="by_expiry"),
            ),
        ),
    )

    def __init__(
        self, db: AsyncDatabase[Document], *, retention: timedelta = DEFAULT_RETENTION
    ) -> None:
        self._collection = db[DELIVERIES]
        self._retention = retention
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
                [_to_document(d, self._retention) for d in deliveries],
                session=session,
                ordered=False,
            )

    async def claim_due(
        self, *, limit: int, now: datetime, channels: Sequence[Channel] | None = None
    ) -> list[Delivery]:
        """Take up to ``limit`` due deliveries (of ``channels``, else of any channel); each is
        hidden from other senders for a lease.

        Three round trips a batch: the due ids, conditional updates that claim those no other
        sender claimed meanwhile (each re-checks status and due time), and the claimed
        documents, told apart by this claim's token. Losing some to another sender means
        looking again, a few times at most.
        Parked deliveries are due when their wait for an address is over: they are claimed to
        be failed (an email without an address cannot be sent).
        """
        waiting = [DeliveryStatus.PENDING.value, DeliveryStatus.PARKED.value]
        due: Document = {"status": {"$in": waiting}, "due_at": {"$lte": now}}
        if channels is not None:
            due["channel"] = {"$in": [c.value for c in channels]}
        claimed: list[Delivery] = []
        for _ in range(CLAIM_ROUNDS):
            candidates = await self._collection.find(
                due, {"_id": 1}, sort=[("due_at", ASCENDING)], limit=limit - len(claimed)
            ).to_list()
            if not candidates:
                break
            claim, ids = uuid.uuid4().hex, [doc["_id"] for doc in candidates]
            take: Document = {
                "$set": {"due_at": now + CLAIM_LEASE, "claim": claim},
                "$inc": {"attempts": 1},
            }
            # One conditional update per id (in one round trip): each finds its document by
            # _id, where a single filter with all ids may be planned on the status index and
            # test every due delivery against the whole list.
            await self._collection.bulk_write(
                [UpdateOne({"_id": key, **due}, take) for key in ids], ordered=False
            )
            won = await self._collection.find(
                {"_id": {"$in": ids}, "claim": claim}, sort=[("created_at", ASCENDING)]
            ).to_list()
            claimed.extend(_from_document(document) for document in won)
            if len(won) == len(candidates) or len(claimed) >= limit:
                break
        return claimed

    async def purge_expired(self, now: datetime, limit: int) -> int:
        """Delete up to ``limit`` deliveries past their retention; answer how many."""
        expired = (
            await self._collection.find({"expires_at": {"$lt": now}}, {"_id": 1})
            .limit(limit)
            .to_list()
        )
        if not expired:
            return 0
        done = await self._collection.delete_many({"_id": {"$in": [d["_id"] for d in expired]}})
        return done.deleted_count

    async def mark_sent(
        self, deliveries: Sequence[Delivery], *, now: datetime, session: Session
    ) -> None:
        """The provider accepted these deliveries."""
        sent = {"status": DeliveryStatus.SENT.value, "sent_at": now}
        # An error of an earlier attempt no longer describes a delivery that arrived.
        stale = {"last_error": "", "failure": "", "failed_at": ""}
        plain = [d.key for d in deliveries if not d.sensitive]
        secret = [d.key for d in deliveries if d.sensitive]
        if plain:
            await self._collection.update_many(
                {"_id": {"$in": plain}}, {"$set": sent, "$unset": stale}, session=session
            )
        if secret:
            # The single-use secret has no business staying.
            await self._collection.update_many(
                {"_id": {"$in": secret}},
                {"$set": sent, "$unset": {**stale, "context": ""}},
                session=session,
            )

    async def mark_failed(
        self,
        delivery: Delivery,
        *,
        error: str,
        failure: Failure = Failure.ERROR,
        retry_at: datetime | None,
        session: Session | None = None,
    ) -> None:
        """Retry at ``retry_at``, or give up when it is None. ``error`` is for operations;
        ``failure`` is what the recipient is shown."""
        update: Document = {"$set": {"last_error": error[:1000], "failure": failure.value}}
        if retry_at is None:
            update["$set"]["status"] = DeliveryStatus.FAILED.value
            update["$set"]["failed_at"] = datetime.now(UTC)
            if delivery.sensitive:
                update["$unset"] = {"context": ""}
        else:
            update["$set"]["due_at"] = retry_at
        await self._collection.update_one({"_id": delivery.key}, update, session=session)

    async def postpone(self, delivery: Delivery, *, until: datetime) -> None:
        """Send later without counting this as an attempt (a provider's rate was used up)."""
        await self._collection.update_one(
            {"_id": delivery.key, "status": DeliveryStatus.PENDING.value},
            {"$set": {"due_at": until}, "$inc": {"attempts": -1}},
        )

    async def unpark(self, contact: Contact, *, now: datetime, session: Session) -> int:
        """The person's account arrived: their parked emails get the address and may go."""
        fields: Document = {
            "status": DeliveryStatus.PENDING.value,
            "address": contact.email,
            "locale": contact.locale,
            "context.display_name": contact.display_name,
        }
        if contact.timezone:
            fields["context.timezone"] = contact.timezone
        parked = await self._collection.find(
            {"recipient_id": contact.user_id, "status": DeliveryStatus.PARKED.value},
            {"send_at": 1},
            session=session,
        ).to_list()
        if not parked:
            return 0
        # Each keeps the time it was meant for (after quiet hours, say), or goes now.
        await self._collection.bulk_write(
            [
                UpdateOne(
                    {"_id": doc["_id"], "status": DeliveryStatus.PARKED.value},
                    {"$set": {**fields, "due_at": doc.get("send_at") or now}},
                )
                for doc in parked
            ],
            session=session,
            ordered=False,
        )
        return len(parked)

    async def erase(self, user_id: str, session: Session, *, webhooks: Sequence[str] = ()) -> None:
        """Forget every delivery to a person (the address and texts are personal data), and
        to the person's own ``webhooks``. A webhook delivery whose event names the person, or
        a message to someone else about what the person did, loses its content: not sent yet,
        it is dropped; sent or failed, its log entry stays without it, so it cannot be sent
        again."""
        await self._collection.delete_many(
            {"recipient_id": {"$in": [user_id, *webhooks]}}, session=session
        )
        naming = {
            "$or": [
                {
                    "channel": Channel.WEBHOOK.value,
                    "context.payload": {"$regex": re.escape(user_id)},
                },
                # A message to someone else about what the person did names them.
                {"context.named_ids": user_id},
                {"context.actor_id": user_id},
            ]
        }
        waiting = [DeliveryStatus.PENDING.value, DeliveryStatus.PARKED.value]
        await self._collection.delete_many({**naming, "status": {"$in": waiting}}, session=session)
        await self._collection.update_many(
            naming, {"$set": {"replayable": False}, "$unset": {"context": ""}}, session=session
        )


def _to_document(delivery: Delivery, retention: timedelta) -> Document:
    due = (delivery.due_at or delivery.created_at).astimezone(UTC)
    parked = delivery.park_until is not None
    return {
        "_id": delivery.key,
        "event_id": delivery.event_id,
        "recipient_id": delivery.recipient_id,
        "channel": delivery.channel.value,
        "template": delivery.template,
        "locale": delivery.locale,
        "address": delivery.address,
        "context": delivery.context,
        "category": delivery.category_label,
        "urgency": delivery.urgency.value,
        "community_id": delivery.community_id,
        "sensitive": delivery.sensitive,
        "trace_headers": delivery.trace_headers,
        "status": (DeliveryStatus.PARKED if parked else DeliveryStatus.PENDING).value,
        "deferred": delivery.deferred,
        "attempts": 0,
        "created_at": delivery.created_at,
        "expires_at": delivery.created_at.astimezone(UTC) + retention,
        "event_time": None if delivery.deferred else delivery.event_time,
        # A parked delivery is due when its wait ends; it goes at ``send_at`` once unparked.
        "due_at": delivery.park_until.astimezone(UTC) if delivery.park_until else due,
        "send_at": due,
    }


def _category(label: str) -> Category | None:
    # ``digest`` and ``webhook`` label deliveries outside the preference categories.
    return Category(label) if label in {c.value for c in Category} else None


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
        category=_category(document.get("category", Category.ACCOUNT.value)),
        urgency=Urgency(document.get("urgency", Urgency.NORMAL.value)),
        community_id=document.get("community_id"),
        sensitive=bool(document.get("sensitive")),
        trace_headers=document.get("trace_headers") or {},
        attempts=document["attempts"],
        event_time=document.get("event_time"),
    )
