"""The pipeline's health as gauges: consumer lag, outbox backlog and age, dead-letter depth.

Sampled every few seconds by one background loop per service (one offsets request per group
and one per topic set, two outbox queries), so a Prometheus scrape reads numbers already known.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.metrics import GaugeSet
from cerchia_chassis.mongo import Document
from cerchia_chassis.outbox import OUTBOX
from cerchia_contracts.catalog import DLQ_SUFFIX

logger = logging.getLogger(__name__)


def partition_lag(
    end: Mapping[TopicPartition, int],
    committed: Mapping[TopicPartition, OffsetAndMetadata | int | None],
    beginning: Mapping[TopicPartition, int],
) -> dict[TopicPartition, int]:
    """Lag per partition: what a group has still to commit. A partition it never committed
    counts from its first retained record; a lag is never negative."""
    lags = {}
    for partition, end_offset in end.items():
        done = committed.get(partition)
        offset = done.offset if isinstance(done, OffsetAndMetadata) else done
        if offset is None or offset < 0:
            offset = beginning.get(partition, 0)
        lags[partition] = max(0, end_offset - offset)
    return lags


def depth_by_topic(
    end: Mapping[TopicPartition, int], beginning: Mapping[TopicPartition, int]
) -> dict[str, int]:
    """Records held per topic (end minus first retained offset, over its partitions)."""
    depths: dict[str, int] = {}
    for partition, end_offset in end.items():
        held = max(0, end_offset - beginning.get(partition, 0))
        depths[partition.topic] = depths.get(partition.topic, 0) + held
    return depths


class PipelineSampler:
    """Samples the gauges of one service into a ``GaugeSet``; ``sample`` is a poller step."""

    def __init__(self, db: AsyncDatabase[Document], access: KafkaAccess) -> None:
        self._outbox = db[OUTBOX]
        self._access = access
        #: (group, topic) pairs this service consumes; filled by its subscriptions.
        self.subscriptions: set[tuple[str, str]] = set()
        self.gauges = GaugeSet()
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._failing = False

    async def sample(self) -> int:
        """Refresh every gauge; return 0 (a poller step that never has a batch waiting).

        A failure keeps the last values and is logged once, as a warning, until a sample
        succeeds again: the loop's next tick retries, and a Kafka or database outage has alerts
        of its own.
        """
        try:
            await self._sample_outbox()
            if self.subscriptions:
                await self._sample_kafka()
        except Exception as exc:
            if not self._failing:
                logger.warning("sampling pipeline metrics failed (retrying quietly): %r", exc)
            self._failing = True
            return 0
        if self._failing:
            logger.info("sampling pipeline metrics works again")
        self._failing = False
        return 0

    async def _sample_outbox(self) -> None:
        backlog = await self._outbox.count_documents({"sent_at": None})
        oldest = await self._outbox.find_one(
            {"sent_at": None}, {"created_at": 1}, sort=[("sent_at", ASCENDING), ("_id", ASCENDING)]
        )
        age = 0.0
        if oldest is not None and oldest.get("created_at") is not None:
            created: datetime = oldest["created_at"]
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - created).total_seconds())
        self.gauges.replace("cerchia.outbox.backlog", [({}, backlog)])
        self.gauges.replace("cerchia.outbox.oldest.age", [({}, age)])

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(**self._access.client_kwargs())
            try:
                await admin.start()
            except BaseException:
                await admin.close()
                raise
            # Made only once the admin is up: a consumer never stopped warns when collected.
            consumer = AIOKafkaConsumer(
                **self._access.client_kwargs(), group_id=None, enable_auto_commit=False
            )
            try:
                await consumer.start()
            except BaseException:
                await consumer.stop()
                await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def _partitions(
        self, admin: AIOKafkaAdminClient, topics: Iterable[str]
    ) -> list[TopicPartition]:
        found = []
        for description in await admin.describe_topics(sorted(set(topics))):
            if description.get("error_code"):
                continue  # a dead-letter topic nothing was ever written to does not exist yet
            found += [
                TopicPartition(description["topic"], p["partition"])
                for p in description["partitions"]
            ]
        return found

    async def _sample_kafka(self) -> None:
        try:
            admin, consumer = await self._clients()
            topics = {topic for _, topic in self.subscriptions}
            partitions = await self._partitions(admin, topics | {t + DLQ_SUFFIX for t in topics})
            end = await consumer.end_offsets(partitions)
            beginning = await consumer.beginning_offsets(partitions)
            lag: list[tuple[dict[str, str], float]] = []
            for group in sorted({group for group, _ in self.subscriptions}):
                mine = {t for g, t in self.subscriptions if g == group}
                committed = await admin.list_consumer_group_offsets(group)
                ends = {tp: offset for tp, offset in end.items() if tp.topic in mine}
                for tp, value in sorted(partition_lag(ends, committed, beginning).items()):
                    labels = {"group": group, "topic": tp.topic, "partition": str(tp.partition)}
                    lag.append((labels, value))
            dlq_ends = {tp: offset for tp, offset in end.items() if tp.topic.endswith(DLQ_SUFFIX)}
            depths = depth_by_topic(dlq_ends, beginning)
            # A dead-letter topic not created yet holds nothing: report it as 0, not absent.
            dlq = [
                ({"topic": t + DLQ_SUFFIX}, depths.get(t + DLQ_SUFFIX, 0)) for t in sorted(topics)
            ]
        except Exception:
            await self.close()  # reconnect at the next sample
            raise
        self.gauges.replace("cerchia.consumer.lag", lag)
        self.gauges.replace("cerchia.dlq.depth", dlq)

    async def close(self) -> None:
        """Release the Kafka clients."""
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()
