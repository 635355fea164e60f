"""Support for fault tests: crashes under load, an oracle of expected deliveries, a verdict.

The oracle says which deliveries an event must cause: every member but the author, on every
channel their choices keep (in-app unless turned off, email when instant, push when wanted and
a browser is subscribed). The verdict compares that with what the providers received and what
notifications recorded. Providers deduplicate on the idempotency key (Message-ID for email, the
notification tag for push), as an MTA or a browser does; raw duplicates are counted apart.
"""

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_bench.platform import Platform, Servers
from cerchia_bench.seeding import Community, Taste, producer_for, seed_community
from cerchia_bench.sinks import PushProvider, SmtpProvider
from cerchia_chassis.dlq import partitions_of
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.tokens import SigningKey
from cerchia_contracts.catalog import DLQ_SUFFIX
from cerchia_contracts.events import content as c
from cerchia_devstack.component import Component
from cerchia_devstack.kafka import KafkaBroker, KafkaCluster, KafkaSettings
from cerchia_devstack.mongo import SecantusDB
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports
from cerchia_devstack.service_process import ServiceProcess

THREAD_CREATED = c.ThreadCreatedV1.event_type()

#: The providers here are local sinks: the send rates that spare real providers would only
#: stretch every test (hundreds of emails at 20 a second), not change what it proves.
RIG_ENV = {
    "NOTIFICATIONS_SMTP_RATE": "1000/second",
    "NOTIFICATIONS_PUSH_RATE": "1000/second",
}


class DurableSecantusDB(SecantusDB):
    """SecantusDB that syncs its log on every commit, as a MongoDB replica set does for the
    chassis' ``w="majority"`` writes (majority implies journaled). Without it an acknowledged
    commit may still sit in the engine's log buffer, and a SIGKILL loses it: that is the
    database losing data, which no application protocol can make up for."""

    def command(self) -> list[str]:
        """The launcher with ``--sync-on-commit``."""
        return [*super().command(), "--sync-on-commit"]


class PrivateStack:
    """Kafka and SecantusDB for one test module only, so killing them harms no other test."""

    def __init__(self, root: Path) -> None:
        kafka_port, controller_port, mongo_port = free_ports(3)
        self.kafka = KafkaBroker(
            root=root / "kafka-home",
            cache=cache_dir(),
            pom=kafka_pom(repo_root()),
            settings=KafkaSettings(LOCALHOST, kafka_port, controller_port),
        )
        self.mongo = DurableSecantusDB(root=root / "mongo-home", cache=cache_dir(), port=mongo_port)

    @property
    def cluster(self) -> KafkaCluster:
        """The private Kafka as the rig's processes see it."""
        return self.kafka.secrets.cluster()

    @property
    def mongo_uri(self) -> str:
        """Database connection string."""
        return self.mongo.uri

    async def start(self) -> None:
        """Start both servers and create the catalog's topics."""
        for component in (self.kafka, self.mongo):
            component.install()
            component.start(owned=True)
            await component.wait_ready()
        await self.kafka.secure()

    async def crash_and_restart(self, component: Component, downtime: float) -> None:
        """SIGKILL a server, keep it down for ``downtime`` seconds, start it on its data again."""
        component.process.kill()
        await asyncio.sleep(downtime)
        component.start(owned=True)
        await component.wait_ready(timeout=120)

    def stop(self) -> None:
        """Stop both servers."""
        for component in (self.mongo, self.kafka):
            component.stop(10.0)


def taste_of(index: int) -> Taste:
    """A mix of choices, so the oracle has preferences to subtract (index 0 is the author)."""
    return (
        Taste(),
        Taste(email="off"),
        Taste(push=False),
        Taste(subscribed=False),
        Taste(in_app=False, email="digest"),
    )[index % 5]


def expected_deliveries(community: Community, event_id: str, author: str) -> set[str]:
    """Idempotency keys an event about a new thread must cause (event x recipient x channel)."""
    keys = set()
    for user, taste in community.tastes.items():
        if user == author:
            continue
        if taste.in_app:
            keys.add(f"{event_id}:{user}:in_app")
        if taste.email == "instant":
            keys.add(f"{event_id}:{user}:email")
        if taste.push and taste.subscribed:
            keys.add(f"{event_id}:{user}:push")
    return keys


@dataclass
class Verdict:
    """Expected against received, per idempotency key."""

    expected: set[str]
    received: set[str]
    raw_duplicates: int
    not_sent: list[str]

    @property
    def missing(self) -> set[str]:
        """Expected but never received."""
        return self.expected - self.received

    @property
    def unexpected(self) -> set[str]:
        """Received but not expected (a preference ignored, or an event that never was)."""
        return self.received - self.expected

    #: Where each event with missing deliveries got stuck (filled in by ``Rig.verdict``).
    trail: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for assertion messages and the test log."""
        return (
            f"expected {len(self.expected)}, received {len(self.received)}, "
            f"missing {len(self.missing)}, unexpected {len(self.unexpected)}, "
            f"raw duplicates {self.raw_duplicates}, not marked sent {len(self.not_sent)}"
            + "".join(f"\n  {event}: {where}" for event, where in self.trail.items())
        )


@dataclass
class Rig:
    """A platform under test with its email and push providers and one seeded community."""

    platform: Platform
    smtp: SmtpProvider
    push: PushProvider
    producer: AIOKafkaProducer
    community: Community

    @property
    def author(self) -> str:
        """Who writes the threads (the community's owner)."""
        return self.community.owner

    async def received(self, event_ids: set[str]) -> tuple[set[str], int]:
        """Idempotency keys received for these events, and raw duplicates among them."""
        emails = Counter(
            r.key.removesuffix("@cerchia.local").replace(".", ":") for r in self.smtp.log.snapshot()
        )
        pushes = self.push.log.counts()
        feed = self.platform.db("notifications")["feed"]
        found = feed.find({"event_id": {"$in": list(event_ids)}}, {"key": 1})
        in_app = Counter([doc["key"] async for doc in found])
        counts = emails + pushes + in_app
        mine = {key: n for key, n in counts.items() if key.split(":", 1)[0] in event_ids}
        return set(mine), sum(n - 1 for n in mine.values())

    async def verdict(self, expected: set[str], *, within: float) -> Verdict:
        """Wait until every expected delivery arrived and notifications marked each email and
        push sent (so no retry is still due), or until ``within`` seconds passed."""
        event_ids = {key.split(":", 1)[0] for key in expected}
        deliveries = self.platform.db("notifications")["deliveries"]
        deadline = time.monotonic() + within
        while True:
            received, duplicates = await self.received(event_ids)
            pending = [
                doc["_id"]
                async for doc in deliveries.find(
                    {"event_id": {"$in": list(event_ids)}, "status": {"$ne": "sent"}}, {"_id": 1}
                )
            ]
            verdict = Verdict(expected, received, duplicates, pending)
            if not verdict.missing and not pending:
                return verdict
            if time.monotonic() > deadline:
                for event in sorted({key.split(":", 1)[0] for key in verdict.missing}):
                    verdict.trail[event] = await self.trail(event)
                return verdict
            await asyncio.sleep(1.0)

    async def trail(self, event_id: str) -> str:
        """Where an event got to: content's outbox, notifications' inbox, feed and queue."""
        notifications = self.platform.db("notifications")
        parts = []
        if "content" in self.platform.databases:
            record = await self.platform.db("content")["outbox"].find_one({"event_id": event_id})
            parts.append(
                "no outbox record" if record is None else f"outbox sent_at={record.get('sent_at')}"
            )
        processed = await notifications["inbox"].count_documents({"event_id": event_id})
        feed = await notifications["feed"].count_documents({"event_id": event_id})
        queued = await notifications["deliveries"].count_documents({"event_id": event_id})
        parts.append(f"inbox records={processed}, feed items={feed}, queued deliveries={queued}")
        return "; ".join(parts)


@asynccontextmanager
async def open_rig(
    kafka: KafkaCluster,
    mongo_uri: str,
    workdir: Path,
    services: Sequence[str],
    *,
    size: int = 10,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[Rig]:
    """Start ``services`` on these servers, with providers and a community of ``size``."""
    async with contextlib.AsyncExitStack() as stack:
        smtp = SmtpProvider().start()
        stack.callback(smtp.stop)
        push = await PushProvider().start()
        stack.push_async_callback(push.stop)
        producer = producer_for(kafka.admin)
        await producer.start()
        stack.push_async_callback(producer.stop)
        platform = Platform(Servers(kafka, mongo_uri, smtp.host, smtp.port), SigningKey.generate())
        stack.push_async_callback(platform.close)
        await platform.start(services, workdir, env={**RIG_ENV, **(env or {})})
        community = await seed_community(
            platform, producer, push, size=size, taste=taste_of, within=120
        )
        yield Rig(platform, smtp, push, producer, community)


@dataclass
class ThreadLoad:
    """Opens threads at a steady pace and remembers which the platform accepted.

    A request cut off by a crash has an unknown outcome: its thread may or may not exist, so
    it is counted apart and judged by what was committed (see ``committed_threads``). A
    refused connection sent nothing and is counted as ``unavailable``.
    """

    base_url: str
    community: Community
    headers: dict[str, str]
    accepted: set[str] = field(default_factory=set)
    uncertain: int = 0
    unavailable: int = 0
    refused: Counter[int] = field(default_factory=Counter)

    async def run(self, *, rate_per_s: float, duration_s: float, at_most: int) -> None:
        """About ``rate_per_s`` threads a second for ``duration_s`` seconds, ``at_most`` in all."""
        interval = 1.0 / rate_per_s
        deadline = time.monotonic() + duration_s
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            pending: set[asyncio.Task[None]] = set()
            for n in range(at_most):
                if time.monotonic() >= deadline:
                    break
                task = asyncio.create_task(self._one(client, n))
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(interval)
            if pending:
                await asyncio.gather(*pending)

    async def _one(self, client: httpx.AsyncClient, n: int) -> None:
        try:
            response = await client.post(
                f"/api/v1/communities/{self.community.id}/threads",
                json={"title": f"Load {n}", "body": f"Message {uuid.uuid4().hex}"},
                headers=self.headers,
            )
        except httpx.ConnectError:
            self.unavailable += 1  # nothing was sent: the service was down
            return
        except httpx.TransportError:
            self.uncertain += 1
            return
        if response.status_code == 201:
            self.accepted.add(response.json()["id"])
        else:
            self.refused[response.status_code] += 1


async def committed_threads(rig: Rig) -> dict[str, str]:
    """Thread id → event id of every thread content committed in the rig's community.

    Content also opens threads of its own, in other communities: each recap a gathering
    publishes becomes one, and a rig's content reads the shared topics' whole history (other
    tests' gatherings included). Those are no part of the load, and the oracle, which knows
    only the rig's community, must not expect them.
    """
    outbox = rig.platform.db("content")["outbox"]
    found = {}
    async for record in outbox.find({"type": THREAD_CREATED}, {"event_id": 1, "payload": 1}):
        data = json.loads(record["payload"])["data"]
        if data["community_id"] == rig.community.id:
            found[data["thread_id"]] = record["event_id"]
    return found


@dataclass
class Crashes:
    """How many times a process was killed, and how many of those hit the moment aimed at."""

    kills: int = 0
    on_target: int = 0


async def crash_repeatedly(
    process: ServiceProcess,
    *,
    times: int,
    every_s: float,
    aim: Callable[[], Awaitable[bool]] | None = None,
    aim_for_s: float = 10.0,
) -> Crashes:
    """SIGKILL ``process`` ``times`` times, ``every_s`` apart, restarting it each time.

    With ``aim``, each kill waits (up to ``aim_for_s``) for the moment ``aim()`` is true, e.g.
    "records are committed and not yet published", and counts whether it got there.
    """
    crashes = Crashes()
    for _ in range(times):
        await asyncio.sleep(every_s)
        deadline = time.monotonic() + aim_for_s
        hit = False
        while aim is not None and not (hit := await aim()) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        process.kill()
        crashes.kills += 1
        crashes.on_target += hit
        await process.restart(120)
    return crashes


def thread_created(rig: Rig, n: int) -> c.ThreadCreatedV1:
    """An event about a new thread in the rig's community, as content announces it."""
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


async def dead_letters(
    access: KafkaAccess, topic: str, group: str
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``<topic>.dlq`` that consumer group ``group`` dead-lettered."""
    dlq = topic + DLQ_SUFFIX
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None)
    await consumer.start()
    found = []
    try:
        partitions = [TopicPartition(dlq, p) for p in await partitions_of(access, dlq)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                found.extend(
                    r
                    for r in records
                    if dict(r.headers).get("dlq-consumer-group") == group.encode()
                )
    finally:
        await consumer.stop()
    return found


async def consumer_lag(access: KafkaAccess, group: str, topic: str) -> int:
    """Messages of ``topic`` not yet committed by ``group``."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        (description,) = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for partition in partitions:
            meta = committed.get(partition)
            lag += ends[partition] - (meta.offset if meta is not None and meta.offset >= 0 else 0)
        return lag
    finally:
        await consumer.stop()
        await admin.close()
