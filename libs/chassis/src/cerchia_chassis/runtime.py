"""The chassis runtime: one object wires MongoDB, Kafka, outbox, inbox and background loops."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from aiokafka.client import AIOKafkaClient
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.batch_consumer import DEFAULT_MAX_RECORDS, BatchHandler, subscribe_batch
from cerchia_chassis.consistency import Positions
from cerchia_chassis.consumer import Handler, RetryPolicy, subscribe
from cerchia_chassis.health import Check
from cerchia_chassis.inbox import Inbox
from cerchia_chassis.kafka import build_broker, start_broker
from cerchia_chassis.mongo import (
    Document,
    Indexes,
    Session,
    Transactions,
    build_mongo_client,
    ensure_indexes,
)
from cerchia_chassis.outbox import Outbox, OutboxRelay
from cerchia_chassis.personal_data import (
    KeyFeed,
    Keyring,
    KeyWrapper,
    Opener,
    PersonKeys,
    Sealer,
)
from cerchia_chassis.pipeline_metrics import PipelineSampler
from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.public_twins import PublicTwins
from cerchia_chassis.settings import ServiceSettings
from cerchia_chassis.telemetry import flush_tracing
from cerchia_contracts.catalog import CATALOG, PERSON_KEY_TOPICS, Topic

logger = logging.getLogger(__name__)


class Chassis:
    """What every service needs, built once in its composition root; nothing connects until
    ``running()``."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        indexes: Sequence[Indexes] = (),
        public_gatherings: str | None = None,
    ) -> None:
        self.settings = settings
        self.mongo: AsyncMongoClient[Document] = build_mongo_client(settings)
        self.db: AsyncDatabase[Document] = self.mongo[settings.database_name]
        self.broker: KafkaBroker = build_broker(settings)
        self.transactions = Transactions(self.mongo, limit=settings.mongo_max_transactions)
        self.relay = OutboxRelay(self.db, self.broker, batch_size=settings.outbox_batch_size)
        self._relay_loop = WakeablePoller(
            "outbox-relay",
            self._relay_when_connected,
            interval=settings.outbox_poll_interval_s,
            batch_size=settings.outbox_batch_size,
        )
        # Personal data on Kafka is sealed with per-person keys (``personal_data``): this
        # service's own, made as needed, and the other producers', read from their key topics.
        keys = settings.personal_data_keys
        wrapper = KeyWrapper.from_text(keys.get_secret_value()) if keys is not None else None
        self.keyring = Keyring()
        self.person_keys = PersonKeys(
            self.db, producer=settings.service_name, wrapper=wrapper, keyring=self.keyring
        )
        self.key_feed = KeyFeed(settings.kafka_access, self.keyring, wrapper)
        self._opener = Opener(self.keyring, self.key_feed, self.person_keys)
        # Producers of topics with public twins decide publicity from their own ``communities``
        # collection (and the events service from its gatherings too).
        self.outbox = Outbox(
            self.db,
            on_commit=self._relay_loop.wake,
            public_twins=PublicTwins(self.db, gatherings=public_gatherings),
            sealer=Sealer(self.person_keys) if settings.service_name in PERSON_KEY_TOPICS else None,
        )
        self.inbox = Inbox(self.db, self.transactions)
        #: How far this service has applied each topic and key it consumes (read-your-writes).
        self.positions = Positions(self.db)
        self._indexes = [*indexes, *Outbox.indexes, *Inbox.indexes, *Positions.indexes]
        self._loops: list[WakeablePoller] = []
        #: The topics this service subscribes to: the only ones a consistency token waits on.
        self.consumed_topics: set[str] = set()
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._kafka_resources = contextlib.AsyncExitStack()
        if settings.outbox_relay_enabled:
            self._loops.append(self._relay_loop)
        if wrapper is not None and self.outbox.seals:
            # After a rotation of the key-encryption keys, this service's keys are wrapped again
            # with the current one and announced again (compaction drops the old records).
            self._loops.append(
                WakeablePoller(
                    "person-key-rewrap", self._rewrap_person_keys, interval=30.0, batch_size=100
                )
            )
        #: Consumer lag, outbox backlog and dead-letter depth, sampled for ``/metrics``.
        self.pipeline_metrics = PipelineSampler(self.db, settings.kafka_access)
        if settings.metrics_sample_interval_s > 0:
            self._loops.append(
                WakeablePoller(
                    "pipeline-metrics",
                    self.pipeline_metrics.sample,
                    interval=settings.metrics_sample_interval_s,
                    batch_size=1,
                )
            )
            self._closers.append(self.pipeline_metrics.close)
        self._retry = RetryPolicy(
            max_attempts=settings.consumer_max_attempts,
            initial_s=settings.consumer_backoff_initial_s,
            max_s=settings.consumer_backoff_max_s,
        )

    def consume(self, topic: Topic, handler: Handler, *, group_id: str | None = None) -> None:
        """Subscribe ``handler`` to ``topic`` (before ``running()``) under the delivery policy."""
        self._check_consumer(topic)
        group_id = group_id or self.settings.kafka_group_id or self.settings.service_name
        subscribe(
            self.broker,
            topic,
            handler,
            group_id=group_id,
            retry=self._retry,
            max_workers=self.settings.kafka_consumer_max_workers,
            positions=self.positions,
            opener=self._opener_for(topic),
        )
        self.consumed_topics.add(topic.name)
        self.pipeline_metrics.subscriptions.add((group_id, topic.name))

    def consume_batch(
        self,
        topic: Topic,
        handler: BatchHandler,
        *,
        group_id: str | None = None,
        max_records: int = DEFAULT_MAX_RECORDS,
    ) -> None:
        """Subscribe ``handler`` to ``topic`` in batches (before ``running()``), same policy.

        For high-volume streams: one decode call per batch, offsets committed in the background.
        """
        self._check_consumer(topic)
        group_id = group_id or self.settings.kafka_group_id or self.settings.service_name
        subscribe_batch(
            self.broker,
            topic,
            handler,
            group_id=group_id,
            retry=self._retry,
            max_records=max_records,
            positions=self.positions,
            opener=self._opener_for(topic),
        )
        self.consumed_topics.add(topic.name)
        self.pipeline_metrics.subscriptions.add((group_id, topic.name))

    def _opener_for(self, topic: Topic) -> Opener | None:
        """The opener of a topic with personal data; its producer's keys are followed."""
        if not topic.personal:
            return None
        if topic.producer != self.person_keys.producer:
            self.key_feed.follow(PERSON_KEY_TOPICS[topic.producer])
        return self._opener

    def _check_consumer(self, topic: Topic) -> None:
        # The brokers' ACLs come from the catalog: a subscription it does not list would be
        # refused at run time. Say so at start, naming the fix.
        # Checked for the services' own principals; an operator's (a super user) may read all.
        service = self.settings.kafka_access.username
        services = {name for t in CATALOG for name in (t.producer, *t.consumers)}
        if topic in CATALOG and service in services and service not in topic.consumers:
            raise ValueError(
                f"{service} subscribes to {topic.name}, but the topic catalog does not list it "
                f"among its consumers {topic.consumers}: add it there (the ACLs follow)"
            )

    def add_loop(self, loop: WakeablePoller) -> None:
        """Run a background loop for the lifetime of the service."""
        self._loops.append(loop)

    def add_closer(self, close: Callable[[], Awaitable[None]]) -> None:
        """Release a resource (a connection pool, a client session) once the loops stopped."""
        self._closers.append(close)

    def readiness_checks(self) -> dict[str, Check]:
        """The dependencies ``/health/ready`` asks: MongoDB only.

        A pod serves reads and accepts writes while Kafka is down (writes wait in the outbox and
        the relay publishes them when the broker is back), so a broker outage must not take
        every pod out of its Service; Kafka's health is watched by its own alerts (consumer lag,
        outbox backlog), not by readiness.
        """

        async def mongo() -> bool:
            reply = await self.mongo.admin.command("ping")
            return bool(reply.get("ok"))

        return {"mongodb": mongo}

    async def _rewrap_person_keys(self) -> int:
        stale = await self.person_keys.stale(limit=100)
        if not stale:
            return 0

        async def work(session: Session) -> None:
            for person_id in stale:
                wrapped = await self.person_keys.rewrap(session, person_id)
                if wrapped is not None:
                    await self.outbox.add(session, self.person_keys.issued(wrapped))

        await self.transactions.run(work)
        self.outbox.committed()
        logger.info("wrapped %d person keys with the current key-encryption key", len(stale))
        return len(stale)

    async def _relay_when_connected(self) -> int:
        # While Kafka is unreachable the outbox simply grows; the relay resumes once connected.
        return await self.relay.relay_once() if self.broker.running else 0

    async def _kafka_answers(self) -> bool:
        # Asked with a client of our own, closed either way: a producer that fails to start
        # inside the broker's connect would be left unclosed by FastStream.
        probe = AIOKafkaClient(**self.settings.kafka_access.client_kwargs())
        try:
            await probe.bootstrap()
        except Exception as error:
            logger.warning("Kafka unreachable (%s); serving from MongoDB meanwhile", error)
            return False
        finally:
            await probe.close()
        return True

    async def _try_start_broker(self) -> bool:
        if not await self._kafka_answers():
            return False
        try:
            # The person keys are followed before any subscriber reads an event sealed with one.
            await self._kafka_resources.enter_async_context(self.key_feed.running())
            await start_broker(self.broker)
        except Exception as error:
            logger.warning("Kafka unreachable (%s); serving from MongoDB meanwhile", error)
            with contextlib.suppress(Exception):
                await self.broker.stop()
            with contextlib.suppress(Exception):
                await self._kafka_resources.aclose()
            return False
        logger.info("%s connected to Kafka", self.settings.service_name)
        return True

    async def _keep_starting_broker(self) -> None:
        """Retry starting the broker with backoff until Kafka answers."""
        delay = self.settings.kafka_reconnect_initial_s
        while True:
            await asyncio.sleep(delay)
            if await self._try_start_broker():
                return
            delay = min(delay * 2, self.settings.kafka_reconnect_max_s)

    @asynccontextmanager
    async def running(self) -> AsyncIterator["Chassis"]:
        """Create indexes, connect Kafka, start loops; undo it all on exit (even a failed start)."""
        broker: asyncio.Task[None] | None = None
        try:
            await ensure_indexes(self.db, self._indexes)
            # Kafka is not needed to serve: when it cannot be reached the service starts without
            # it and connects (its consumers join, its relay publishes the outbox) as soon as
            # the broker answers. When it answers, startup waits for every subscriber to join.
            if not await self._try_start_broker():
                broker = asyncio.create_task(self._keep_starting_broker(), name="kafka-connect")
            for loop in self._loops:
                loop.start()
            logger.info("%s started", self.settings.service_name)
            yield self
        finally:
            if broker is not None and not broker.done():
                broker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await broker
            for loop in self._loops:
                await loop.stop()
            for close in reversed(self._closers):
                try:
                    await close()
                except Exception:
                    logger.exception("closing a resource failed")
            await self.broker.stop()
            await self._kafka_resources.aclose()
            await self.mongo.close()
            flush_tracing()
