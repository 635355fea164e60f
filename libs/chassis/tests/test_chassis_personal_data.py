"""Crypto-shredding: sealing personal fields, opening them with keys read from Kafka, and
destroying a key on erasure (unit tests, then real Kafka and a real MongoDB server)."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from bson import json_util
from pymongo import AsyncMongoClient

from cerchia_chassis.kafka import build_broker
from cerchia_chassis.mongo import Session, Transactions, ensure_indexes
from cerchia_chassis.outbox import Outbox, OutboxRelay
from cerchia_chassis.personal_data import (
    KeyFeed,
    Keyring,
    KeyWrapper,
    Opener,
    PersonalDataError,
    PersonKeys,
    SealedValue,
    Sealer,
    Shredded,
    seal_value,
)
from cerchia_chassis.settings import ServiceSettings
from cerchia_contracts.catalog import (
    CATALOG,
    CONTENT_MESSAGES,
    MEMBERSHIP_PERSON_KEYS,
    MEMBERSHIP_USERS,
    PERSON_KEY_TOPICS,
)
from cerchia_contracts.events.membership import (
    ProfileUpdated,
    ProfileUpdatedV1,
    UserRegisteredV1,
)
from cerchia_contracts.personal import personal_fields
from cerchia_devstack.kafka import KafkaCluster


def test_a_wrapped_key_opens_with_any_key_encryption_key_held_and_only_those() -> None:
    old, new = KeyWrapper.generate(), KeyWrapper.generate()
    before = KeyWrapper.from_text(old)
    wrapped = before.wrap(b"k" * 32, "ada")
    after = KeyWrapper.from_text(f"{new}, {old}")  # rotation: the new key first
    assert after.unwrap(wrapped) == b"k" * 32
    assert (
        after.wrap(b"k" * 32, "ada").kek_id == KeyWrapper.from_text(new).current != before.current
    )
    with pytest.raises(PersonalDataError, match="unknown key-encryption key"):
        KeyWrapper.from_text(new).unwrap(wrapped)
    moved = wrapped.model_copy(update={"person_id": "bo"})  # the person is associated data
    with pytest.raises(PersonalDataError, match="does not unwrap"):
        before.unwrap(moved)
    with pytest.raises(ValueError, match="32 bytes"):
        KeyWrapper.from_text("c2hvcnQ")


def test_a_sealed_value_opens_only_for_its_producer_person_event_type_and_field() -> None:
    key = b"s" * 32
    where = {"producer": "membership", "person_id": "ada", "event_type": "t.v1"}
    text = seal_value(key, ["Ada", 1], field="skills", **where)
    assert text.startswith("pd1:membership:ada:")
    assert "Ada" not in text
    sealed = SealedValue.parse(text)
    assert sealed.open(key, event_type="t.v1", field="skills") == ["Ada", 1]
    with pytest.raises(PersonalDataError):
        sealed.open(key, event_type="t.v1", field="email")
    with pytest.raises(PersonalDataError):
        sealed.open(b"x" * 32, event_type="t.v1", field="skills")
    for bad in ("pd1:membership:ada", "pd1:membership::AAAA", "pd1:a:b:AAAA", "pd1:a:b:!!"):
        with pytest.raises(PersonalDataError):
            SealedValue.parse(bad)


def test_the_catalog_marks_personal_fields_and_gives_each_producer_a_compacted_key_topic() -> None:
    assert personal_fields(UserRegisteredV1) == {"email": "user_id", "display_name": "user_id"}
    assert MEMBERSHIP_USERS.personal
    assert CONTENT_MESSAGES.personal
    for producer, topic in PERSON_KEY_TOPICS.items():
        assert topic in CATALOG
        assert topic.compacted
        assert topic.producer == producer
        # Whoever reads the producer's personal data reads its keys, and nobody else.
        readers = {c for t in CATALOG if t.producer == producer and t.personal for c in t.consumers}
        assert set(topic.consumers) == readers - {producer}
    for topic in CATALOG:
        if not topic.internal:
            assert not topic.personal, f"{topic.name} is public and carries personal data"


def profile(user_id: str, marker: str) -> ProfileUpdatedV1:
    return ProfileUpdatedV1.new(
        subject=user_id,
        data=ProfileUpdated(
            user_id=user_id,
            email=f"{marker}@example.org",
            display_name=f"Ada {marker}",
            handle=marker,
            locale="it",
            timezone="Europe/Rome",
            skills=(f"skill-{marker}",),
        ),
    )


@pytest.fixture
def settings(kafka: KafkaCluster, mongo_uri: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="membership",
        **kafka.admin.settings(),
        mongo_uri=mongo_uri,
        mongo_database=f"keys_{uuid.uuid4().hex[:12]}",
        log_json=False,
    )


@pytest.fixture
async def mongo(settings: ServiceSettings) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    yield client
    await client.drop_database(settings.database_name)
    await client.close()


async def records_of(settings: ServiceSettings, topic: str, key: str) -> list[Any]:
    """Every record of ``topic`` with ``key`` so far."""
    consumer = AIOKafkaConsumer(
        **settings.kafka_access.client_kwargs(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Any] = []
        async with asyncio.timeout(20):
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    found.extend(r for r in batch if r.key == key.encode())
        return found
    finally:
        await consumer.stop()


@pytest.mark.integration
async def test_personal_fields_travel_sealed_open_for_readers_and_not_after_erasure(
    settings: ServiceSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    wrapper = KeyWrapper.from_text(KeyWrapper.generate())
    db = mongo[settings.database_name]
    await ensure_indexes(db, Outbox.indexes)
    transactions = Transactions(mongo)
    producer_keys = PersonKeys(db, producer="membership", wrapper=wrapper, keyring=Keyring())
    outbox = Outbox(db, on_commit=lambda: None, sealer=Sealer(producer_keys))
    user_id, marker = f"user-{uuid.uuid4().hex[:8]}", f"mk{uuid.uuid4().hex[:10]}"
    first, second = profile(user_id, marker), profile(user_id, marker)

    async def publish(session: Session) -> None:
        await outbox.add(session, first, second)

    await transactions.run(publish)
    stored = json_util.dumps(await db.outbox.find({}).to_list())
    assert marker not in stored  # the outbox holds ciphertext only
    # One key for the person, announced once, before the events it opens.
    assert [r["topic"] for r in await db.outbox.find({}).sort("_id").to_list()] == [
        MEMBERSHIP_PERSON_KEYS.name,
        MEMBERSHIP_USERS.name,
        MEMBERSHIP_USERS.name,
    ]
    broker = build_broker(settings)
    await broker.start()
    try:
        relay = OutboxRelay(db, broker, batch_size=10)
        assert await relay.relay_once() == 3
        sealed = await records_of(settings, MEMBERSHIP_USERS.name, user_id)
        assert len(sealed) == 2
        assert all(marker not in r.value.decode() for r in sealed)

        # A reader (content) opens them with the key it read from membership's key topic.
        keyring = Keyring()
        feed = KeyFeed(settings.kafka_access, keyring, wrapper, [MEMBERSHIP_PERSON_KEYS])
        reader_keys = PersonKeys(db, producer="content", wrapper=wrapper, keyring=keyring)
        opener = Opener(keyring, feed, reader_keys)
        async with feed.running():
            opened = MEMBERSHIP_USERS.decode(await opener.open(MEMBERSHIP_USERS, sealed[0].value))
            assert opened == first
            assert opened.data.skills == (f"skill-{marker}",)

            # A reader with another key-encryption key cannot unwrap the key: nothing opens, and
            # the event is not taken for an erased person's (it is dead-lettered, to replay).
            stranger = Keyring()
            other = KeyFeed(
                settings.kafka_access,
                stranger,
                KeyWrapper.from_text(KeyWrapper.generate()),
                [MEMBERSHIP_PERSON_KEYS],
            )
            async with other.running():
                with pytest.raises(PersonalDataError, match="does not unwrap"):
                    await Opener(stranger, other, reader_keys).open(
                        MEMBERSHIP_USERS, sealed[0].value
                    )

            # A sealed field moved to another field does not open.
            document = json.loads(sealed[0].value)
            document["data"]["display_name"] = document["data"]["email"]
            with pytest.raises(PersonalDataError):
                await opener.open(MEMBERSHIP_USERS, json.dumps(document).encode())

            # Erasure destroys the key: a tombstone follows, and the sealed copies stay shut.
            async def forget(session: Session) -> None:
                await outbox.forget_person(session, user_id)

            await transactions.run(forget)
            assert await db.person_keys.count_documents({}) == 0
            assert await relay.relay_once() == 1
            with pytest.raises(Shredded):
                await opener.open(MEMBERSHIP_USERS, sealed[1].value)
            assert keyring.get("membership", user_id) is None
        keys = await records_of(settings, MEMBERSHIP_PERSON_KEYS.name, user_id)
        assert keys[-1].value is None  # the tombstone compaction keeps instead of the key
        # No copy of the key's announcement is left in the outbox.
        assert (
            await db.outbox.count_documents(
                {"topic": MEMBERSHIP_PERSON_KEYS.name, "payload": {"$ne": None}}
            )
            == 0
        )
    finally:
        await broker.stop()


@pytest.mark.integration
async def test_a_rotation_wraps_the_stored_keys_with_the_new_key_encryption_key(
    settings: ServiceSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    old, new = KeyWrapper.generate(), KeyWrapper.generate()
    db = mongo[settings.database_name]
    transactions = Transactions(mongo)
    before = PersonKeys(
        db, producer="membership", wrapper=KeyWrapper.from_text(old), keyring=Keyring()
    )
    made: list[bytes] = []

    async def make(session: Session) -> None:
        key, announced = await before.key_for(session, "ada")
        assert announced is not None  # a new key is announced
        made.append(key)

    await transactions.run(make)
    during = PersonKeys(
        db, producer="membership", wrapper=KeyWrapper.from_text(f"{new},{old}"), keyring=Keyring()
    )
    assert await during.stale(10) == ["ada"]
    wrapped: list[Any] = []

    async def rewrap(session: Session) -> None:
        wrapped.append(await during.rewrap(session, "ada"))
        wrapped.append(await during.rewrap(session, "ada"))  # done already: nothing to announce

    await transactions.run(rewrap)
    assert wrapped[0].kek_id == KeyWrapper.from_text(new).current
    assert wrapped[1] is None
    assert await during.stale(10) == []
    after = PersonKeys(
        db, producer="membership", wrapper=KeyWrapper.from_text(new), keyring=Keyring()
    )
    assert await after.committed_key("ada") == made[0]  # the same key, the old KEK retired
