"""Fault tests: services SIGKILLed again and again under load; every delivery arrives once.

Each test runs a real platform on the session's Kafka and database, with a community whose
members chose different channels; the oracle (``tests.faults``) says which deliveries every
thread must cause, and the verdict compares them with what the email and push providers
received and what notifications recorded.
"""

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_bench.seeding import publish
from cerchia_contracts.catalog import CONTENT_DISCUSSIONS
from cerchia_contracts.events import content as c
from tests.faults import (
    Rig,
    ThreadLoad,
    committed_threads,
    crash_repeatedly,
    expected_deliveries,
    open_rig,
)

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.timeout(300)]

BOTH = ("content", "notifications")


def thread_created(rig: Rig, n: int) -> c.ThreadCreatedV1:
    community = rig.community
    return c.ThreadCreatedV1.new(
        subject=community.id,
        data=c.ThreadCreated(
            community_id=community.id,
            actor_id=rig.author,
            thread_id=str(uuid.uuid4()),
            thread_title=f"Thread {n}",
            thread_author_id=rig.author,
            excerpt="Shall we meet on Thursday?",
        ),
    )


async def test_notifications_killed_mid_batch_repeatedly_delivers_everything_once(
    kafka_bootstrap: str, mongo_uri: str, tmp_path: Path
) -> None:
    async with open_rig(kafka_bootstrap, mongo_uri, tmp_path, ["notifications"]) as rig:
        notifications = rig.platform.processes["notifications"]
        deliveries = rig.platform.db("notifications")["deliveries"]
        events = [thread_created(rig, n) for n in range(48)]

        async def load() -> None:
            for start in range(0, len(events), 4):
                await publish(rig.producer, events[start : start + 4])
                await asyncio.sleep(0.4)

        async def dispatching() -> bool:
            # Some deliveries of this load are sent and some still queued: a batch is under way.
            sent = await deliveries.count_documents({"status": "sent"}, limit=1)
            queued = await deliveries.count_documents({"status": "pending"}, limit=1)
            return bool(sent and queued)

        loading = asyncio.create_task(load())
        crashes = await crash_repeatedly(notifications, times=3, every_s=1.5, aim=dispatching)
        await loading

        expected = set().union(
            *(expected_deliveries(rig.community, e.id, rig.author) for e in events)
        )
        # A claimed delivery whose sender died waits for its claim to lapse (60 s) before retry.
        verdict = await rig.verdict(expected, within=150)
        print(f"notifications killed {crashes.kills}x ({crashes.on_target} mid-batch):")
        print(verdict.summary())
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        # Only a crash between the provider's acceptance and "marked sent" resends a message
        # (with the same Message-ID / tag): at most one per kill, as dispatch sends one at a time.
        assert verdict.raw_duplicates <= crashes.kills, verdict.summary()
        assert crashes.on_target >= 1, "no kill landed while a batch was being dispatched"


async def test_content_killed_between_commit_and_publish_delivers_everything_once(
    kafka_bootstrap: str, mongo_uri: str, tmp_path: Path
) -> None:
    async with open_rig(kafka_bootstrap, mongo_uri, tmp_path, BOTH) as rig:
        content = rig.platform.processes["content"]
        outbox = rig.platform.db("content")["outbox"]
        load = ThreadLoad(content.url, rig.community, rig.platform.headers(rig.author))

        async def unpublished() -> bool:
            return bool(await outbox.count_documents({"sent_at": None}, limit=1))

        loading = asyncio.create_task(load.run(rate_per_s=4, duration_s=24, at_most=96))
        crashes = await crash_repeatedly(content, times=3, every_s=1.5, aim=unpublished)
        await loading

        committed = await committed_threads(rig.platform)
        assert load.accepted <= set(committed), "an accepted thread was not committed"
        assert len(load.accepted) >= 10, (load.refused, load.uncertain, load.unavailable)
        expected = set().union(
            *(expected_deliveries(rig.community, e, rig.author) for e in committed.values())
        )
        verdict = await rig.verdict(expected, within=120)
        print(
            f"content killed {crashes.kills}x ({crashes.on_target} with unpublished records), "
            f"{len(load.accepted)} accepted, {load.uncertain} cut off, "
            f"{load.unavailable} found it down: {verdict.summary()}"
        )
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        assert verdict.raw_duplicates == 0, verdict.summary()
        assert crashes.on_target >= 1, "no kill landed between commit and publish"


async def test_outbox_relay_killed_while_publishing_delivers_everything_once(
    kafka_bootstrap: str, mongo_uri: str, tmp_path: Path
) -> None:
    # The API process only commits; a second content process runs the relay and is the victim.
    quiet = {"CONTENT_OUTBOX_RELAY_ENABLED": "false"}
    async with open_rig(kafka_bootstrap, mongo_uri, tmp_path, BOTH, env=quiet) as rig:
        outbox = rig.platform.db("content")["outbox"]
        load = ThreadLoad(
            rig.platform.url("content"), rig.community, rig.platform.headers(rig.author)
        )
        relay = await rig.platform.replica(
            "content",
            "content-relay",
            tmp_path,
            env={"CONTENT_OUTBOX_RELAY_ENABLED": "true", "CONTENT_OUTBOX_BATCH_SIZE": "4"},
        )
        topic = await TopicEnds.open(kafka_bootstrap, CONTENT_DISCUSSIONS.name)
        kills = on_target = unmarked = 0
        try:
            for _ in range(3):
                # A burst piles up while the relay is away (or between its polls); it then
                # publishes the backlog four records at a time and dies halfway through, best
                # when Kafka holds records the outbox has not marked sent yet.
                published = await outbox.count_documents({"sent_at": {"$ne": None}})
                burst = asyncio.create_task(load.run(rate_per_s=20, duration_s=2, at_most=16))
                started = time.monotonic()
                moving = in_window = False
                while not in_window and time.monotonic() < started + 30:
                    on_kafka = await topic.published()
                    sent = await outbox.count_documents({"sent_at": {"$ne": None}})
                    pending = await outbox.count_documents({"sent_at": None}, limit=1)
                    moving = sent > published and bool(pending)
                    in_window = on_kafka > sent
                    if moving and time.monotonic() > started + 5:
                        break  # mid-backlog will do
                    await asyncio.sleep(0.005)
                relay.kill()
                kills, unmarked = kills + 1, unmarked + in_window
                on_target += moving or in_window
                await burst
                await relay.restart(120)
        finally:
            await topic.close()

        committed = await committed_threads(rig.platform)
        assert load.accepted <= set(committed)
        expected = set().union(
            *(expected_deliveries(rig.community, e, rig.author) for e in committed.values())
        )
        verdict = await rig.verdict(expected, within=120)
        republished = await kafka_copies(kafka_bootstrap, set(committed.values()))
        print(
            f"relay killed {kills}x ({on_target} while publishing, {unmarked} with records on "
            f"Kafka not yet marked sent), {len(committed)} threads, "
            f"{republished} events on Kafka more than once: {verdict.summary()}"
        )
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        assert verdict.raw_duplicates == 0, verdict.summary()
        assert on_target >= 1, "no kill landed while the relay was publishing"


class TopicEnds:
    """How many records a topic received since this object was opened."""

    def __init__(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        self._consumer = consumer
        self._partitions = partitions
        self._baseline = 0

    @classmethod
    async def open(cls, bootstrap: str, topic: str) -> "TopicEnds":
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            (description,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
        await consumer.start()
        ends = cls(consumer, partitions)
        ends._baseline = await ends._total()
        return ends

    async def _total(self) -> int:
        return sum((await self._consumer.end_offsets(self._partitions)).values())

    async def published(self) -> int:
        """Records appended since opening."""
        return await self._total() - self._baseline

    async def close(self) -> None:
        await self._consumer.stop()


async def kafka_copies(bootstrap: str, event_ids: set[str]) -> int:
    """How many of these events the topic holds more than once (a relay crash republishes)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([CONTENT_DISCUSSIONS.name])
    finally:
        await admin.close()
    partitions = [
        TopicPartition(CONTENT_DISCUSSIONS.name, p["partition"]) for p in description["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    seen: dict[str, int] = {}
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    headers = dict(record.headers or ())
                    event_id = headers.get("ce_id", b"").decode()
                    if event_id in event_ids:
                        seen[event_id] = seen.get(event_id, 0) + 1
    finally:
        await consumer.stop()
    return sum(1 for n in seen.values() if n > 1)
