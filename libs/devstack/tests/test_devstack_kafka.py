"""The Kafka fixture: catalog topics exist and an idempotent producer round-trips a message."""

import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from cerchia_contracts.catalog import CATALOG
from cerchia_devstack.kafka import KafkaCluster

pytestmark = pytest.mark.integration


async def test_catalog_topics_and_their_dlqs_exist(kafka: KafkaCluster) -> None:
    admin = AIOKafkaAdminClient(**kafka.admin.client_kwargs())
    await admin.start()
    try:
        names = [name for topic in CATALOG for name in (topic.name, topic.dlq)]
        described = {entry["topic"]: entry for entry in await admin.describe_topics(names)}
    finally:
        await admin.close()

    for topic in CATALOG:
        for name in (topic.name, topic.dlq):
            assert described[name]["error_code"] == 0
            assert len(described[name]["partitions"]) == topic.partitions


async def test_idempotent_producer_round_trips_a_message(kafka: KafkaCluster) -> None:
    topic = f"devstack.probe.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**kafka.admin.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b'{"hello":"cerchia"}', key=b"community-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        **kafka.admin.client_kwargs(),
        group_id=f"devstack-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await consumer.getone()
        await consumer.commit()
    finally:
        await consumer.stop()

    assert (record.key, record.value) == (b"community-1", b'{"hello":"cerchia"}')
    assert (record.partition, record.offset) == (sent.partition, sent.offset)
