"""Content's Kafka subscriptions in memory (FastStream's TestKafkaBroker): each topic the
container subscribes reaches its use case."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from cerchia_contracts.catalog import (
    EVENTS_GATHERINGS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_EXPORTS,
    MEMBERSHIP_USERS,
    AnyEvent,
    topic_of,
)
from content.container import Container
from content.entrypoints.consumers import register_consumers
from content.settings import ContentSettings
from services.content.tests import membership_facts as f
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


@pytest.fixture
async def wired() -> AsyncIterator[tuple[Container, World]]:
    """The service's own container and subscriptions, with its ports in memory."""
    world = World()
    built = Container.build(ContentSettings(kafka_security_protocol="PLAINTEXT"))
    container = replace(built, ports=world.ports)
    register_consumers(container)
    yield container, world
    await built.chassis.mongo.close()


async def publish(broker: KafkaBroker, event: AnyEvent) -> None:
    await broker.publish(
        event.model_dump_json().encode(),
        topic=topic_of(event).name,
        key=(event.subject or "").encode(),
        headers={"content-type": "application/cloudevents+json"},
    )


async def test_each_topic_content_consumes_reaches_its_use_case(
    wired: tuple[Container, World],
) -> None:
    container, world = wired
    assert container.chassis.consumed_topics == {
        MEMBERSHIP_COMMUNITIES.name,
        MEMBERSHIP_USERS.name,
        EVENTS_GATHERINGS.name,
        MEMBERSHIP_EXPORTS.name,
    }
    async with TestKafkaBroker(container.chassis.broker) as broker:
        await publish(broker, f.created())
        assert world.store.communities["c"].name == "Circle"
        await publish(broker, f.profile("olga", "Olga", handle="olga"))
        assert world.store.people["olga"].display_name == "Olga"
        await publish(broker, f.recap())
        (thread,) = world.store.threads.values()
        assert (thread.linked_event_id, thread.title) == ("gathering-1", "Spring meetup")
    assert len(world.store.processed) == 3


async def test_a_join_replayed_after_a_later_departure_leaves_the_person_out(
    wired: tuple[Container, World],
) -> None:
    container, world = wired
    later = f.T0.replace(hour=14)
    async with TestKafkaBroker(container.chassis.broker) as broker:
        await publish(broker, f.created())
        await publish(broker, f.left("ben", at=later))
        await publish(broker, f.joined("ben", at=later.replace(hour=13)))
    assert not world.store.memberships[("c", "ben")].active
