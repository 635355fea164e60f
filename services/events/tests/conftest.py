"""Fixtures for the events service's integration tests: seed membership, read our topics."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, AnyEvent, Topic
from cerchia_contracts.events import membership as m
from cerchia_devstack.kafka import KafkaCluster


@pytest.fixture
async def producer(kafka: KafkaCluster) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


@dataclass
class Seeded:
    """A community announced on membership's topic, with its members."""

    id: str
    owner: str
    members: list[str] = field(default_factory=list)
    visibility: str = "public"


async def publish(producer: AIOKafkaProducer, *events: AnyEvent) -> None:
    for event in events:
        await producer.send_and_wait(
            MEMBERSHIP_COMMUNITIES.name,
            value=event.model_dump_json().encode(),
            key=(event.subject or "").encode(),
            headers=[("content-type", b"application/cloudevents+json")],
        )


def community_created(community_id: str, owner: str, visibility: str) -> m.CommunityCreatedV1:
    return m.CommunityCreatedV1.new(
        subject=community_id,
        data=m.CommunityCreated(
            community_id=community_id,
            actor_id=owner,
            slug=f"c-{community_id[:8]}",
            name="Lettori di Bologna",
            purpose="Read together",
            audience="Readers",
            language="it",
            visibility=visibility,  # type: ignore[arg-type]
            join_policy="open",
            capacity=150,
            owner_id=owner,
            code_of_conduct_version=1,
        ),
    )


def member_joined(community_id: str, user_id: str, role: str = "member") -> m.MemberJoinedV1:
    return m.MemberJoinedV1.new(
        subject=community_id,
        data=m.MemberJoined(
            community_id=community_id,
            actor_id=user_id,
            user_id=user_id,
            role=role,  # type: ignore[arg-type]
            via="open",
            code_of_conduct_version=1,
        ),
    )


async def wait_for(
    probe: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def seed_community(
    producer: AIOKafkaProducer,
    base_url: str,
    auth: Callable[[str], dict[str, str]],
    *,
    members: int = 2,
    visibility: str = "public",
) -> Seeded:
    """Announce a community and its members, then wait until the events service knows them."""
    community = Seeded(id=str(uuid.uuid4()), owner=str(uuid.uuid4()), visibility=visibility)
    community.members = [str(uuid.uuid4()) for _ in range(members)]
    await publish(
        producer,
        community_created(community.id, community.owner, visibility),
        # Membership announces the founder's membership right after the community.
        member_joined(community.id, community.owner, "owner"),
        *(member_joined(community.id, user) for user in community.members),
    )
    last = community.members[-1] if community.members else community.owner

    async def known() -> bool:
        # Only a member reaches the rule check: an end before the start is then "invalid-event".
        invalid = event_body(ends_at="2020-01-01T00:00:00Z")
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            r = await client.post(
                f"/api/v1/communities/{community.id}/events", json=invalid, headers=auth(last)
            )
        return r.status_code == 422 and r.json()["type"].endswith("/invalid-event")

    await wait_for(known, what="the membership projection")
    return community


Seeder = Callable[..., Awaitable[Seeded]]


@pytest.fixture
def seed(producer: AIOKafkaProducer, auth_keys: Any) -> Callable[..., Awaitable[Seeded]]:
    """``await seed(base_url, members=3, visibility="private")`` → a projected community."""

    async def seeder(base_url: str, **options: Any) -> Seeded:
        return await seed_community(producer, base_url, auth_keys.headers, **options)

    return seeder


@pytest.fixture
def join(producer: AIOKafkaProducer) -> Callable[..., Awaitable[None]]:
    """``await join(community_id, user_id, role)``: announce one more member."""

    async def joiner(community_id: str, user_id: str, role: str = "member") -> None:
        await publish(producer, member_joined(community_id, user_id, role))

    return joiner


@pytest.fixture
def announce(producer: AIOKafkaProducer) -> Callable[..., Awaitable[None]]:
    """``await announce(event, topic=...)``: publish any membership contract event."""

    async def announcer(event: AnyEvent, topic: str = MEMBERSHIP_COMMUNITIES.name) -> None:
        await producer.send_and_wait(
            topic,
            value=event.model_dump_json().encode(),
            key=(event.subject or "").encode(),
            headers=[("content-type", b"application/cloudevents+json")],
        )

    return announcer


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    """``body(capacity=2)``: a valid event creation body with overrides."""
    return event_body


@pytest.fixture
def topic_events(kafka: KafkaCluster) -> Callable[..., Awaitable[list[AnyEvent]]]:
    """``await topic_events(TOPIC, done, subject={...})``: read our published events."""

    async def reader(
        topic: Topic, done: Callable[[list[AnyEvent]], bool], **kw: Any
    ) -> list[AnyEvent]:
        return await read_topic(kafka.admin, topic, done, **kw)

    return reader


@pytest.fixture
def poll() -> Callable[..., Awaitable[None]]:
    """``await poll(async_probe, what=...)``: wait until the probe holds."""
    return wait_for


def event_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    body: dict[str, Any] = {
        "title": "Reading circle",
        "description": "We read **together**. <script>alert(1)</script>",
        "format": "hybrid",
        "venue": {
            "name": "Sala Borsa",
            "address": "Piazza del Nettuno 3, Bologna",
            "latitude": 44.4939,
            "longitude": 11.3426,
        },
        "online_link": "https://meet.example.org/reading",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "time_zone": "Europe/Rome",
        "capacity": 10,
        "visibility": "public",
    }
    body.update(overrides)
    return body


async def read_topic(
    access: KafkaAccess,
    topic: Topic,
    done: Callable[[list[AnyEvent]], bool],
    *,
    subject: set[str] | None = None,
    timeout: float = 30.0,
    settle: float = 0.0,
) -> list[AnyEvent]:
    """Decoded events of ``topic`` (about ``subject`` if given) once ``done`` holds."""
    consumer = AIOKafkaConsumer(
        topic.name,
        **access.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    seen: list[AnyEvent] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        finish_at: float | None = None
        while True:
            now = asyncio.get_running_loop().time()
            if finish_at is not None and now >= finish_at:
                return seen
            if now > deadline:
                raise AssertionError(f"timed out on {topic.name}: {[e.type for e in seen]}")
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                for record in records:
                    event = topic.decode(record.value)
                    if subject is None or event.subject in subject:
                        seen.append(event)
            if finish_at is None and done(seen):
                finish_at = now + settle
    finally:
        await consumer.stop()
