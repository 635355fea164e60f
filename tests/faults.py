"""Support for fault tests: a private Kafka + database that a test may kill, and a load oracle."""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_devstack.component import Component
from cerchia_devstack.kafka import KafkaBroker, KafkaSettings
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.mongo import SecantusDB
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports
from cerchia_devstack.topics import catalog_topics, ensure_topics

PASSWORD = "correct horse battery staple"


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
        self.mongo = SecantusDB(root=root / "mongo-home", cache=cache_dir(), port=mongo_port)

    @property
    def bootstrap(self) -> str:
        """Kafka bootstrap address."""
        return self.kafka.settings.bootstrap

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
        await ensure_topics(self.bootstrap, catalog_topics())

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

    def env(self, service: str) -> dict[str, str]:
        """Point a service at this stack instead of the session's servers."""
        prefix = service.upper() + "_"
        return {
            f"{prefix}KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            f"{prefix}MONGO_URI": self.mongo_uri,
        }


@dataclass
class RegistrationLoad:
    """Registers users at a steady pace and remembers which ones the platform accepted."""

    base_url: str
    accepted: set[str] = field(default_factory=set)
    refused: Counter[int] = field(default_factory=Counter)

    async def run(self, *, rate_per_s: float, duration_s: float) -> None:
        """Register ``rate_per_s`` users a second for ``duration_s`` seconds (bounded)."""
        interval = 1.0 / rate_per_s
        deadline = time.monotonic() + duration_s
        async with httpx.AsyncClient(base_url=self.base_url, timeout=15) as client:
            pending: set[asyncio.Task[None]] = set()
            while time.monotonic() < deadline:
                task = asyncio.create_task(self._one(client))
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(interval)
            if pending:
                await asyncio.gather(*pending)

    async def _one(self, client: httpx.AsyncClient) -> None:
        email = f"load-{uuid.uuid4().hex[:12]}@example.org"
        try:
            response = await client.post(
                "/api/v1/users",
                json={"email": email, "password": PASSWORD, "display_name": "Load", "locale": "it"},
            )
        except httpx.TransportError:
            self.refused[0] += 1
            return
        if response.status_code == 201:
            self.accepted.add(email)
        else:
            self.refused[response.status_code] += 1


async def delivered(sink: MailSink, addresses: set[str]) -> Counter[str]:
    """How many emails each of ``addresses`` received."""
    received: list[EmailMessage] = await sink.messages()
    return Counter(str(m["To"]) for m in received if str(m["To"]) in addresses)


async def wait_for_all(
    sink: MailSink,
    addresses: set[str],
    timeout: float,
) -> Counter[str]:
    """Poll until every address has mail (or time is up); return the final counts."""
    deadline = time.monotonic() + timeout
    while True:
        counts = await delivered(sink, addresses)
        if len(counts) == len(addresses) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.5)


async def consumer_lag(bootstrap: str, group: str, topic: str) -> int:
    """Messages of ``topic`` not yet committed by ``group``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
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


async def until(condition: Callable[[], bool], timeout: float) -> None:
    """Poll a synchronous condition."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.2)
