"""Fault tests: services SIGKILLed again and again under load; every delivery arrives once.

Each test runs a real platform on the module's own Kafka and database, with a community whose
members chose different channels; the oracle (``tests.faults``) says which deliveries every
thread must cause, and the verdict compares them with what the email and push providers
received and what notifications recorded.
"""

import asyncio
import functools
import time
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_bench.seeding import publish
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import CONTENT_DISCUSSIONS
from cerchia_contracts.events import content as c
from cerchia_devstack.kafka import KafkaCluster
from tests.faults import (
    PrivateStack,
    ThreadLoad,
    committed_threads,
    crash_repeatedly,
    expected_deliveries,
    open_rig,
    thread_created,
)
from tests.platform import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.timeout(300), pytest.mark.alone]


@pytest.fixture(scope="module")
def kafka(private_stack: PrivateStack) -> KafkaCluster:
    """This module's own Kafka (see ``private_stack``), not the session's."""
    return private_stack.cluster


@pytest.fixture(scope="module")
def mongo_uri(private_stack: PrivateStack) -> str:
    """This module's own database server."""
    return private_stack.mongo_uri


BOTH = ("content", "notifications")


#: Deliveries notifications sends at once: a crash resends at most one such group.
DISPATCH_CONCURRENCY = 8


async def test_notifications_killed_mid_batch_repeatedly_delivers_everything_once(
    kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> None:
    env = {
        "NOTIFICATIONS_DISPATCH_CONCURRENCY": str(DISPATCH_CONCURRENCY),
        # Sending a burst's emails takes about a second: a window for a kill mid-dispatch.
        "NOTIFICATIONS_SMTP_RATE": "50/second",
    }
    async with open_rig(kafka, mongo_uri, tmp_path, ["notifications"], env=env) as rig:
        notifications = rig.platform.processes["notifications"]
        db = rig.platform.db("notifications")
        events: list[c.ThreadCreatedV1] = []
        kills = mid_dispatch = mid_fanout = 0
        # Two kills: each restart waits (up to the database's 60 s transaction lifetime) for the
        # transaction its predecessor left open, so a third would add a minute, not a property.
        for burst in range(2):
            # A burst of threads; the kill waits for the moment notifications is halfway
            # through it: some of its deliveries sent and some queued (the sender mid-batch),
            # or some of its events fanned out and some not (the consumer mid-batch).
            batch = [thread_created(rig, burst * 100 + n) for n in range(12)]
            events += batch
            ids = [e.id for e in batch]
            await publish(rig.producer, batch)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                mine = {"event_id": {"$in": ids}}
                sent = await db["deliveries"].count_documents({**mine, "status": "sent"}, limit=1)
                queued = await db["deliveries"].count_documents(
                    {**mine, "status": "pending"}, limit=1
                )
                fanned_out = await db["inbox"].count_documents(mine)
                if sent and queued:
                    mid_dispatch += 1
                    break
                if 0 < fanned_out < len(ids):
                    mid_fanout += 1
                    break
                await asyncio.sleep(0.01)
            notifications.kill()
            kills += 1
            # More traffic while it is down: the restarted consumer finds a backlog too.
            more = [thread_created(rig, burst * 100 + 50 + n) for n in range(4)]
            events += more
            await publish(rig.producer, more)
            await notifications.restart(120)
            # Under way again (its first transaction may wait for the database to drop the one
            # its predecessor left open) before the next burst comes.
            await eventually(
                functools.partial(_all_fanned_out, db, [e.id for e in more]),
                what="the restarted notifications consumes",
                timeout=60,
            )

        expected = set().union(
            *(expected_deliveries(rig.community, e.id, rig.author) for e in events)
        )
        # A claimed delivery whose sender died waits for its claim to lapse (60 s) before retry.
        verdict = await rig.verdict(expected, within=120)
        print(
            f"notifications killed {kills}x ({mid_dispatch} mid-dispatch, {mid_fanout} "
            f"mid-fan-out): {verdict.summary()}"
        )
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        # Only a crash between a provider's acceptance and "marked sent" resends a message (with
        # the same Message-ID / tag, which the provider drops): at most one group per kill.
        assert verdict.raw_duplicates <= kills * DISPATCH_CONCURRENCY, verdict.summary()
        assert mid_dispatch + mid_fanout == kills, "a kill did not land mid-batch"


async def _all_fanned_out(db: AsyncDatabase[dict[str, Any]], event_ids: list[str]) -> bool:
    return await db["inbox"].count_documents({"event_id": {"$in": event_ids}}) == len(event_ids)


async def test_content_killed_between_commit_and_publish_delivers_everything_once(
    kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> None:
    async with open_rig(kafka, mongo_uri, tmp_path, BOTH) as rig:
        content = rig.platform.processes["content"]
        outbox = rig.platform.db("content")["outbox"]
        load = ThreadLoad(content.url, rig.community, rig.platform.headers(rig.author))

        async def unpublished() -> bool:
            return bool(await outbox.count_documents({"sent_at": None}, limit=1))

        loading = asyncio.create_task(load.run(rate_per_s=4, duration_s=24, at_most=96))
        crashes = await crash_repeatedly(content, times=3, every_s=1.5, aim=unpublished)
        await loading
        # However long the restarts took on a loaded machine, the service takes work again
        # after the last one: a few threads then make the load large enough to judge.
        await load.run(rate_per_s=4, duration_s=3, at_most=12)

        committed = await committed_threads(rig)
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
    kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> None:
    # The API process only commits; a second content process runs the relay and is the victim.
    quiet = {"CONTENT_OUTBOX_RELAY_ENABLED": "false"}
    async with open_rig(kafka, mongo_uri, tmp_path, BOTH, env=quiet) as rig:
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
        topic = await TopicEnds.open(kafka.admin, CONTENT_DISCUSSIONS.name)
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

        committed = await committed_threads(rig)
        assert load.accepted <= set(committed)
        expected = set().union(
            *(expected_deliveries(rig.community, e, rig.author) for e in committed.values())
        )
        verdict = await rig.verdict(expected, within=120)
        republished = await kafka_copies(kafka.admin, set(committed.values()))
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
    async def open(cls, access: KafkaAccess, topic: str) -> "TopicEnds":
        admin = AIOKafkaAdminClient(**access.client_kwargs())
        await admin.start()
        try:
            (description,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
        consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None)
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


async def kafka_copies(access: KafkaAccess, event_ids: set[str]) -> int:
    """How many of these events the topic holds more than once (a relay crash republishes)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        (description,) = await admin.describe_topics([CONTENT_DISCUSSIONS.name])
    finally:
        await admin.close()
    partitions = [
        TopicPartition(CONTENT_DISCUSSIONS.name, p["partition"]) for p in description["partitions"]
    ]
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None)
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
