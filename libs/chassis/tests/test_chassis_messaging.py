"""Outbox, inbox and the subscriber policy against real Kafka and a real MongoDB server."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from cerchia_chassis.consumer import PermanentError, RetryPolicy, subscribe
from cerchia_chassis.dlq import replay
from cerchia_chassis.inbox import Inbox
from cerchia_chassis.kafka import build_broker
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.mongo import Session, Transactions, ensure_indexes
from cerchia_chassis.outbox import Outbox, OutboxRelay
from cerchia_chassis.settings import ServiceSettings
from cerchia_chassis.telemetry import TraceContextFilter, configure_tracing
from cerchia_contracts.catalog import AnyEvent, Topic
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from cerchia_devstack.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def registered(user_id: str) -> UserRegisteredV1:
    return UserRegisteredV1.new(
        subject=user_id,
        data=UserRegistered(
            user_id=user_id, email=f"{user_id}@example.org", display_name=user_id, locale="it"
        ),
    )


@pytest.fixture
def settings(kafka: KafkaCluster, mongo_uri: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="probe",
        **kafka.admin.settings(),
        mongo_uri=mongo_uri,
        mongo_database=f"probe_{uuid.uuid4().hex[:12]}",
        log_json=False,
    )


@pytest.fixture
async def mongo(settings: ServiceSettings) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    yield client
    await client.drop_database(settings.database_name)
    await client.close()


async def new_topic(access: KafkaAccess, partitions: int = 3) -> Topic:
    name = f"test.{uuid.uuid4().hex[:10]}.v1"
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, partitions, 1) for n in (name, name + ".dlq")])
    finally:
        await admin.close()
    return Topic(
        name=name,
        producer="membership",
        events=(UserRegisteredV1,),
        key="user id",
        description="test topic",
    )


async def read_until(
    access: KafkaAccess, topic: str, done: Callable[[list[Any]], bool], timeout: float = 20.0
) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        **access.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
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


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_outbox_commits_with_the_state_and_relays_in_order(
    settings: ServiceSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[settings.database_name]
    await ensure_indexes(db, Outbox.indexes)
    outbox = Outbox(db, on_commit=lambda: None)
    transactions = Transactions(mongo)
    key = f"user-{uuid.uuid4().hex[:8]}"
    events = [registered(key) for _ in range(20)]

    async def ok(session: Session) -> None:
        await db.things.insert_one({"_id": "kept"}, session=session)
        await outbox.add(session, *events)

    async def fails(session: Session) -> None:
        await db.things.insert_one({"_id": "rolled-back"}, session=session)
        await outbox.add(session, registered("ghost"))
        raise RuntimeError("use case failed after writing")

    await transactions.run(ok)
    with pytest.raises(RuntimeError):
        await transactions.run(fails)
    assert await db.things.count_documents({}) == 1
    assert await db.outbox.count_documents({"sent_at": None}) == 20  # no ghost record

    broker = build_broker(settings)
    await broker.start()
    try:
        relay = OutboxRelay(db, broker, batch_size=8)
        # All pending records of the keys at the head of the queue leave together, in seq order.
        assert await relay.relay_once() == 20
        assert await relay.relay_once() == 0
        rival = OutboxRelay(db, broker, batch_size=8)
        await outbox_add(transactions, outbox, registered("later"))
        assert await rival.relay_once() == 0  # the first relay holds the lease
    finally:
        await broker.stop()
    assert await db.outbox.count_documents({"sent_at": None}) == 1

    def ours(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key == key.encode()]

    records = await read_until(
        settings.kafka_access, "membership.users.v1", lambda rs: len(ours(rs)) >= 20
    )
    ours_in_log = ours(records)
    ids = [UserRegisteredV1.model_validate_json(r.value).id for r in ours_in_log]
    assert ids == [e.id for e in events]  # same key: same order, exactly once each
    headers = dict(ours_in_log[-1].headers)
    assert headers["content-type"] == b"application/cloudevents+json"


async def test_relay_follows_commit_order_per_key_not_object_id_order(
    settings: ServiceSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[settings.database_name]
    await ensure_indexes(db, Outbox.indexes)
    outbox = Outbox(db, on_commit=lambda: None)
    transactions = Transactions(mongo)
    key = f"community-{uuid.uuid4().hex[:8]}"
    first, second = registered(key), registered(key)
    await outbox_add(transactions, outbox, first)
    await outbox_add(transactions, outbox, second)
    # Two replicas writing in the same second: the later commit can carry the smaller ObjectId.
    records = await db.outbox.find({"key": key}).sort("seq", 1).to_list()
    assert [r["seq"] for r in records] == [1, 2]
    await db.outbox.delete_many({"key": key})
    swapped = [{**records[0], "_id": records[1]["_id"]}, {**records[1], "_id": records[0]["_id"]}]
    await db.outbox.insert_many(swapped)

    broker = build_broker(settings)
    await broker.start()
    try:
        assert await OutboxRelay(db, broker, batch_size=1).relay_once() == 2
    finally:
        await broker.stop()
    log = await read_until(
        settings.kafka_access,
        "membership.users.v1",
        lambda rs: len([r for r in rs if r.key == key.encode()]) >= 2,
    )
    ids = [UserRegisteredV1.model_validate_json(r.value).id for r in log if r.key == key.encode()]
    assert ids == [first.id, second.id]


async def outbox_add(transactions: Transactions, outbox: Outbox, event: AnyEvent) -> None:
    async def work(session: Session) -> None:
        await outbox.add(session, event)

    await transactions.run(work)


async def test_inbox_applies_an_effect_once_and_rolls_back_with_it(
    settings: ServiceSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[settings.database_name]
    await ensure_indexes(db, Inbox.indexes)
    inbox = Inbox(db, Transactions(mongo))

    async def effect(session: Session) -> None:
        await db.effects.update_one({"_id": "x"}, {"$inc": {"n": 1}}, upsert=True, session=session)

    async def failing(session: Session) -> None:
        await effect(session)
        raise RuntimeError("effect failed")

    with pytest.raises(RuntimeError):
        await inbox.process_once(consumer="c", event_id="e1", effect=failing)
    assert await db.inbox.count_documents({}) == 0  # a failed effect leaves no record
    results = await asyncio.gather(
        *(inbox.process_once(consumer="c", event_id="e1", effect=effect) for _ in range(5))
    )
    assert results.count(True) == 1
    assert (await db.effects.find_one({"_id": "x"}) or {})["n"] == 1
    assert await inbox.process_once(consumer="other", event_id="e1", effect=effect)
    assert (await db.effects.find_one({"_id": "x"}) or {})["n"] == 2


async def test_poison_and_failing_messages_are_dead_lettered_and_the_partition_moves_on(
    settings: ServiceSettings,
) -> None:
    topic = await new_topic(settings.kafka_access, partitions=1)
    handled: list[str] = []
    attempts: dict[str, int] = {}

    async def handler(event: AnyEvent) -> None:
        assert event.subject is not None
        attempts[event.subject] = attempts.get(event.subject, 0) + 1
        if event.subject == "always-fails":
            raise ConnectionError("downstream unavailable")
        if event.subject == "invalid-forever":
            raise PermanentError("cannot be processed")
        if event.subject == "flaky" and attempts["flaky"] < 3:
            raise ConnectionError("blip")
        handled.append(event.subject)

    broker = build_broker(settings)
    subscribe(
        broker,
        topic,
        handler,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        retry=RetryPolicy(max_attempts=4, initial_s=0.01, max_s=0.05),
    )
    await broker.start()
    try:
        for payload in (
            b"{not json",
            b'{"specversion":"1.0","type":"cerchia.membership.unknown.v1"}',
            registered("always-fails").model_dump_json().encode(),
            registered("invalid-forever").model_dump_json().encode(),
            registered("flaky").model_dump_json().encode(),
            registered("good").model_dump_json().encode(),
        ):
            await broker.publish(payload, topic=topic.name, key=b"k")
        await until(lambda: "good" in handled)
    finally:
        await broker.stop()

    assert handled == ["flaky", "good"]
    assert attempts == {"always-fails": 4, "invalid-forever": 1, "flaky": 3, "good": 1}
    dead = await read_until(settings.kafka_access, topic.dlq, lambda rs: len(rs) >= 4)
    assert len(dead) == 4
    assert dead[0].value == b"{not json"
    by_value = {r.value: dict(r.headers) for r in dead}
    first = by_value[b"{not json"]
    assert first["dlq-original-topic"] == topic.name.encode()
    assert first["dlq-error-type"] == b"ValidationError"
    assert first["dlq-attempts"] == b"0"
    failing = next(h for v, h in by_value.items() if b"always-fails" in v)
    assert failing["dlq-error-type"] == b"ConnectionError"
    assert failing["dlq-attempts"] == b"4"
    assert b"downstream unavailable" in failing["dlq-error-message"]


async def test_dead_letters_can_be_replayed_onto_the_original_topic(
    settings: ServiceSettings,
) -> None:
    topic = await new_topic(settings.kafka_access, partitions=2)
    healthy = False
    handled: list[str] = []

    async def handler(event: AnyEvent) -> None:
        if not healthy:
            raise ConnectionError("dependency down")
        assert event.subject is not None
        handled.append(event.subject)

    broker = build_broker(settings)
    subscribe(
        broker,
        topic,
        handler,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        retry=RetryPolicy(max_attempts=2, initial_s=0.01, max_s=0.02),
    )
    await broker.start()
    try:
        for name in ("a", "b", "c"):
            await broker.publish(
                registered(name).model_dump_json().encode(), topic=topic.name, key=name.encode()
            )
        await read_until(settings.kafka_access, topic.dlq, lambda rs: len(rs) >= 3)
        healthy = True  # the cause is fixed: replay
        group = f"replay-{uuid.uuid4().hex[:8]}"
        assert len((await replay(settings.kafka_access, topic.name, group_id=group)).replayed) == 3
        await until(lambda: len(handled) == 3)
        assert sorted(handled) == ["a", "b", "c"]
        # progress is committed: a second run has nothing left to replay
        assert (await replay(settings.kafka_access, topic.name, group_id=group)).replayed == []
    finally:
        await broker.stop()


async def test_a_consumer_logs_with_the_trace_of_the_message_it_handles(
    settings: ServiceSettings,
) -> None:
    provider = configure_tracing("probe")
    topic = await new_topic(settings.kafka_access, partitions=1)
    handled: list[str] = []

    async def handler(event: AnyEvent) -> None:
        logging.getLogger("probe.handler").info("handling %s", event.subject)
        assert event.subject is not None
        handled.append(event.subject)

    lines: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record)

    keep = Keep()
    keep.addFilter(TraceContextFilter())  # as configure_logging's handler
    root = logging.getLogger()
    saved = [(name, logging.getLogger(name).level) for name in ("probe.handler", "probe.kafka")]
    for name, _ in saved:
        logging.getLogger(name).setLevel(logging.INFO)
    root.addHandler(keep)
    broker = build_broker(settings)
    subscribe(
        broker,
        topic,
        handler,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        retry=RetryPolicy(max_attempts=1, initial_s=0.01, max_s=0.01),
    )
    try:
        await broker.start()
        with provider.get_tracer("probe").start_as_current_span("request") as request:
            await broker.publish(
                registered("traced").model_dump_json().encode(),
                topic=topic.name,
                key=b"traced",
            )
        trace_id = format(request.get_span_context().trace_id, "032x")
        await until(lambda: handled == ["traced"])
        await until(lambda: any(r.getMessage() == "Processed" for r in lines))
    finally:
        await broker.stop()
        root.removeHandler(keep)
        for name, level in saved:
            logging.getLogger(name).setLevel(level)

    (handling,) = [r for r in lines if r.name == "probe.handler"]
    assert getattr(handling, "trace_id", None) == trace_id
    # the handler runs in the consumer's own span, not the producer's
    assert getattr(handling, "span_id", None) not in (
        None,
        format(request.get_span_context().span_id, "016x"),
    )
    received, processed = (
        next(r for r in lines if r.name == "probe.kafka" and r.getMessage() == text)
        for text in ("Received", "Processed")
    )
    assert getattr(received, "trace_id", None) == trace_id
    assert getattr(processed, "trace_id", None) == trace_id
