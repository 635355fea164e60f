"""The batch subscriber policy on real Kafka: decode, dead-letter, retry, commit after effects."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from cerchia_chassis import batch_consumer
from cerchia_chassis.batch_consumer import subscribe_batch
from cerchia_chassis.consumer import PermanentError, RetryPolicy, dead_letter
from cerchia_chassis.kafka import build_broker
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.settings import ServiceSettings
from cerchia_contracts.catalog import AnyEvent, Topic
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from cerchia_devstack.kafka import KafkaCluster

pytestmark = pytest.mark.integration

FAST_RETRY = RetryPolicy(max_attempts=3, initial_s=0.01, max_s=0.05)


def registered(user_id: str) -> bytes:
    data = UserRegistered(
        user_id=user_id, email=f"{user_id}@example.org", display_name=user_id, locale="it"
    )
    return UserRegisteredV1.new(subject=user_id, data=data).model_dump_json().encode()


@pytest.fixture
def settings(kafka: KafkaCluster, mongo_uri: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="batch-probe",
        **kafka.admin.settings(),
        kafka_group_id=f"g-{uuid.uuid4().hex[:8]}",
        mongo_uri=mongo_uri,
        mongo_database=f"batch_probe_{uuid.uuid4().hex[:12]}",
        log_json=False,
        consumer_max_attempts=3,
        consumer_backoff_initial_s=0.01,
        consumer_backoff_max_s=0.05,
    )


@pytest.fixture
async def topic(kafka: KafkaCluster) -> Topic:
    name = f"test.batch.{uuid.uuid4().hex[:10]}.v1"
    admin = AIOKafkaAdminClient(**kafka.admin.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, 1, 1) for n in (name, name + ".dlq")])
    finally:
        await admin.close()
    return Topic(
        name=name,
        producer="membership",
        events=(UserRegisteredV1,),
        key="user id",
        description="test topic",
    )


@pytest.fixture
async def mongo(settings: ServiceSettings) -> AsyncIterator[None]:
    yield
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri)
    await client.drop_database(settings.database_name)
    await client.close()


async def publish_all(access: KafkaAccess, topic: str, payloads: Sequence[bytes]) -> None:
    broker = KafkaBroker(
        access.bootstrap,
        security=access.security(),
        logger=None,
        acks="all",
        enable_idempotence=True,
    )
    await broker.start()
    try:
        for payload in payloads:
            await broker.publish(payload, topic=topic, key=b"k")
    finally:
        await broker.stop()


async def read_until(
    access: KafkaAccess, topic: str, done: Callable[[list[Any]], bool], timeout: float = 20.0
) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic, **access.client_kwargs(), auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(records):
                batch = await consumer.getmany(timeout_ms=500)
                for partition_records in batch.values():
                    records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def committed(access: KafkaAccess, group_id: str, topic: str) -> int | None:
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, 0))
    return None if meta is None else meta.offset


async def until_committed(access: KafkaAccess, group_id: str, topic: str, offset: int) -> None:
    async with asyncio.timeout(30):
        while await committed(access, group_id, topic) != offset:
            await asyncio.sleep(0.1)


async def until(condition: Callable[[], bool], timeout: float = 90.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_batches_are_decoded_at_once_and_only_bad_messages_are_dead_lettered(
    settings: ServiceSettings, topic: Topic
) -> None:
    access = settings.kafka_access
    good = [f"good-{i}" for i in range(40)]
    payloads = [registered(name) for name in good[:20]]
    payloads += [
        b"{not json",
        b'{"specversion":"1.0","type":"cerchia.membership.unknown.v1"}',
        registered("always-fails"),
        registered("invalid-forever"),
        registered("flaky"),
    ]
    payloads += [registered(name) for name in good[20:]]
    # All published before the subscriber starts, so they arrive in few, large batches.
    await publish_all(access, topic.name, payloads)

    calls: list[list[str]] = []
    handled: list[str] = []
    tries: dict[str, int] = {}

    async def handler(events: Sequence[AnyEvent]) -> None:
        subjects = [event.subject or "" for event in events]
        calls.append(subjects)
        for subject in subjects:
            tries[subject] = tries.get(subject, 0) + 1
        # All or nothing, as one transaction over the batch would be.
        if "always-fails" in subjects:
            raise ConnectionError("downstream unavailable")
        if "invalid-forever" in subjects:
            raise PermanentError("cannot be processed")
        if "flaky" in subjects and tries["flaky"] < 3:
            raise ConnectionError("blip")
        handled.extend(subjects)

    broker = build_broker(settings)
    group = settings.kafka_group_id or ""
    subscribe_batch(broker, topic, handler, group_id=group, retry=FAST_RETRY)
    await broker.start()
    try:
        await until(lambda: set(good) <= set(handled) and "flaky" in handled)
        dead = await read_until(access, topic.dlq, lambda rs: len(rs) >= 4)
        await until_committed(access, group, topic.name, len(payloads))
    finally:
        await broker.stop()

    assert max(len(c) for c in calls) > 1  # batches, not messages one by one
    assert sorted(handled) == sorted([*good, "flaky"])  # each effect exactly once
    assert [s for s in handled if s.startswith("good")] == good  # in log order
    # After the batch gave up, each event was tried alone: retried, or not for a PermanentError.
    assert calls.count(["always-fails"]) == FAST_RETRY.max_attempts
    assert calls.count(["invalid-forever"]) == 1
    by_value = {record.value: dict(record.headers) for record in dead}
    assert len(dead) == 4
    assert set(by_value) == {payloads[20], payloads[21], payloads[22], payloads[23]}
    for poison in (payloads[20], payloads[21]):
        headers = by_value[poison]
        assert headers["dlq-error-type"] == b"ValidationError"
        assert headers["dlq-attempts"] == b"0"
        assert headers["dlq-original-topic"] == topic.name.encode()
        assert headers["dlq-consumer-group"] == group.encode()
    failing = by_value[payloads[22]]
    assert failing["dlq-error-type"] == b"ConnectionError"
    assert failing["dlq-attempts"] == str(FAST_RETRY.max_attempts).encode()
    assert b"downstream unavailable" in failing["dlq-error-message"]
    assert failing["dlq-original-offset"] == b"22"
    assert by_value[payloads[23]]["dlq-error-type"] == b"PermanentError"
    assert by_value[payloads[23]]["dlq-attempts"] == b"1"


async def test_offsets_are_committed_after_effects_and_a_restart_resumes_after_them(
    settings: ServiceSettings, topic: Topic, mongo: None
) -> None:
    access = settings.kafka_access
    group = settings.kafka_group_id or ""
    first = [f"first-{i}" for i in range(300)]
    second = [f"second-{i}" for i in range(50)]
    handled: list[str] = []

    async def handler(events: Sequence[AnyEvent]) -> None:
        handled.extend(event.subject or "" for event in events)

    # Within the test's own deadline, so a step that hangs fails with its own line.
    async with asyncio.timeout(100):
        await publish_all(access, topic.name, [registered(name) for name in first])
        chassis = Chassis(settings)
        chassis.consume_batch(topic, handler, max_records=64)
        async with chassis.running():
            await until(lambda: len(handled) >= len(first))
        # Stopping committed the last batch too: nothing of it comes again.
        assert await committed(access, group, topic.name) == len(first)

        await publish_all(access, topic.name, [registered(name) for name in second])
        chassis = Chassis(settings)
        chassis.consume_batch(topic, handler, max_records=64)
        async with chassis.running():
            await until(lambda: len(handled) >= len(first) + len(second))
        assert handled == [*first, *second]
        assert await committed(access, group, topic.name) == len(first) + len(second)


async def test_a_batch_is_not_committed_but_consumed_again_while_its_dead_letter_cannot_be_sent(
    settings: ServiceSettings, topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = settings.kafka_access
    group = settings.kafka_group_id or ""
    payloads = [registered("a"), b"{poison", registered("b")]
    await publish_all(access, topic.name, payloads)
    outage = True
    refused = 0

    async def unreachable_dlq(*args: Any, **kwargs: Any) -> None:
        nonlocal refused
        if outage:
            refused += 1
            raise KafkaConnectionError("DLQ unreachable")
        await dead_letter(*args, **kwargs)

    monkeypatch.setattr(batch_consumer, "dead_letter", unreachable_dlq)
    seen: list[str] = []

    async def handler(events: Sequence[AnyEvent]) -> None:
        seen.extend(event.subject or "" for event in events)

    broker = build_broker(settings)
    subscribe_batch(broker, topic, handler, group_id=group, retry=FAST_RETRY)
    await broker.start()
    try:
        # The poison cannot be parked during the outage: the batch is rewound, not skipped.
        await until(lambda: refused >= 3)  # the same batch, consumed again and again
        assert await committed(access, group, topic.name) in (None, -1)
        assert seen == []
        outage = False
        dead = await read_until(access, topic.dlq, lambda rs: len(rs) >= 1)
        await until_committed(access, group, topic.name, len(payloads))
    finally:
        await broker.stop()
    assert [record.value for record in dead] == [b"{poison"]
    assert seen == ["a", "b"]  # handled once, when the batch finally went through
