"""Crypto-shredding: personal data on Kafka encrypted with per-person keys that erasure destroys.

The contracts mark the fields that are a person's personal data and name whose
(``cerchia_contracts.personal``). When a service records such an event in its outbox, each marked
field is replaced by ``pd1:<producer>:<person id>:<AES-256-GCM ciphertext>`` under that person's
key, so the outbox, the topic and any dead-letter copy hold only ciphertext. The associated data
binds a ciphertext to its producer, person, event type and field: it does not open anywhere else.

Keys: each producing service makes a person's key the first time it publishes their data
(``PersonKeys``), stores it in its own database and announces it on its compacted
``<producer>.person-keys.v1`` topic (``cerchia_contracts.events.person_keys``), in the same
transaction as the event; the outbox relay publishes key records before the events they open. Keys
are stored and announced wrapped with the platform's key-encryption key (``KeyWrapper``), a secret
every service holds and Kafka never sees. Every reader follows the key topics of the producers it
reads (``KeyFeed``) and keeps the keys in memory (``Keyring``); its consumers open events before
decoding them (``Opener``).

Erasure: each service, in the transaction that erases the person's data, deletes its key and
records a tombstone for the key topic (``PersonKeys.forget``); readers drop the key when they read
it, and compaction removes the key record from the topic. From then on every copy of the person's
fields, wherever it lies, is ciphertext without a key. An event that can no longer be opened is
about an erased person and is skipped (``Shredded``).
"""

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.errors import PermanentError
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.mongo import Document, Session
from cerchia_contracts.catalog import PERSON_KEY_TOPICS, AnyEvent, Topic
from cerchia_contracts.events.person_keys import PersonKey, PersonKeyIssued
from cerchia_contracts.personal import personal_fields

logger = logging.getLogger(__name__)

PREFIX = "pd1:"
_MARK = b'"' + PREFIX.encode()
KEYS = "person_keys"
_NONCE = 12


class PersonalDataError(PermanentError, ValueError):
    """A sealed field that is not well formed or does not open with the person's key: the message
    will not open on a retry either (dead-letter it)."""


class Shredded(Exception):
    """The event holds personal data of an erased person, whose key no longer exists."""


class KeyUnavailable(Exception):
    """The key topics could not be read to their end in time (retry later)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise PersonalDataError("not base64url") from error


class KeyWrapper:
    """The key-encryption keys: the first wraps, every one unwraps (rotation).

    Given as text: base64url 256-bit keys separated by commas or spaces. A key's id is the
    first 8 bytes of its SHA-256, in hex.
    """

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("no key-encryption key")
        for key in keys:
            if len(key) != 32:
                raise ValueError("a key-encryption key has 32 bytes")
        self._keys = {hashlib.sha256(key).hexdigest()[:16]: AESGCM(key) for key in keys}
        self.current = next(iter(self._keys))

    @classmethod
    def from_text(cls, text: str) -> "KeyWrapper":
        """Keys from their text form."""
        parts = text.replace(",", " ").split()
        try:
            return cls([_unb64(part) for part in parts])
        except PersonalDataError as error:
            raise ValueError("a key-encryption key is not base64url") from error

    @staticmethod
    def generate() -> str:
        """A new key-encryption key, as text."""
        return _b64(os.urandom(32))

    def wrap(self, key: bytes, person_id: str) -> PersonKey:
        """``key`` wrapped with the current key-encryption key."""
        nonce = os.urandom(_NONCE)
        sealed = self._keys[self.current].encrypt(nonce, key, person_id.encode())
        return PersonKey(person_id=person_id, wrapped_key=_b64(nonce + sealed), kek_id=self.current)

    def unwrap(self, wrapped: PersonKey) -> bytes:
        """The key inside ``wrapped``; PersonalDataError when no key-encryption key opens it."""
        kek = self._keys.get(wrapped.kek_id)
        if kek is None:
            raise PersonalDataError(f"unknown key-encryption key {wrapped.kek_id}")
        raw = _unb64(wrapped.wrapped_key)
        try:
            return kek.decrypt(raw[:_NONCE], raw[_NONCE:], wrapped.person_id.encode())
        except InvalidTag as error:
            raise PersonalDataError("a person key does not unwrap") from error


def _aad(producer: str, person_id: str, event_type: str, field: str) -> bytes:
    return f"{producer}|{person_id}|{event_type}|{field}".encode()


def seal_value(
    key: bytes, value: Any, *, producer: str, person_id: str, event_type: str, field: str
) -> str:
    """``value`` (any JSON value) sealed for one field of one event."""
    nonce = os.urandom(_NONCE)
    plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, _aad(producer, person_id, event_type, field))
    return f"{PREFIX}{producer}:{person_id}:{_b64(nonce + sealed)}"


@dataclass(frozen=True)
class SealedValue:
    """A sealed field, parsed."""

    producer: str
    person_id: str
    box: bytes

    @classmethod
    def parse(cls, text: str) -> "SealedValue":
        """Parse ``pd1:<producer>:<person>:<box>``."""
        parts = text[len(PREFIX) :].split(":")
        if len(parts) != 3 or not all(parts):
            raise PersonalDataError("a sealed field is not pd1:<producer>:<person>:<box>")
        box = _unb64(parts[2])
        if len(box) <= _NONCE:
            raise PersonalDataError("a sealed field is too short")
        return cls(parts[0], parts[1], box)

    def open(self, key: bytes, *, event_type: str, field: str) -> Any:
        """The JSON value inside."""
        aad = _aad(self.producer, self.person_id, event_type, field)
        try:
            plain = AESGCM(key).decrypt(self.box[:_NONCE], self.box[_NONCE:], aad)
        except InvalidTag as error:
            raise PersonalDataError(f"{field} does not open with its person's key") from error
        return json.loads(plain)


class Keyring:
    """The person keys this process has read, by producer and person (in memory)."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], bytes] = {}
        self._unreadable: set[tuple[str, str]] = set()

    def get(self, producer: str, person_id: str) -> bytes | None:
        """The key, if known."""
        return self._keys.get((producer, person_id))

    def put(self, producer: str, person_id: str, key: bytes) -> None:
        """Remember a key."""
        self._keys[(producer, person_id)] = key
        self._unreadable.discard((producer, person_id))

    def drop(self, producer: str, person_id: str) -> None:
        """Forget a key (the person was erased)."""
        self._keys.pop((producer, person_id), None)
        self._unreadable.discard((producer, person_id))

    def cannot_unwrap(self, producer: str, person_id: str) -> None:
        """A key was announced that this process cannot unwrap (a key-encryption key missing
        from its settings): its events are not an erased person's."""
        self._keys.pop((producer, person_id), None)
        self._unreadable.add((producer, person_id))

    def unreadable(self, producer: str, person_id: str) -> bool:
        """Whether the person's key exists but could not be unwrapped here."""
        return (producer, person_id) in self._unreadable

    def __len__(self) -> int:
        return len(self._keys)


class PersonKeys:
    """This service's own keys: made when first needed, kept wrapped in its database."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        *,
        producer: str,
        wrapper: KeyWrapper | None,
        keyring: Keyring,
    ) -> None:
        self._keys = db[KEYS]
        self.producer = producer
        self._wrapper = wrapper
        self._keyring = keyring

    @property
    def wrapper(self) -> KeyWrapper:
        """The key-encryption keys; a service that handles personal data must have them."""
        if self._wrapper is None:
            raise RuntimeError(
                "no key-encryption key: set <SERVICE>_PERSONAL_DATA_KEYS (or its _FILE)"
            )
        return self._wrapper

    async def key_for(self, session: Session, person_id: str) -> tuple[bytes, PersonKey | None]:
        """The person's key, made now (in ``session``) if they have none; with the wrapped key
        to announce when it was made."""
        held = await self._keys.find_one({"_id": person_id}, session=session)
        if held is not None:  # the common case: a read, no write
            return self.wrapper.unwrap(_stored(person_id, held)), None
        proposed = self.wrapper.wrap(os.urandom(32), person_id)
        stored = await self._keys.find_one_and_update(
            {"_id": person_id},
            {
                "$setOnInsert": {
                    "wrapped_key": proposed.wrapped_key,
                    "kek_id": proposed.kek_id,
                    "created_at": datetime.now(UTC),
                }
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if stored is None:  # an upsert returning the document after always has one
            raise RuntimeError(f"no key stored for {person_id}")
        wrapped = _stored(person_id, stored)
        made = wrapped.wrapped_key == proposed.wrapped_key
        return self.wrapper.unwrap(wrapped), wrapped if made else None

    async def committed_key(self, person_id: str) -> bytes | None:
        """The person's key as committed (for opening this service's own events)."""
        key = self._keyring.get(self.producer, person_id)
        if key is not None:
            return key
        stored = await self._keys.find_one({"_id": person_id})
        if stored is None:
            return None
        key = self.wrapper.unwrap(_stored(person_id, stored))
        self._keyring.put(self.producer, person_id, key)
        return key

    async def stale(self, limit: int) -> list[str]:
        """People whose key is wrapped with an older key-encryption key (after a rotation)."""
        found = self._keys.find({"kek_id": {"$ne": self.wrapper.current}}, {"_id": 1})
        return [str(doc["_id"]) for doc in await found.limit(limit).to_list()]

    async def rewrap(self, session: Session, person_id: str) -> PersonKey | None:
        """Wrap the person's key with the current key-encryption key (in ``session``); the new
        wrapping to announce, or None when there is nothing to do."""
        stored = await self._keys.find_one({"_id": person_id}, session=session)
        if stored is None or stored["kek_id"] == self.wrapper.current:
            return None
        key = self.wrapper.unwrap(_stored(person_id, stored))
        wrapped = self.wrapper.wrap(key, person_id)
        await self._keys.update_one(
            {"_id": person_id},
            {"$set": {"wrapped_key": wrapped.wrapped_key, "kek_id": wrapped.kek_id}},
            session=session,
        )
        return wrapped

    async def delete(self, session: Session, person_id: str) -> bool:
        """Delete the person's key in ``session``; whether there was one."""
        self._keyring.drop(self.producer, person_id)
        result = await self._keys.delete_one({"_id": person_id}, session=session)
        return result.deleted_count > 0

    def issued(self, wrapped: PersonKey) -> AnyEvent:
        """The key-topic event announcing a new key."""
        event_class: type[PersonKeyIssued] = PERSON_KEY_TOPICS[self.producer].events[0]  # type: ignore[assignment]
        return event_class.new(subject=wrapped.person_id, data=wrapped)


def _stored(person_id: str, document: Document) -> PersonKey:
    return PersonKey(
        person_id=person_id, wrapped_key=document["wrapped_key"], kek_id=document["kek_id"]
    )


class Sealer:
    """Seals the personal fields of this service's events for its outbox."""

    def __init__(self, keys: PersonKeys) -> None:
        self.keys = keys

    async def seal(self, session: Session, event: AnyEvent) -> tuple[str, list[AnyEvent]]:
        """The event's payload with its personal fields sealed, and the key announcements of
        keys made for it (to be published before it)."""
        fields = personal_fields(type(event))
        if not fields:
            return event.model_dump_json(), []
        document = event.model_dump(mode="json")
        data = document["data"]
        announced: list[AnyEvent] = []
        for field, subject in fields.items():
            person_id, value = data.get(subject), data.get(field)
            if value in (None, [], "") or not person_id:
                continue
            key, made = await self.keys.key_for(session, str(person_id))
            if made is not None and not any(e.subject == made.person_id for e in announced):
                announced.append(self.keys.issued(made))
            data[field] = seal_value(
                key,
                value,
                producer=self.keys.producer,
                person_id=str(person_id),
                event_type=event.type,
                field=field,
            )
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False), announced


class KeyFeed:
    """Follows the key topics of the producers this service reads, into a ``Keyring``."""

    def __init__(
        self,
        access: KafkaAccess,
        keyring: Keyring,
        wrapper: KeyWrapper | None,
        topics: Iterable[Topic] = (),
        *,
        sync_timeout_s: float = 30.0,
    ) -> None:
        self._access = access
        self._keyring = keyring
        self._wrapper = wrapper
        self.topics = {t.producer: t for t in topics}
        self._sync_timeout_s = sync_timeout_s
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: dict[str, list[TopicPartition]] = {}
        self._read: dict[TopicPartition, int] = {}
        self._progress = asyncio.Condition()

    def follow(self, topic: Topic) -> None:
        """Follow one more key topic (before ``running``)."""
        self.topics[topic.producer] = topic

    @asynccontextmanager
    async def running(self) -> AsyncIterator["KeyFeed"]:
        """Read the key topics from their start, and keep reading until exit."""
        if not self.topics:
            yield self
            return
        consumer = AIOKafkaConsumer(
            **self._access.client_kwargs(), group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        task: asyncio.Task[None] | None = None
        try:
            await self._assign(consumer)
            self._consumer = consumer
            task = asyncio.create_task(self._follow(consumer), name="person-key-feed")
            yield self
        finally:
            self._consumer = None
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer) -> None:
        all_partitions: list[TopicPartition] = []
        for producer, topic in self.topics.items():
            numbers = consumer.partitions_for_topic(topic.name)
            if not numbers:
                await consumer._client.force_metadata_update()
                numbers = consumer.partitions_for_topic(topic.name) or set()
            partitions = [TopicPartition(topic.name, n) for n in sorted(numbers)]
            self._partitions[producer] = partitions
            all_partitions.extend(partitions)
        consumer.assign(all_partitions)
        await consumer.seek_to_beginning(*all_partitions)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        producers = {t.name: p for p, t in self.topics.items()}
        while True:
            try:
                batch = await consumer.getmany(timeout_ms=500)
            except KafkaError:
                logger.warning("reading the person-key topics failed; retrying", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            for tp, records in batch.items():
                for record in records:
                    self._apply(producers[tp.topic], record.key, record.value)
            async with self._progress:
                for tp in consumer.assignment():
                    self._read[tp] = await consumer.position(tp)
                self._progress.notify_all()

    def _apply(self, producer: str, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        person_id = key.decode(errors="replace")
        if value is None:
            self._keyring.drop(producer, person_id)
            return
        try:
            event = self.topics[producer].decode(value)
            if self._wrapper is None:
                raise PersonalDataError("no key-encryption key")
            self._keyring.put(producer, person_id, self._wrapper.unwrap(event.data))
        except (ValidationError, PersonalDataError) as error:
            self._keyring.cannot_unwrap(producer, person_id)
            logger.error("cannot use a person key of %s on %s: %s", person_id, producer, error)

    async def sync(self, producer: str) -> None:
        """Wait until the producer's key topic is read up to its end as of now."""
        consumer, partitions = self._consumer, self._partitions.get(producer)
        if consumer is None or partitions is None:
            raise KeyUnavailable(f"{producer}'s person keys are not being read")
        ends = await consumer.end_offsets(partitions)

        def reached() -> bool:
            return all(self._read.get(tp, 0) >= end for tp, end in ends.items())

        try:
            async with asyncio.timeout(self._sync_timeout_s), self._progress:
                await self._progress.wait_for(reached)
        except TimeoutError as error:
            raise KeyUnavailable(f"{producer}'s person keys were not read in time") from error


class Opener:
    """Opens the sealed personal fields of a consumed event, before it is decoded."""

    def __init__(self, keyring: Keyring, feed: KeyFeed, own: PersonKeys | None = None) -> None:
        self._keyring = keyring
        self._feed = feed
        self._own = own

    @staticmethod
    def needed(topic: Topic, payload: bytes) -> bool:
        """Whether the payload may hold sealed fields (a quick test)."""
        return topic.personal and _MARK in payload

    async def open(self, topic: Topic, payload: bytes) -> bytes:
        """The payload with its sealed fields opened. Raises ``Shredded`` for an erased person,
        ``PersonalDataError`` for a malformed or forged field, ``KeyUnavailable`` when the key
        topics cannot be read in time."""
        if not self.needed(topic, payload):
            return payload
        try:
            document = json.loads(payload)
            event_class = topic.event_class(document["type"])
            data = document["data"]
        except (ValueError, KeyError, TypeError):
            return payload  # not an event: decoding says why
        if not isinstance(data, dict):
            return payload
        for field in personal_fields(event_class):
            value = data.get(field)
            if not (isinstance(value, str) and value.startswith(PREFIX)):
                continue
            sealed = SealedValue.parse(value)
            if sealed.producer != topic.producer:
                raise PersonalDataError(f"{field} is sealed by {sealed.producer}")
            key = await self._key(sealed.producer, sealed.person_id)
            data[field] = sealed.open(key, event_type=document["type"], field=field)
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

    async def _key(self, producer: str, person_id: str) -> bytes:
        if self._own is not None and producer == self._own.producer:
            key = await self._own.committed_key(person_id)
        else:
            key = self._keyring.get(producer, person_id)
            if key is None:
                # Keys are published before the events they open: once read to the end as of
                # now, a key still missing has been destroyed.
                await self._feed.sync(producer)
                key = self._keyring.get(producer, person_id)
        if key is None and self._keyring.unreadable(producer, person_id):
            # Not erased: this process lacks the key-encryption key. Dead-letter, to replay once
            # the settings are mended.
            raise PersonalDataError(
                f"the key of {person_id} ({producer}) does not unwrap with the key-encryption "
                "keys held: check <SERVICE>_PERSONAL_DATA_KEYS"
            )
        if key is None:
            raise Shredded(f"the personal data of {person_id} ({producer}) is erased")
        return key


async def read_person_key(
    access: KafkaAccess, wrapper: KeyWrapper, producer: str, person_id: str
) -> bytes | None:
    """The person's current key read from the producer's key topic (for tools and tests: a
    one-off read of the whole topic); None when there is none or it was destroyed."""
    keyring = Keyring()
    feed = KeyFeed(access, keyring, wrapper, [PERSON_KEY_TOPICS[producer]])
    async with feed.running():
        await feed.sync(producer)
    return keyring.get(producer, person_id)


async def opened_payload(
    access: KafkaAccess, wrapper: KeyWrapper, topic: Topic, payload: bytes
) -> bytes:
    """A record's value with its sealed fields opened, reading the producer's key topic once
    (tools, tests). Raises ``Shredded`` when the person was erased."""
    keyring = Keyring()
    feed = KeyFeed(access, keyring, wrapper, [PERSON_KEY_TOPICS[topic.producer]])
    async with feed.running():
        return await Opener(keyring, feed).open(topic, payload)


async def opened_event(access: KafkaAccess, wrapper: KeyWrapper, event: AnyEvent) -> AnyEvent:
    """A decoded event whose personal fields are still sealed, with them opened (tools, tests)."""
    data = event.data.model_dump(mode="json")
    for field in personal_fields(type(event)):
        value = data.get(field)
        if isinstance(value, str) and value.startswith(PREFIX):
            sealed = SealedValue.parse(value)
            key = await read_person_key(access, wrapper, sealed.producer, sealed.person_id)
            if key is None:
                raise Shredded(f"the personal data of {sealed.person_id} is erased")
            data[field] = sealed.open(key, event_type=event.type, field=field)
    return event.model_copy(update={"data": type(event.data).model_validate(data)})
