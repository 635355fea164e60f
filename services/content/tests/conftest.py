"""Fixtures for content's integration tests: the service process, membership facts on Kafka."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from cerchia_chassis import consistency
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import AnyEvent, topic, topic_of
from cerchia_contracts.events import membership as m
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory


@pytest.fixture
async def producer(kafka: KafkaCluster) -> AsyncIterator[AIOKafkaProducer]:
    """An idempotent producer (acks=all) for publishing membership's facts."""
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


async def publish(
    producer: AIOKafkaProducer, *events: AnyEvent, sequence: int | None = None
) -> None:
    """Publish contract events to their catalog topic, keyed by subject (with ``sequence``, the
    outbox's sequence header too, so a consistency token can name them)."""
    headers = [("content-type", b"application/cloudevents+json")]
    if sequence is not None:
        headers.append((consistency.SEQUENCE_HEADER, str(sequence).encode()))
    for event in events:
        await producer.send_and_wait(
            topic_of(event).name,
            value=event.model_dump_json().encode(),
            key=(event.subject or "").encode(),
            headers=headers,
        )


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    """Poll ``check`` until it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


class Community:
    """One community seeded through membership's events, and HTTP access to content."""

    def __init__(
        self, producer: AIOKafkaProducer, client: httpx.AsyncClient, keys: AuthKeys
    ) -> None:
        self.id = str(uuid.uuid4())
        self.producer = producer
        self.client = client
        self.keys = keys
        self.owner = str(uuid.uuid4())
        self.coc_version = 1
        #: Each verified person's consistency token, naming their verification: as a client
        #: echoing membership's answer would, so content never refuses them before it applied it.
        self.tokens: dict[str, str] = {}

    async def publish(self, *events: AnyEvent) -> None:
        """Publish contract events to Kafka."""
        await publish(self.producer, *events)

    eventually = staticmethod(eventually)

    def headers(self, user_id: str) -> dict[str, str]:
        """Authorization for ``user_id`` (and the token of their verification, if any)."""
        headers = self.keys.headers(user_id)
        if user_id in self.tokens:
            headers[consistency.HEADER] = self.tokens[user_id]
        return headers

    async def create(self, *, visibility: str = "private", language: str = "en") -> None:
        """Found the community with its owner, and wait until content knows it."""
        await publish(
            self.producer,
            m.CommunityCreatedV1.new(
                subject=self.id,
                data=m.CommunityCreated(
                    community_id=self.id,
                    actor_id=self.owner,
                    slug=self.id[:8],
                    name="Circle",
                    purpose="Grow",
                    audience="Makers",
                    language=language,  # type: ignore[arg-type]
                    visibility=visibility,  # type: ignore[arg-type]
                    join_policy="open",
                    capacity=50,
                    owner_id=self.owner,
                    code_of_conduct_version=1,
                ),
            ),
        )
        await self.join(self.owner, role="owner", name="Olga", handle="olga")

    async def person(
        self, user_id: str, name: str, handle: str | None, *, verified: bool = True
    ) -> None:
        """Publish the person's profile and (unless ``verified`` is False) that they verified
        their email address, as membership does for anyone who may post."""
        await publish(
            self.producer,
            m.ProfileUpdatedV1.new(
                subject=user_id,
                data=m.ProfileUpdated(
                    user_id=user_id,
                    email=f"{user_id}@example.org",
                    display_name=name,
                    handle=handle,
                    locale="en",
                    timezone="Europe/Rome",
                ),
            ),
        )
        if verified:
            verification = m.EmailVerifiedV1.new(
                subject=user_id,
                data=m.EmailVerified(user_id=user_id, email=f"{user_id}@example.org"),
            )
            await publish(self.producer, verification, sequence=1)
            self.tokens[user_id] = consistency.encode_token(
                [consistency.Position(topic_of(verification).name, user_id, 1, time.time())]
            )

    async def join(
        self,
        user_id: str,
        *,
        role: str = "member",
        name: str = "Member",
        handle: str | None = None,
        wait: bool = True,
        verified: bool = True,
    ) -> None:
        """Make ``user_id`` a member (having accepted the current code of conduct)."""
        await self.person(user_id, name, handle, verified=verified)
        await publish(
            self.producer,
            m.MemberJoinedV1.new(
                subject=self.id,
                data=m.MemberJoined(
                    community_id=self.id,
                    actor_id=user_id,
                    user_id=user_id,
                    role=role,  # type: ignore[arg-type]
                    via="open",
                    code_of_conduct_version=self.coc_version,
                ),
            ),
        )
        if wait:
            await self.wait_can_read(user_id)

    async def wait_can_read(self, user_id: str) -> None:
        """Wait until content lets ``user_id`` list threads."""

        async def ok() -> bool:
            response = await self.client.get(self.threads_path, headers=self.headers(user_id))
            return response.status_code == 200

        await eventually(ok, what=f"{user_id} reading {self.id}")

    @property
    def threads_path(self) -> str:
        """Where the community's threads live."""
        return f"/api/v1/communities/{self.id}/threads"

    async def post_thread(self, user_id: str, **body: Any) -> httpx.Response:
        """Open a thread as ``user_id``."""
        payload = {"title": "Hello", "body": "First post", **body}
        return await self.client.post(
            self.threads_path, json=payload, headers=self.headers(user_id)
        )


class Topics:
    """Reads what content published, from the beginning of its topics."""

    def __init__(self, access: KafkaAccess) -> None:
        self.access = access

    async def events(
        self,
        name: str,
        *,
        subject: str,
        until: Callable[[list[AnyEvent]], bool],
        timeout: float = 30.0,
    ) -> list[AnyEvent]:
        """Events of topic ``name`` with ``subject``, once ``until`` holds for them."""
        decoder = topic(name)
        consumer = AIOKafkaConsumer(
            name,
            **self.access.client_kwargs(),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )
        await consumer.start()
        found: list[AnyEvent] = []
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while not until(found):
                if asyncio.get_running_loop().time() > deadline:
                    types = [e.type for e in found]
                    raise AssertionError(f"events on {name} for {subject}: {types}")
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        event = decoder.decode(record.value)
                        if event.subject == subject:
                            found.append(event)
        finally:
            await consumer.stop()
        return found


@pytest.fixture
def topics(kafka: KafkaCluster) -> Topics:
    """Content's published events."""
    return Topics(kafka.admin)


@pytest.fixture
async def content_url(service_process: ServiceFactory) -> str:
    """A fresh content process on its own database, with a small posting limit."""
    process = await service_process(
        "content",
        database=f"content_{uuid.uuid4().hex[:8]}",
        env={"CONTENT_POSTING_RATE_LIMIT": "8", "CONTENT_POSTING_RATE_WINDOW_S": "60"},
    )
    return process.url


@pytest.fixture
async def client(content_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the content service."""
    async with httpx.AsyncClient(base_url=content_url, timeout=30) as client:
        yield client


@pytest.fixture
def new_community(
    producer: AIOKafkaProducer, client: httpx.AsyncClient, auth_keys: AuthKeys
) -> Callable[[], Community]:
    """Build communities seeded through Kafka."""
    return lambda: Community(producer, client, auth_keys)
