"""Communities and members as membership announces them (contract events on Kafka), plus each
member's notification choices and push subscription set through notifications' API."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx
from aiokafka import AIOKafkaProducer

from cerchia_bench.platform import Platform
from cerchia_bench.sinks import PushProvider
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import AnyEvent, topic_of
from cerchia_contracts.events import membership as m

CONTENT_TYPE = [("content-type", b"application/cloudevents+json")]


@dataclass(frozen=True)
class Taste:
    """One member's choices for discussions, and whether a browser of theirs is subscribed."""

    in_app: bool = True
    email: str = "instant"  # instant | digest | off
    push: bool = True
    subscribed: bool = True


EVERYTHING = Taste()


@dataclass(frozen=True)
class Community:
    """A seeded community: its owner is ``members[0]``."""

    id: str
    members: tuple[str, ...]
    tastes: dict[str, Taste]

    @property
    def owner(self) -> str:
        """The founder, who also writes the threads."""
        return self.members[0]


def email_of(user_id: str) -> str:
    """The address every seeded person has."""
    return f"{user_id}@example.org"


async def publish(producer: AIOKafkaProducer, events: Sequence[AnyEvent]) -> None:
    """Send events to their catalog topics, keyed like the outbox relay keys them."""
    sends = [
        await producer.send(
            topic_of(event).name,
            value=event.model_dump_json().encode(),
            key=(event.subject or "").encode(),
            headers=CONTENT_TYPE,
        )
        for event in events
    ]
    await asyncio.gather(*sends)


def producer_for(access: KafkaAccess) -> AIOKafkaProducer:
    """An idempotent producer with the platform's settings (the seeds are written as membership
    and the other producers would: by an operator)."""
    return AIOKafkaProducer(
        **access.client_kwargs(), acks="all", enable_idempotence=True, linger_ms=5
    )


def _community_created(community_id: str, owner: str) -> m.CommunityCreatedV1:
    return m.CommunityCreatedV1.new(
        subject=community_id,
        data=m.CommunityCreated(
            community_id=community_id,
            actor_id=owner,
            slug=f"c-{community_id[:12]}",
            name=f"Community {community_id[:6]}",
            purpose="Measuring the platform.",
            audience="Benchmarks.",
            language="en",
            visibility="private",
            join_policy="open",
            capacity=100_000,
            owner_id=owner,
            code_of_conduct_version=1,
        ),
    )


def _profile(user_id: str) -> m.ProfileUpdatedV1:
    return m.ProfileUpdatedV1.new(
        subject=user_id,
        data=m.ProfileUpdated(
            user_id=user_id,
            email=email_of(user_id),
            display_name=f"Member {user_id[:6]}",
            locale="en",
            timezone="UTC",
        ),
    )


def _verified(user_id: str) -> m.EmailVerifiedV1:
    # Posting and messaging need a verified address: seeded members have proved theirs.
    return m.EmailVerifiedV1.new(
        subject=user_id, data=m.EmailVerified(user_id=user_id, email=email_of(user_id))
    )


def _joined(community_id: str, user_id: str, role: m.Role) -> m.MemberJoinedV1:
    return m.MemberJoinedV1.new(
        subject=community_id,
        data=m.MemberJoined(
            community_id=community_id,
            user_id=user_id,
            role=role,
            via="founder" if role == "owner" else "open",
            code_of_conduct_version=1,
        ),
    )


async def seed_community(
    platform: Platform,
    producer: AIOKafkaProducer,
    push: PushProvider,
    *,
    size: int,
    taste: Callable[[int], Taste] = lambda _: EVERYTHING,
    within: float = 600.0,
) -> Community:
    """A community of ``size`` members (owner included), known to content and notifications."""
    community_id = str(uuid.uuid4())
    members = tuple(uuid.uuid4().hex for _ in range(size))
    tastes = {user: taste(i) for i, user in enumerate(members)}
    await publish(producer, [e for user in members for e in (_profile(user), _verified(user))])
    await publish(
        producer,
        [
            _community_created(community_id, members[0]),
            *(
                _joined(community_id, user, "owner" if i == 0 else "member")
                for i, user in enumerate(members)
            ),
        ],
    )
    await _choose(platform, push, tastes)
    await wait_projected(platform, community_id, members, within=within)
    return Community(community_id, members, tastes)


async def seed_filler(
    platform: Platform, producer: AIOKafkaProducer, *, count: int, within: float = 1800.0
) -> None:
    """``count`` more communities (each with its owner), so projections hold a realistic load."""
    before = await platform.db("notifications")["communities"].count_documents({})
    batch = 2_000
    for start in range(0, count, batch):
        await publish(
            producer,
            [
                _community_created(str(uuid.uuid4()), uuid.uuid4().hex)
                for _ in range(min(batch, count - start))
            ],
        )
    want = before + count

    async def done() -> bool:
        counts = await asyncio.gather(
            *(
                platform.db(name)["communities"].count_documents({})
                for name in ("content", "notifications")
                if name in platform.databases
            )
        )
        return min(counts) >= want

    await _poll(done, within, f"{count} filler communities projected")


async def _choose(platform: Platform, push: PushProvider, tastes: dict[str, Taste]) -> None:
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(
        base_url=platform.url("notifications"), timeout=60, limits=limits
    ) as client:
        gate = asyncio.Semaphore(16)

        async def one(user: str, taste: Taste) -> None:
            async with gate:
                headers = platform.headers(user)
                choice = {"in_app": taste.in_app, "email": taste.email, "push": taste.push}
                response = await client.put(
                    "/api/v1/preferences",
                    json={"categories": {"discussions": choice}},
                    headers=headers,
                )
                response.raise_for_status()
                if taste.subscribed:
                    response = await client.post(
                        "/api/v1/push/subscriptions", json=push.subscription(user), headers=headers
                    )
                    response.raise_for_status()

        await asyncio.gather(*(one(user, taste) for user, taste in tastes.items()))


async def wait_projected(
    platform: Platform, community_id: str, members: Sequence[str], *, within: float
) -> None:
    """Until both services know every member of the community and every member's address."""
    size = len(members)

    async def done() -> bool:
        counts = [
            platform.db("notifications")["memberships"].count_documents(
                {"community_id": community_id}
            ),
            platform.db("notifications")["users"].count_documents({"_id": {"$in": list(members)}}),
        ]
        if "content" in platform.databases:
            counts.append(
                platform.db("content")["memberships"].count_documents(
                    {"community_id": community_id}
                )
            )
        return min(await asyncio.gather(*counts)) >= size

    await _poll(done, within, f"community of {size} projected")


async def _poll(done: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done within {within:.0f}s: {what}")
        await asyncio.sleep(0.1)
