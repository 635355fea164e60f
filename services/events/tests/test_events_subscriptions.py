"""The Kafka subscriptions of the real container, on FastStream's in-memory broker: every topic
the service consumes reaches its use case (decoded by the chassis's delivery policy)."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from faststream.kafka import TestKafkaBroker

from cerchia_contracts.catalog import (
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_EXPORTS,
    MEMBERSHIP_USERS,
    AnyEvent,
)
from cerchia_contracts.events import membership as m
from events.container import Container
from events.entrypoints.consumers import register_consumers
from events.settings import EventsSettings
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit


@pytest.fixture
async def wired() -> AsyncIterator[tuple[Container, World]]:
    """The service's container, subscribed, with its ports in memory; nothing connects."""
    world = World()
    settings = EventsSettings(kafka_security_protocol="PLAINTEXT", reminder_scheduler_enabled=False)
    built = Container.build(settings)
    container = replace(built, ports=world.ports)
    register_consumers(container)
    yield container, world
    await built.chassis.mongo.close()


async def deliver(container: Container, topic: str, event: AnyEvent) -> None:
    async with TestKafkaBroker(container.chassis.broker) as broker:
        await broker.publish(
            event.model_dump_json().encode(), topic=topic, key=(event.subject or "").encode()
        )


async def test_the_service_subscribes_to_the_topics_it_depends_on(
    wired: tuple[Container, World],
) -> None:
    container, _ = wired
    assert container.chassis.consumed_topics == {
        MEMBERSHIP_COMMUNITIES.name,
        MEMBERSHIP_USERS.name,
        MEMBERSHIP_EXPORTS.name,
    }


async def test_community_events_reach_the_projection(wired: tuple[Container, World]) -> None:
    container, world = wired
    data = m.MemberJoined(
        community_id="c",
        actor_id="cy",
        user_id="cy",
        role="moderator",
        via="open",
        code_of_conduct_version=1,
    )
    await deliver(
        container, MEMBERSHIP_COMMUNITIES.name, m.MemberJoinedV1.new(subject="c", data=data)
    )
    place = world.store.memberships["c", "cy"]
    assert (place.active, place.role) == (True, "moderator")


async def test_user_events_reach_the_time_zones_and_erasure(
    wired: tuple[Container, World],
) -> None:
    container, world = wired
    profile = m.ProfileUpdated(
        user_id="ada",
        email="ada@example.org",
        display_name="Ada",
        locale="en",
        timezone="Asia/Tokyo",
    )
    await deliver(
        container, MEMBERSHIP_USERS.name, m.ProfileUpdatedV1.new(subject="ada", data=profile)
    )
    assert world.store.zones == {"ada": "Asia/Tokyo"}
    erased = m.UserErasedV1.new(subject="ada", data=m.UserErased(user_id="ada"))
    await deliver(container, MEMBERSHIP_USERS.name, erased)
    assert world.store.zones == {}
    assert ("c", "ada") not in world.store.memberships
