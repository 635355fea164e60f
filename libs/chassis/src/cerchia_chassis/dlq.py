"""Replaying a dead-letter topic onto the topic its messages came from.

``python -m cerchia_chassis.dlq <topic> --client-config FILE`` republishes everything parked on
``<topic>.dlq`` (once the cause is fixed); consumers' inboxes make a replay of an event that was
in fact processed harmless. Progress is committed in the ``dlq-replay`` group, so a replay that
stops half-way resumes where it stopped.
"""

import argparse
import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_chassis.kafka_access import KafkaAccess, access_from_arguments, add_access_arguments
from cerchia_contracts.catalog import DLQ_SUFFIX

logger = logging.getLogger(__name__)

REPLAY_GROUP = "dlq-replay"
DLQ_HEADER_PREFIX = "dlq-"


async def replay(access: KafkaAccess, topic: str, *, group_id: str = REPLAY_GROUP) -> int:
    """Republish every message of ``<topic>.dlq`` not replayed yet; return how many."""
    dlq = topic + DLQ_SUFFIX
    consumer = AIOKafkaConsumer(
        **access.client_kwargs(),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(**access.client_kwargs(), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        partitions = [TopicPartition(dlq, p) for p in await partitions_of(access, dlq)]
        if not partitions:
            return 0
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(*partitions, timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    headers = [
                        (key, value)
                        for key, value in record.headers or ()
                        if not key.startswith(DLQ_HEADER_PREFIX)
                    ]
                    headers.append(("dlq-replayed-from", f"{dlq}:{record.offset}".encode()))
                    await producer.send_and_wait(
                        topic, value=record.value, key=record.key, headers=headers
                    )
                    replayed += 1
            await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()
    logger.info("replayed %d messages from %s to %s", replayed, dlq, topic)
    return replayed


async def partitions_of(access: KafkaAccess, topic: str) -> list[int]:
    """The partition numbers of ``topic`` (none when the cluster does not know it)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description.get("error_code"):
        return []
    return sorted(p["partition"] for p in description["partitions"])


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Replay a dead-letter topic.")
    parser.add_argument("topic", help="the original topic, e.g. membership.users.v1")
    add_access_arguments(parser)
    parser.add_argument("--group", default=REPLAY_GROUP)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    count = asyncio.run(replay(access_from_arguments(args), args.topic, group_id=args.group))
    print(f"replayed {count} messages from {args.topic}{DLQ_SUFFIX}")  # noqa: T201


if __name__ == "__main__":
    main()
