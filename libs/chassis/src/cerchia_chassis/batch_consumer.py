"""Batch subscriber policy: decode a whole batch in one call, same guarantees as one by one."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from pydantic import ValidationError

from cerchia_chassis.consistency import Positions, highest, sequence_of
from cerchia_chassis.consumer import GaveUp, RetryPolicy, dead_letter, opened, skipped
from cerchia_chassis.offset_commits import BackgroundCommitter, CommitOnRevoke
from cerchia_chassis.personal_data import Opener, Shredded
from cerchia_contracts.catalog import AnyEvent, Topic

logger = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[AnyEvent]], Awaitable[None]]
Record: TypeAlias = ConsumerRecord[Any, Any]
Batch: TypeAlias = StreamMessage[tuple[Record, ...]]

DEFAULT_MAX_RECORDS = 500
DEFAULT_MAX_WAIT_MS = 200


def subscribe_batch(
    broker: KafkaBroker,
    topic: Topic,
    handler: BatchHandler,
    *,
    group_id: str,
    retry: RetryPolicy,
    max_records: int = DEFAULT_MAX_RECORDS,
    max_wait_ms: int = DEFAULT_MAX_WAIT_MS,
    positions: Positions | None = None,
    opener: Opener | None = None,
) -> None:
    """Consume ``topic`` in ``group_id`` in batches of up to ``max_records`` events.

    The guarantees of ``consumer.subscribe``, per message: a batch's offsets are committed only
    after ``handler`` returned for every event of it or the event is on ``<topic>.dlq`` (same
    headers). Undecodable messages go to the DLQ at once, without holding up the others. A
    failing batch is retried with backoff; if it still fails, its events are handled one by one
    (each with its own retries), so only the events that fail alone are dead-lettered. If even
    the DLQ cannot be reached, the batch is rewound and comes again. Hence ``handler`` must be
    idempotent per event (the inbox) and may see an event again. Events of one partition come
    in log order.
    """
    committer = BackgroundCommitter()
    subscriber = broker.subscriber(
        topic.name,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=max_wait_ms,
        # Offsets are committed here (explicitly, in the background), not per FastStream ack.
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=CommitOnRevoke(committer),
        decoder=_as_is,
        title=f"{group_id}:{topic.name}:batch",
        description=topic.description,
    )

    stop_subscriber = subscriber.stop

    async def stop() -> None:
        # FastStream offers no hook between "no batch under way" and "consumer closed": commit
        # what is marked first, so a clean restart does not see the last batch again. A batch
        # finishing after this sees ``running`` false and commits itself (below).
        try:
            await committer.flush()
        finally:
            await stop_subscriber()

    subscriber.stop = stop  # type: ignore[method-assign]

    @subscriber
    async def on_batch(batch: Any) -> None:
        # ``batch`` is the message itself (``_as_is``); typed Any, so FastStream passes it as is.
        message: Batch = batch
        consumer: AIOKafkaConsumer = message.consumer  # type: ignore[attr-defined]
        records = message.raw_message
        try:
            await _handle(
                broker, topic, handler, records, group_id=group_id, retry=retry, opener=opener
            )
        except BaseException:
            _rewind(consumer, records)
            raise
        if positions is not None:
            sequences = highest(
                (bytes(r.key).decode(errors="replace"), sequence)
                for r in records
                if r.key is not None and (sequence := sequence_of(r.headers)) is not None
            )
            await positions.advance(topic.name, sequences)
        committer.mark(consumer, records)
        if not subscriber.running:  # stopping: this was the last batch, commit it now
            await committer.flush()


async def _as_is(message: Batch) -> Batch:
    """Hand the handler the batch message unparsed.

    FastStream's default batch decoder JSON-parses every body (the contract decode parses it
    again), and a handler parameter taken from FastStream's context is resolved in a worker
    thread per call: this decoder avoids both.
    """
    return message


def _rewind(consumer: AIOKafkaConsumer, records: Sequence[Record]) -> None:
    """Seek each partition back to the batch's first record, so nothing in it is skipped."""
    earliest: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        earliest[tp] = min(earliest.get(tp, record.offset), record.offset)
    assigned = consumer.assignment()
    for tp, offset in earliest.items():
        if tp in assigned:
            consumer.seek(tp, offset)


async def _handle(
    broker: KafkaBroker,
    topic: Topic,
    handler: BatchHandler,
    records: Sequence[Record],
    *,
    group_id: str,
    retry: RetryPolicy,
    opener: Opener | None = None,
) -> None:
    payloads: list[bytes] = []
    kept: list[Record] = []
    for record in records:
        try:
            payloads.append(await opened(opener, topic, record.value or b"", retry))
            kept.append(record)
        except Shredded as gone:
            skipped(topic, record, gone)
        except GaveUp as failed:
            await _dead_letter_failed(broker, topic, record, failed, group_id=group_id)
    records = kept
    decoded = topic.decode_many(payloads)
    good: list[tuple[Record, AnyEvent]] = []
    for record, result in zip(records, decoded, strict=True):
        if isinstance(result, ValidationError):
            await dead_letter(broker, topic, record, result, attempts=0, group_id=group_id)
        else:
            good.append((record, result))
    if not good:
        return
    try:
        await retry.run(lambda: handler([event for _, event in good]))
        return
    except GaveUp as failed:
        if len(good) == 1:
            await _dead_letter_failed(broker, topic, good[0][0], failed, group_id=group_id)
            return
        logger.warning(
            "batch of %d from %s failed (%s): handling its events one by one",
            len(good),
            topic.name,
            failed.error,
        )
    for record, event in good:
        try:
            await retry.run(partial(handler, [event]))
        except GaveUp as alone:
            await _dead_letter_failed(broker, topic, record, alone, group_id=group_id)


async def _dead_letter_failed(
    broker: KafkaBroker, topic: Topic, record: Record, failed: GaveUp, *, group_id: str
) -> None:
    await dead_letter(
        broker, topic, record, failed.error, attempts=failed.attempts, group_id=group_id
    )
