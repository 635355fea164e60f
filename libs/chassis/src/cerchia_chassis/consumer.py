"""Subscriber policy: decode the contract, retry with backoff, dead-letter, commit after effects."""

import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from cerchia_chassis.consistency import Positions, sequence_of
from cerchia_chassis.errors import PermanentError
from cerchia_chassis.metrics import meter
from cerchia_chassis.personal_data import Opener, Shredded
from cerchia_contracts.catalog import AnyEvent, Topic

logger = logging.getLogger(__name__)

__all__ = ["GaveUp", "Handler", "PermanentError", "RetryPolicy", "dead_letter", "subscribe"]

Handler = Callable[[AnyEvent], Awaitable[None]]

_dead_lettered = meter(__name__).create_counter(
    "cerchia.dlq.messages",
    unit="{message}",
    description="Messages this service moved to a dead-letter topic, per topic and group.",
)


class GaveUp(Exception):
    """The retries are used up (or the error is permanent): the last error and the attempts."""

    def __init__(self, error: Exception, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


class RetryPolicy:
    """How many times and how patiently a handler is retried before dead-lettering."""

    def __init__(self, *, max_attempts: int, initial_s: float, max_s: float) -> None:
        self.max_attempts = max_attempts
        self.initial_s = initial_s
        self.max_s = max_s

    async def run(self, call: Callable[[], Awaitable[None]]) -> None:
        """Call until it succeeds, with exponential jittered backoff; a ``PermanentError`` is
        not retried. Raise ``GaveUp`` when it does not succeed."""
        attempts = 0
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_attempts),
                wait=wait_exponential_jitter(
                    multiplier=self.initial_s, max=self.max_s, jitter=self.initial_s
                ),
                retry=retry_if_not_exception_type(PermanentError),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    await call()
        except Exception as exc:
            raise GaveUp(exc, attempts) from exc


async def opened(opener: Opener | None, topic: Topic, raw: bytes, retry: RetryPolicy) -> bytes:
    """The payload with its personal fields opened (``personal_data``), retried while the key
    topics cannot be read. Raises ``Shredded`` (an erased person's event: skip it) or
    ``GaveUp`` (a sealed field that does not open, or keys unavailable too long: dead-letter)."""
    if opener is None or not opener.needed(topic, raw):
        return raw
    result: list[bytes] = []

    async def attempt() -> None:
        result.append(await opener.open(topic, raw))

    try:
        await retry.run(attempt)
    except GaveUp as failed:
        if isinstance(failed.error, Shredded):
            raise failed.error from None
        raise
    return result[-1]


def skipped(topic: Topic, record: Any, gone: Shredded) -> None:
    """Log an event skipped because its person was erased."""
    logger.info(
        "skipping %s[%s]@%s: %s",
        topic.name,
        getattr(record, "partition", "?"),
        getattr(record, "offset", "?"),
        gone,
    )


def subscribe(
    broker: KafkaBroker,
    topic: Topic,
    handler: Handler,
    *,
    group_id: str,
    retry: RetryPolicy,
    max_workers: int = 1,
    positions: Positions | None = None,
    opener: Opener | None = None,
) -> None:
    """Consume ``topic`` in ``group_id`` with ``handler`` under Cerchia's delivery guarantees.

    Offsets are committed only after the handler returns (its effects are durable) or after the
    message is safely on ``<topic>.dlq``. An undecodable message goes to the DLQ at once; a
    failing handler is retried with exponential backoff, then dead-lettered, so a partition never
    stalls on a poison message. If even the DLQ publish fails, the message is not committed and
    will be redelivered.
    """

    @broker.subscriber(
        topic.name,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        max_workers=max_workers,
        title=f"{group_id}:{topic.name}",
        description=topic.description,
    )
    async def on_message(message: KafkaMessage) -> None:
        try:
            raw = await opened(opener, topic, message.body, retry)
            event = topic.decode(raw)
        except Shredded as gone:
            skipped(topic, message.raw_message, gone)
            if positions is not None:
                await _advance(positions, topic, message.raw_message)
            return
        except GaveUp as failed:
            await _dead_letter(
                broker, topic, message, failed.error, attempts=failed.attempts, group_id=group_id
            )
            return
        except ValidationError as exc:
            await _dead_letter(broker, topic, message, exc, attempts=0, group_id=group_id)
            return
        try:
            await retry.run(lambda: handler(event))
        except GaveUp as failed:
            await _dead_letter(
                broker, topic, message, failed.error, attempts=failed.attempts, group_id=group_id
            )
        if positions is not None:
            await _advance(positions, topic, message.raw_message)


async def _advance(positions: Positions, topic: Topic, record: Any) -> None:
    """The record is done with (handled, or dead-lettered): its key's position moves on."""
    sequence = sequence_of(getattr(record, "headers", None))
    key = getattr(record, "key", None)
    if sequence is not None and key is not None:
        await positions.advance(topic.name, {bytes(key).decode(errors="replace"): sequence})


async def _dead_letter(
    broker: KafkaBroker,
    topic: Topic,
    message: KafkaMessage,
    error: BaseException,
    *,
    attempts: int,
    group_id: str,
) -> None:
    record = message.raw_message
    if isinstance(record, tuple):  # batch subscribers are not used by this policy
        raise TypeError("dead-lettering expects a single record")
    await dead_letter(broker, topic, record, error, attempts=attempts, group_id=group_id)


async def dead_letter(
    broker: KafkaBroker,
    topic: Topic,
    record: ConsumerRecord[Any, Any],
    error: BaseException,
    *,
    attempts: int,
    group_id: str,
) -> None:
    """Publish ``record`` as it is to ``<topic>.dlq``, with headers on where and why it failed."""
    logger.error(
        "dead-lettering %s[%s]@%s after %d attempts: %s",
        record.topic,
        record.partition,
        record.offset,
        attempts,
        error,
    )
    original = {key: value.decode(errors="replace") for key, value in record.headers or ()}
    headers = {
        **original,
        "dlq-original-topic": record.topic,
        "dlq-original-partition": str(record.partition),
        "dlq-original-offset": str(record.offset),
        "dlq-consumer-group": group_id,
        "dlq-attempts": str(attempts),
        "dlq-error-type": type(error).__name__,
        "dlq-error-message": str(error)[:2000],
        "dlq-error-trace": "".join(traceback.format_exception(error))[-4000:],
        "dlq-failed-at": datetime.now(UTC).isoformat(),
    }
    await broker.publish(record.value or b"", topic=topic.dlq, key=record.key, headers=headers)
    _dead_lettered.add(1, {"topic": topic.dlq, "group": group_id})
