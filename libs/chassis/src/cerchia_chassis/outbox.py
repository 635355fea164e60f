"""Transactional outbox: events are stored with the state change, then relayed to Kafka in order."""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import propagate, trace
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis import consistency
from cerchia_chassis.mongo import Document, Indexes, Session
from cerchia_chassis.personal_data import Sealer
from cerchia_chassis.public_twins import PublicTwins
from cerchia_contracts import CLOUDEVENTS_CONTENT_TYPE
from cerchia_contracts.catalog import PERSON_KEY_TOPICS, AnyEvent, topic_of

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

OUTBOX = "outbox"
LEASES = "leases"
SEQUENCES = "outbox_sequences"
SENT_RETENTION = timedelta(days=7)
_KEY_TOPICS = frozenset(t.name for t in PERSON_KEY_TOPICS.values())


class Outbox:
    """Stores events inside the caller's transaction; the relay publishes them after commit."""

    indexes: Sequence[Indexes] = (
        Indexes(
            OUTBOX,
            (
                IndexModel([("sent_at", ASCENDING), ("_id", ASCENDING)], name="pending_in_order"),
                IndexModel(
                    [("sent_at", ASCENDING), ("key", ASCENDING), ("seq", ASCENDING)],
                    name="pending_by_key",
                ),
                IndexModel("event_id", unique=True, name="event_id_unique"),
                IndexModel(
                    "sent_at",
                    expireAfterSeconds=int(SENT_RETENTION.total_seconds()),
                    name="sent_retention",
                ),
            ),
        ),
        Indexes(LEASES),
        Indexes(SEQUENCES),
    )

    def __init__(
        self,
        db: AsyncDatabase[Document],
        on_commit: Callable[[], None],
        *,
        public_twins: PublicTwins | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        self._collection = db[OUTBOX]
        self._sequences = db[SEQUENCES]
        self._on_commit = on_commit
        self._public_twins = public_twins
        self._sealer = sealer

    @property
    def seals(self) -> bool:
        """Whether this outbox seals personal data (its service publishes some)."""
        return self._sealer is not None

    async def add(self, session: Session, *events: AnyEvent) -> None:
        """Record events in the session's transaction, with the current trace context.

        With ``public_twins``, the public twins of those events that may be public are recorded
        too, in the same transaction (``cerchia_chassis.public_twins``).
        """
        if self._public_twins is not None:
            events = (*events, *await self._public_twins.of(session, events))
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        docs: list[Document] = []
        for event in events:
            # Personal fields are sealed with their person's key (``personal_data``); a key made
            # for the occasion is announced first, so that readers have it before the event.
            payload, announced = (
                await self._sealer.seal(session, event)
                if self._sealer is not None
                else (event.model_dump_json(), [])
            )
            for key_event in announced:
                docs.append(
                    await self._record(session, key_event, key_event.model_dump_json(), carrier)
                )
            docs.append(await self._record(session, event, payload, carrier))
        await self._collection.insert_many(docs, session=session, ordered=True)

    async def _record(
        self, session: Session, event: AnyEvent, payload: str | None, headers: dict[str, str]
    ) -> Document:
        key = event.subject or ""
        topic = topic_of(event).name
        seq = await self._next_seq(session, topic, key)
        # The response to the request that wrote it names it (read-your-writes).
        consistency.produced(topic, key, seq)
        return {
            "event_id": event.id,
            "topic": topic,
            "key": key,
            "seq": seq,
            "type": event.type,
            "payload": payload,
            "headers": headers,
            "created_at": datetime.now(UTC),
            "sent_at": None,
        }

    async def forget_person(self, session: Session, person_id: str) -> None:
        """The person is erased: destroy this service's key for them (crypto-shredding).

        In ``session``: the key is deleted, a tombstone for the key topic is recorded (readers
        drop the key, compaction removes its record), and the outbox's own copies of the key's
        announcement are deleted. Every sealed copy of the person's fields, here or on Kafka,
        can no longer be opened.
        """
        if self._sealer is None:
            return
        keys = self._sealer.keys
        topic = PERSON_KEY_TOPICS[keys.producer].name
        await self._collection.delete_many({"topic": topic, "key": person_id}, session=session)
        if not await keys.delete(session, person_id):
            return
        seq = await self._next_seq(session, topic, person_id)
        await self._collection.insert_one(
            {
                "event_id": f"tombstone:{topic}:{person_id}:{uuid.uuid4().hex}",
                "topic": topic,
                "key": person_id,
                "seq": seq,
                "type": None,
                "payload": None,
                "headers": {},
                "created_at": datetime.now(UTC),
                "sent_at": None,
            },
            session=session,
        )

    async def _next_seq(self, session: Session, topic: str, key: str) -> int:
        # A counter per topic and key bumped in the same transaction: two writers of one key
        # conflict, one retries after the other commits, so seq follows commit order across
        # replicas (ObjectIds from two processes in the same second do not). Per topic, so a
        # topic's sequence for a key has no gaps a consumer could wait on in vain.
        counter = await self._sequences.find_one_and_update(
            {"_id": f"{topic}|{key}"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if counter is None:  # an upsert with ReturnDocument.AFTER always returns the document
            raise RuntimeError(f"outbox sequence for {key!r} was not created")
        return int(counter["seq"])

    async def observe(self, topic: str, key: str) -> None:
        """A read showed ``key``'s state on ``topic``: let the response's consistency token
        name its latest event, so a client that acts on what it read is not refused by a service
        that has not applied it yet (someone else's change, seen here first)."""
        counter = await self._sequences.find_one({"_id": f"{topic}|{key}"})
        if counter is not None:
            consistency.produced(topic, key, int(counter["seq"]))

    def committed(self) -> None:
        """Tell the relay new records are waiting (call after the transaction commits)."""
        self._on_commit()


class OutboxRelay:
    """Publishes pending outbox records, in commit order per key, and marks them sent.

    One relay at a time holds a lease, so with several replicas the order per key is kept; a
    crashed holder's lease expires and another takes over. Kafka sees at-least-once (a crash
    after publish and before marking sent republishes); consumers deduplicate on the event id.
    """

    def __init__(
        self,
        db: AsyncDatabase[Document],
        broker: KafkaBroker,
        *,
        batch_size: int,
        lease_ttl: timedelta = timedelta(seconds=15),
    ) -> None:
        self._outbox = db[OUTBOX]
        self._leases = db[LEASES]
        self._broker = broker
        self._batch_size = batch_size
        self._lease_ttl = lease_ttl
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    async def _hold_lease(self) -> bool:
        now = datetime.now(UTC)
        try:
            lease = await self._leases.find_one_and_update(
                {
                    "_id": "outbox-relay",
                    "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}],
                },
                {"$set": {"owner": self._owner, "expires_at": now + self._lease_ttl}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # another relay holds a live lease
        return lease is not None

    async def relay_once(self) -> int:
        """Publish one batch of pending records; return how many were published."""
        if not await self._hold_lease():
            return 0
        pending = await self._pending_in_key_order()
        if not pending:
            return 0
        # Person keys first, acknowledged before any event sealed with them is sent: a reader
        # that has read the key topics to their end and lacks a key knows it was destroyed.
        keys = [r for r in pending if r["topic"] in _KEY_TOPICS]
        if keys:
            pending = [r for r in pending if r["topic"] not in _KEY_TOPICS]
            results = await asyncio.gather(
                *[await self._send(r) for r in keys], return_exceptions=True
            )
            failed = [res for res in results if _failed(res)]
            if failed:
                raise RuntimeError(f"outbox relay could not publish a person key: {failed[0]!r}")
            await self._outbox.update_many(
                {"_id": {"$in": [r["_id"] for r in keys]}},
                {"$set": {"sent_at": datetime.now(UTC)}},
            )
        # Send the whole batch before awaiting acknowledgements: the idempotent producer keeps
        # per-partition order, so pipelining is safe and far faster than one round trip each.
        sends = [await self._send(record) for record in pending]
        results = await asyncio.gather(*sends, return_exceptions=True)
        sent_ids = [r["_id"] for r, res in zip(pending, results, strict=True) if not _failed(res)]
        failures = [res for res in results if _failed(res)]
        if sent_ids:
            await self._outbox.update_many(
                {"_id": {"$in": sent_ids}}, {"$set": {"sent_at": datetime.now(UTC)}}
            )
        if failures:
            logger.warning("outbox relay: %d of %d publishes failed", len(failures), len(pending))
            raise RuntimeError(f"outbox relay could not publish: {failures[0]!r}")
        return len(keys) + len(sent_ids)

    async def _pending_in_key_order(self) -> list[Document]:
        """The oldest pending records' keys, each with all its pending records in seq order."""
        head = (
            await self._outbox.find({"sent_at": None}, {"key": 1})
            .sort("_id", ASCENDING)
            .limit(self._batch_size)
            .to_list()
        )
        keys = list(dict.fromkeys(record["key"] for record in head))
        if not keys:
            return []
        records = (
            await self._outbox.find({"sent_at": None, "key": {"$in": keys}})
            .sort([("key", ASCENDING), ("seq", ASCENDING)])
            .to_list()
        )
        by_key: dict[str, list[Document]] = {key: [] for key in keys}
        for record in records:
            by_key[record["key"]].append(record)
        return [record for key in keys for record in by_key[key]]

    async def _send(self, record: Document) -> "asyncio.Future[Any]":
        context = propagate.extract(record.get("headers") or {})
        with tracer.start_as_current_span("outbox relay", context=context) as span:
            span.set_attribute("messaging.destination.name", record["topic"])
            span.set_attribute("cloudevents.event_id", record["event_id"])
            payload = record["payload"]
            return await self._broker.publish(
                # None: a tombstone (a destroyed person key, on its compacted topic).
                payload.encode() if payload is not None else None,
                topic=record["topic"],
                key=record["key"].encode() or None,
                # Structured mode: the whole event is the value, and no ce_* header may be added
                # (the CloudEvents Kafka binding reads any ce_* header as binary mode).
                headers={
                    "content-type": CLOUDEVENTS_CONTENT_TYPE,
                    consistency.SEQUENCE_HEADER: str(record["seq"]),
                },
                no_confirm=True,
            )


def _failed(result: object) -> bool:
    return isinstance(result, BaseException)
