"""Kafka: raw aiokafka produce+consume (control) and a FastStream subscriber decoding a contract."""

import asyncio
import time
import uuid
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from cerchia_bench.harness import Measurement
from cerchia_chassis.batch_consumer import subscribe_batch
from cerchia_chassis.consumer import RetryPolicy
from cerchia_chassis.kafka import build_broker
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.settings import ServiceSettings
from cerchia_contracts.catalog import MEMBERSHIP_USERS, AnyEvent, Topic
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1

MESSAGES = 20_000


def payloads(count: int) -> list[bytes]:
    """Realistic contract payloads (a user_registered event each)."""
    return [
        UserRegisteredV1.new(
            subject=f"u{i}",
            data=UserRegistered(
                user_id=f"u{i}", email=f"u{i}@example.org", display_name=f"User {i}", locale="it"
            ),
        )
        .model_dump_json()
        .encode()
        for i in range(count)
    ]


async def fresh_topic(access: KafkaAccess) -> str:
    """A new single-partition topic, so every run starts from an empty log."""
    name = f"bench.{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        await admin.close()
    return name


async def produce(access: KafkaAccess, topic: str, messages: list[bytes]) -> float:
    """Send with the platform's producer settings; return messages per second."""
    producer = AIOKafkaProducer(
        **access.client_kwargs(), acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        # The first send waits for the new topic's metadata; that wait is not throughput.
        await producer.send_and_wait(topic, value=messages[0], key=b"k")
        started = time.perf_counter()
        futures = [await producer.send(topic, value=m, key=b"k") for m in messages[1:]]
        await asyncio.gather(*futures)
        return (len(messages) - 1) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def raw_produce_consume(access: KafkaAccess, *, count: int = MESSAGES) -> Measurement:
    """Control: idempotent produce, then a raw consumer reading every message back."""
    topic = await fresh_topic(access)
    messages = payloads(count)
    produced = await produce(access, topic, messages)
    consumer = AIOKafkaConsumer(
        topic, **access.client_kwargs(), auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        started, seen = time.perf_counter(), 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(records) for records in batch.values())
        consumed = count / (time.perf_counter() - started)
    finally:
        await consumer.stop()
    return Measurement({"produce_msgs_per_s": produced, "consume_msgs_per_s": consumed})


async def faststream_decode(access: KafkaAccess, *, count: int = MESSAGES) -> Measurement:
    """A FastStream subscriber decoding each message into its contract, no other I/O."""
    topic = await fresh_topic(access)
    await produce(access, topic, payloads(count))
    broker = KafkaBroker(access.bootstrap, security=access.security(), logger=None)
    done = asyncio.Event()
    seen = 0
    first = 0.0

    # No group, like the raw control: the comparison is decode + dispatch, not group joins.
    @broker.subscriber(topic, auto_offset_reset="earliest")
    async def handle(message: KafkaMessage) -> None:
        nonlocal seen, first
        if seen == 0:
            first = time.perf_counter()  # group join is not part of the consume rate
        MEMBERSHIP_USERS.decode(message.body)
        seen += 1
        if seen == count:
            done.set()

    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=300)
        rate = (count - 1) / (time.perf_counter() - first)
    finally:
        await broker.stop()
    return Measurement({"consume_msgs_per_s": rate})


async def faststream_batch_decode(access: KafkaAccess, *, count: int = MESSAGES) -> Measurement:
    """The chassis's batch subscriber (what a service runs) decoding every event, no other I/O.

    Unlike the controls it consumes in a group and commits offsets after each batch, as a
    service does; the group join before the first batch is not part of the rate.
    """
    name = await fresh_topic(access)
    await produce(access, name, payloads(count))
    topic = Topic(
        name=name,
        producer=MEMBERSHIP_USERS.producer,
        events=MEMBERSHIP_USERS.events,
        key=MEMBERSHIP_USERS.key,
        description=MEMBERSHIP_USERS.description,
    )
    settings = ServiceSettings(service_name="bench", **access.settings(), log_json=False)
    broker = build_broker(settings)
    done = asyncio.Event()
    seen = 0
    first = 0.0
    first_batch = 0

    async def handle(events: Sequence[AnyEvent]) -> None:
        nonlocal seen, first, first_batch
        if seen == 0:
            # The clock starts once the first batch is in hand: it is not counted either.
            first, first_batch = time.perf_counter(), len(events)
        seen += len(events)
        if seen >= count:
            done.set()

    subscribe_batch(
        broker,
        topic,
        handle,
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        retry=RetryPolicy(max_attempts=1, initial_s=0.1, max_s=0.1),
    )
    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=300)
        rate = (count - first_batch) / (time.perf_counter() - first)
    finally:
        await broker.stop()
    return Measurement({"consume_msgs_per_s": rate})
