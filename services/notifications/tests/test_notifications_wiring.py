"""The service's Kafka subscriptions, in memory: the container built from settings subscribes to
every topic the catalog lets it read, and one event on each reaches the fan-out use case."""

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import TestKafkaBroker
from pydantic import SecretStr

from cerchia_chassis.sealing import Opener, OpeningKey, SealingKey
from cerchia_contracts.catalog import CATALOG, AnyEvent, topic_of
from cerchia_contracts.events import content as c
from cerchia_contracts.events import exports as x
from cerchia_contracts.events import membership as m
from cerchia_contracts.events.membership.tokens import sealing_context
from notifications.container import Container
from notifications.domain.rules import FANOUT_TOPICS
from notifications.entrypoints.consumers import register_consumers
from notifications.service.events import CONSUMER
from notifications.settings import NotificationsSettings
from services.notifications.tests.community_world import World as Community
from services.notifications.tests.community_world import uid
from services.notifications.tests.memory import World

pytestmark = pytest.mark.unit

OPENING = OpeningKey.generate()


@pytest.fixture
async def container() -> AsyncIterator[Container]:
    """The container as the app builds it (nothing connects until the chassis runs)."""
    settings = NotificationsSettings(
        token_opening_keys=SecretStr(OPENING.private_text()), kafka_security_protocol="PLAINTEXT"
    )
    built = Container.build(settings)
    yield built
    await built.chassis.mongo.close()


def verification(user: str) -> m.EmailVerificationRequestedV2:
    event_type = m.EmailVerificationRequestedV2.event_type()
    sealed = SealingKey.from_text(OPENING.public_text()).seal(
        "secret-token", context=sealing_context(event_type, user)
    )
    return m.EmailVerificationRequestedV2.new(
        subject=user,
        data=m.EmailVerificationRequested(
            user_id=user,
            email="ada@example.org",
            display_name="Ada",
            locale="en",
            token=sealed,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        ),
    )


def one_event_per_topic() -> list[AnyEvent]:
    w = Community()
    return [
        w.registered(w.owner, "Olga", "en"),
        verification(w.applicant),
        w.joined(w.moderator, role="moderator"),
        m.IntroductionRequestedV1.new(
            subject=w.community,
            data=m.IntroductionRequested(
                introduction_id=uid(),
                community_id=w.community,
                requester_id=w.applicant,
                recipient_id=w.owner,
                note="Let's read together",
            ),
        ),
        w.thread(w.moderator, "Libri d'estate"),
        c.DirectMessageSentV1.new(
            subject=uid(),
            data=c.DirectMessageSent(
                conversation_id=uid(),
                message_id=uid(),
                sender_id=w.owner,
                recipient_id=w.applicant,
                excerpt="Ciao!",
            ),
        ),
        c.PostFlaggedV1.new(
            subject=w.community,
            data=c.PostFlagged(
                community_id=w.community,
                actor_id=w.applicant,
                target_kind="thread",
                target_id=uid(),
                title="Libri d'estate",
                author_id=w.moderator,
                flag_id=uid(),
                reason="Off topic",
                moderator_ids=(w.owner, w.moderator),
            ),
        ),
        w.cancelled("Picnic", [w.applicant], timedelta(days=3)),
        w.reminder("Picnic", [w.applicant]),
        x.ExportReadyV1.new(
            subject=w.owner,
            data=x.ExportReady(
                export_id=uid(),
                user_id=w.owner,
                status="complete",
                expires_at=(datetime.now(UTC) + timedelta(days=7)).isoformat(),
            ),
        ),
    ]


def test_the_service_subscribes_to_every_topic_the_catalog_lets_it_read(
    container: Container,
) -> None:
    register_consumers(container)
    readable = {t.name for t in CATALOG if "notifications" in t.consumers and not t.internal}
    assert container.chassis.consumed_topics == {t.name for t in FANOUT_TOPICS}
    assert readable <= container.chassis.consumed_topics


async def test_one_event_on_each_topic_reaches_the_fanout_use_case(container: Container) -> None:
    memory = World()
    register_consumers(
        dataclasses.replace(container, fanout=memory.fanout(opener=Opener([OPENING])))
    )
    events = one_event_per_topic()
    assert {topic_of(e).name for e in events} == {t.name for t in FANOUT_TOPICS}
    async with TestKafkaBroker(container.chassis.broker) as broker:
        for event in events:
            await broker.publish(
                event.model_dump_json().encode(),
                topic=topic_of(event).name,
                key=(event.subject or "").encode(),
            )
    assert memory.store.processed == {(CONSUMER, e.id) for e in events}
    # The events' effects were applied: the projections, the sealed link opened in its email.
    assert memory.store.users
    (link,) = [d for d in memory.store.queue.values() if d.template == "verify_email"]
    assert "secret-token" in str(link.context)
