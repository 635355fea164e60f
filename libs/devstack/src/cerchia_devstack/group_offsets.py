"""Consumer groups that start where the topics end at a chosen moment, not at their beginning.

A new consumer group reads its topics from the beginning. On a test session's Kafka that is every
earlier test's history — thousands of sign-ups, communities and threads late in a full run — which
a service started for one test must work through before it sees the test's own records. Tests
instead take a snapshot of the topics' end offsets before they produce anything, and commit it for
each group their services will use: the services then start at the test's first record.
"""

import asyncio
import threading
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from cerchia_chassis.kafka_access import KafkaAccess

Offsets = Mapping[TopicPartition, int]

_T = TypeVar("_T")


async def end_offsets(access: KafkaAccess) -> dict[TopicPartition, int]:
    """The next offset of every partition of every topic (Kafka's internal topics aside)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if not t.startswith("__"))
        partitions = [
            TopicPartition(description["topic"], partition["partition"])
            for description in await admin.describe_topics(topics)
            for partition in description["partitions"]
        ]
        found: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return found
    finally:
        await consumer.stop()
        await admin.close()


async def start_groups_at(access: KafkaAccess, groups: Iterable[str], offsets: Offsets) -> None:
    """Commit ``offsets`` for each group (no member may be running in it yet)."""
    for group in groups:
        consumer = AIOKafkaConsumer(
            **access.client_kwargs(), group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(list(offsets))
            await consumer.commit(
                {partition: OffsetAndMetadata(offset, "") for partition, offset in offsets.items()}
            )
        finally:
            await consumer.stop()


def run_apart(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coroutine`` to completion on an event loop of its own thread (from sync code that
    may itself be called while another loop runs)."""
    result: list[_T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:  # handed back to the caller below
            failure.append(error)

    thread = threading.Thread(target=target, name="group-offsets")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]
