"""Offset commits off the consuming loop: one request in flight, the latest offsets win."""

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import ConsumerStoppedError, KafkaError

logger = logging.getLogger(__name__)

#: How long one commit may wait for the broker before it is given up (the records are then
#: delivered again): far above a commit's milliseconds, below a stop's patience.
COMMIT_TIMEOUT_S = 15.0


class BackgroundCommitter:
    """Commits the offsets of processed records without making the consumer wait for them.

    A commit is a broker round trip (milliseconds, more than decoding a whole batch); awaiting
    it after every batch would leave the consumer idle that long. Here it overlaps the next
    batch's fetch and decode. Only records whose effects are done are ever marked, so a commit
    never covers an unprocessed record; a commit that fails (a rebalance took the partition)
    only means those records are delivered again, which consumers are built to tolerate.
    """

    def __init__(self, *, commit_timeout_s: float = COMMIT_TIMEOUT_S) -> None:
        self._commit_timeout_s = commit_timeout_s
        self._consumer: AIOKafkaConsumer | None = None
        self._pending: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None

    def mark(self, consumer: AIOKafkaConsumer, records: Iterable[ConsumerRecord[Any, Any]]) -> None:
        """Record that ``records`` are processed and start a commit unless one is under way."""
        self._consumer = consumer
        last: dict[tuple[str, int], int] = {}
        for record in records:  # a partition's records come in offset order
            last[record.topic, record.partition] = record.offset
        for (topic, partition), offset in last.items():
            tp = TopicPartition(topic, partition)
            self._pending[tp] = max(self._pending.get(tp, 0), offset + 1)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_pending())

    async def flush(self) -> None:
        """Wait until every marked offset is committed (or its commit failed)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        if self._pending:
            self._task = asyncio.create_task(self._commit_pending())
            await asyncio.shield(self._task)

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        """Drop what is pending for partitions this consumer no longer owns."""
        for tp in partitions:
            self._pending.pop(tp, None)

    async def _commit_pending(self) -> None:
        consumer = self._consumer
        while self._pending and consumer is not None:
            assigned = consumer.assignment()
            offsets = {tp: offset for tp, offset in self._pending.items() if tp in assigned}
            self._pending = {}
            if not offsets:
                return
            try:
                async with asyncio.timeout(self._commit_timeout_s):
                    await consumer.commit(offsets)
            except TimeoutError:
                # aiokafka retries a retriable commit error for ever, waiting for a coordinator;
                # while the consumer stops or rebalances that wait can be the one that blocks
                # the stop or the revocation. Given up, the records are only delivered again.
                logger.warning(
                    "offset commit unanswered after %.0f s, records may be redelivered",
                    self._commit_timeout_s,
                )
            except (KafkaError, ConsumerStoppedError) as exc:
                # Not retried: a later commit of the same partition covers these offsets, and
                # without one the records are only delivered again.
                logger.warning("offset commit failed, records may be redelivered: %s", exc)


class CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Commits what is processed before a rebalance hands partitions to another consumer."""

    def __init__(self, committer: BackgroundCommitter) -> None:
        self._committer = committer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._committer.flush()
        self._committer.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return None
