"""The delivery log over the deliveries collection: pages of states, retries and replays."""

from collections.abc import Callable, Sequence
from datetime import datetime

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document
from notifications.adapters.deliveries import DELIVERIES
from notifications.domain.deliveries import Channel, DeliveryStatus
from notifications.service.log_ports import DeliveryFilter, DeliveryRecord, LogPosition

#: What a log entry never shows: message content, the address, tracing internals.
_HIDDEN: Document = {"context": 0, "address": 0, "trace_headers": 0}


class MongoDeliveryLog:
    """Reads and resets deliveries for operations, people and webhook owners."""

    def __init__(self, db: AsyncDatabase[Document], wake: Callable[[], None]) -> None:
        self._collection = db[DELIVERIES]
        self._wake = wake

    def wake(self) -> None:
        """Tell the sender deliveries are due again."""
        self._wake()

    async def page(
        self, selected: DeliveryFilter, *, after: LogPosition | None, limit: int
    ) -> list[DeliveryRecord]:
        """Newest first; ``after`` continues after an entry (its created_at and key)."""
        query: Document = {
            name: value
            for name, value in (
                ("status", selected.status),
                ("event_id", selected.event_id),
                ("recipient_id", selected.recipient_id),
                ("channel", selected.channel),
                ("community_id", selected.community_id),
            )
            if value is not None
        }
        if after is not None:
            moment, key = after
            query["$or"] = [
                {"created_at": {"$lt": moment}},
                {"created_at": moment, "_id": {"$lt": key}},
            ]
        docs = (
            await self._collection.find(query, _HIDDEN)
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
            .to_list()
        )
        return [_record(doc) for doc in docs]

    async def get(self, key: str) -> DeliveryRecord | None:
        """One delivery's state."""
        doc = await self._collection.find_one({"_id": key}, _HIDDEN)
        return None if doc is None else _record(doc)

    async def retry(self, key: str, *, now: datetime) -> DeliveryRecord | None:
        """Queue a failed delivery again with fresh attempts; None unless it failed and still
        holds what it needs to be sent."""
        doc = await self._collection.find_one_and_update(
            {"_id": key, "status": DeliveryStatus.FAILED.value, "context": {"$exists": True}},
            _reset(now),
            projection=_HIDDEN,
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else _record(doc)

    async def replay(
        self,
        recipient_id: str,
        *,
        channel: Channel,
        keys: Sequence[str] | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        now: datetime,
    ) -> int:
        """Send again up to ``limit`` finished deliveries to a recipient, chosen by key or by
        creation time; pending ones are left alone (they are on their way)."""
        query: Document = {
            "recipient_id": recipient_id,
            "channel": channel.value,
            "status": {"$in": [DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value]},
            "context": {"$exists": True},
        }
        if keys is not None:
            query["_id"] = {"$in": list(keys)}
        created: Document = {}
        if since is not None:
            created["$gte"] = since
        if until is not None:
            created["$lt"] = until
        if created:
            query["created_at"] = created
        chosen = (
            await self._collection.find(query, {"_id": 1})
            .sort("created_at", 1)
            .limit(limit)
            .to_list()
        )
        if not chosen:
            return 0
        result = await self._collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in chosen]}, "status": query["status"]},
            _reset(now),
        )
        return result.modified_count


def _reset(now: datetime) -> Document:
    return {
        "$set": {
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "due_at": now,
            "replayed_at": now,
        },
        "$unset": {"last_error": "", "failure": "", "failed_at": ""},
    }


def _record(doc: Document) -> DeliveryRecord:
    return DeliveryRecord(
        key=doc["_id"],
        event_id=doc["event_id"],
        recipient_id=doc["recipient_id"],
        channel=Channel(doc["channel"]),
        kind=doc.get("template", ""),
        category=doc.get("category", "account"),
        urgency=doc.get("urgency", "normal"),
        community_id=doc.get("community_id"),
        status=DeliveryStatus(doc["status"]),
        attempts=int(doc.get("attempts", 0)),
        created_at=doc["created_at"],
        due_at=doc.get("due_at"),
        deferred=bool(doc.get("deferred")),
        last_error=doc.get("last_error"),
        failure=doc.get("failure"),
        sent_at=doc.get("sent_at"),
        failed_at=doc.get("failed_at"),
        replayed_at=doc.get("replayed_at"),
        # A secret is dropped once its delivery ends, and a webhook's event once a person it
        # names is erased: such a delivery cannot be sent again.
        replayable=bool(doc.get("replayable", True))
        and not (
            doc.get("sensitive")
            and doc["status"] in (DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value)
        ),
    )
