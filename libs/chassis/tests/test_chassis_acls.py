"""Kafka's principals and ACLs come from the catalog, and the broker enforces them."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from cerchia_chassis import acls, integrators
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import (
    CATALOG,
    CONTENT_DISCUSSIONS,
    CONTENT_PUBLIC,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_USERS,
)
from cerchia_contracts.events import membership as m
from cerchia_contracts.events import public as p
from cerchia_devstack.kafka import KafkaCluster

# ----------------------------------------------------------------------------------- the plan


@pytest.mark.unit
def test_each_service_may_write_what_it_produces_and_read_what_it_consumes() -> None:
    content = {
        (g.operation, g.resource, g.name, g.prefixed) for g in acls.service_grants("content")
    }
    assert ("WRITE", "topic", "content.discussions.v1", False) in content
    assert ("WRITE", "topic", "content.public.v1", False) in content
    assert ("READ", "topic", "membership.communities.v1", False) in content
    assert ("WRITE", "topic", "membership.communities.v1.dlq", False) in content
    assert ("READ", "group", "content", True) in content
    # Nothing else: not membership's topics, not the tokens, not another service's DLQ.
    assert ("WRITE", "topic", "membership.communities.v1", False) not in content
    assert not [g for g in content if g[2].startswith("membership.tokens")]
    assert not [g for g in content if g[2] == "content.discussions.v1.dlq"]


@pytest.mark.unit
def test_internal_topics_are_read_only_by_their_consumers_and_integrators_read_public_ones() -> (
    None
):
    planned = acls.plan(CATALOG, integrators=["integrator-acme"])
    readers: dict[str, set[str]] = {}
    for principal, grants in planned.items():
        for grant in grants:
            if grant.resource == "topic" and grant.operation == "READ":
                readers.setdefault(grant.name, set()).add(principal)
    for topic in CATALOG:
        expected = {acls.principal(s) for s in topic.consumers}
        if not topic.internal:
            expected.add("User:integrator-acme")
        assert readers.get(topic.name, set()) == expected, topic.name
    acme = planned["User:integrator-acme"]
    assert {g.operation for g in acme} == {"READ"}
    assert acls.Grant("User:integrator-acme", "group", "integrator-acme", "READ", True) in acme


@pytest.mark.unit
def test_integrator_names_are_checked() -> None:
    assert acls.integrator_username("acme-2") == "integrator-acme-2"
    for bad in ("", "A", "acme;drop", "x" * 60, "../etc"):
        with pytest.raises(ValueError, match="integrator names"):
            acls.integrator_username(bad)


# ------------------------------------------------------------------------ the broker enforces it


async def produce(access: KafkaAccess, topic: str, value: bytes = b"{}") -> None:
    producer = AIOKafkaProducer(**access.client_kwargs(), acks="all", request_timeout_ms=10000)
    try:
        await producer.start()
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def consume_one(access: KafkaAccess, topic: str, group: str | None) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        **access.client_kwargs(),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
        await consumer.getmany(timeout_ms=1000)
    finally:
        await consumer.stop()


@pytest.fixture
async def integrator(kafka: KafkaCluster, tmp_path: Path) -> AsyncIterator[KafkaAccess]:
    name = f"t{uuid.uuid4().hex[:8]}"
    made = await asyncio.to_thread(integrators.create, kafka.admin, name, directory=tmp_path)
    assert made.properties.stat().st_mode & 0o777 == 0o600
    assert KafkaAccess.from_config_file(made.properties) == made.access
    yield made.access
    await asyncio.to_thread(integrators.revoke, kafka.admin, name)


@pytest.mark.integration
async def test_without_credentials_nothing_connects(kafka: KafkaCluster) -> None:
    admin = kafka.admin
    plaintext = KafkaAccess(admin.bootstrap, "PLAINTEXT")
    with pytest.raises(KafkaError):
        await asyncio.wait_for(produce(plaintext, CONTENT_PUBLIC.name), 30)
    wrong_password = admin.as_user("admin", "not-the-password")
    with pytest.raises(KafkaError):
        await asyncio.wait_for(produce(wrong_password, CONTENT_PUBLIC.name), 30)
    nobody = admin.as_user("nobody", "whatever")
    with pytest.raises(KafkaError):
        await asyncio.wait_for(consume_one(nobody, CONTENT_PUBLIC.name, None), 30)
    # The broker's certificate is checked: a client that does not trust its CA does not talk.
    untrusting = KafkaAccess(
        admin.bootstrap, username="admin", password=admin.password, ca_file=None
    )
    with pytest.raises((KafkaConnectionError, KafkaError)):
        await asyncio.wait_for(produce(untrusting, CONTENT_PUBLIC.name), 30)


@pytest.mark.integration
async def test_an_integrator_reads_public_topics_only_and_writes_nothing(
    integrator: KafkaAccess,
) -> None:
    group = f"{integrator.username}-dashboard"
    await consume_one(integrator, CONTENT_PUBLIC.name, group)  # allowed
    for internal in (MEMBERSHIP_USERS.name, MEMBERSHIP_TOKENS.name, CONTENT_DISCUSSIONS.name):
        with pytest.raises(TopicAuthorizationFailedError):
            await consume_one(integrator, internal, group)
    for topic in (CONTENT_PUBLIC.name, MEMBERSHIP_COMMUNITIES.name):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(integrator, topic)
    # A service's consumer group would steal its partitions: refused.
    with pytest.raises(GroupAuthorizationFailedError):
        await consume_one(integrator, CONTENT_PUBLIC.name, "notifications")


@pytest.mark.integration
async def test_a_revoked_integrator_is_refused(kafka: KafkaCluster, tmp_path: Path) -> None:
    name = f"gone{uuid.uuid4().hex[:6]}"
    made = await asyncio.to_thread(integrators.create, kafka.admin, name, directory=tmp_path)
    await consume_one(made.access, CONTENT_PUBLIC.name, None)
    assert made.access.username in await asyncio.to_thread(integrators.listed, kafka.admin)
    await asyncio.to_thread(integrators.revoke, kafka.admin, name)
    assert made.access.username not in await asyncio.to_thread(integrators.listed, kafka.admin)
    with pytest.raises(KafkaError):
        await asyncio.wait_for(consume_one(made.access, CONTENT_PUBLIC.name, None), 30)


def forged_role_change() -> bytes:
    event = m.MemberRoleChangedV1.new(
        subject="c-forged",
        data=m.MemberRoleChanged(
            community_id="c-forged",
            actor_id="mallory",
            user_id="mallory",
            role="owner",
            previous_role="member",
        ),
    )
    return event.model_dump_json().encode()


def public_thread() -> bytes:
    event = p.PublicThreadCreatedV1.new(
        subject="c-acl-probe",
        data=p.PublicThreadCreated(
            community_id="c-acl-probe", thread_id="t-acl-probe", thread_title="ACL probe"
        ),
    )
    return event.model_dump_json().encode()


@pytest.mark.integration
async def test_a_service_writes_only_its_own_topics(
    kafka: KafkaCluster, integrator: KafkaAccess
) -> None:
    content, events = kafka.service("content"), kafka.service("events")
    # A forged role change on membership's topic, by another service or an integrator: refused.
    for impostor in (content, events, integrator):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(impostor, MEMBERSHIP_COMMUNITIES.name, forged_role_change())
    # Its own topics and the dead-letter topics of what it consumes: allowed; not the others.
    await produce(content, CONTENT_PUBLIC.name, public_thread())
    await produce(content, MEMBERSHIP_COMMUNITIES.dlq)
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(content, CONTENT_DISCUSSIONS.dlq)  # notifications' to write
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(content, MEMBERSHIP_TOKENS.dlq)  # content does not consume the tokens
    # Only the notifications service reads the tokens; its group prefix is its own.
    with pytest.raises(TopicAuthorizationFailedError):
        await consume_one(events, MEMBERSHIP_TOKENS.name, "events-probe")
    await consume_one(kafka.service("notifications"), MEMBERSHIP_TOKENS.name, None)
    with pytest.raises(GroupAuthorizationFailedError):
        await consume_one(events, MEMBERSHIP_COMMUNITIES.name, "content")


@pytest.mark.integration
async def test_reconciling_removes_what_the_catalog_no_longer_grants(
    kafka: KafkaCluster,
) -> None:
    client = acls.admin_client(kafka.admin)
    stray = acls.Grant("User:content", "topic", MEMBERSHIP_USERS.name, "WRITE")
    await asyncio.to_thread(lambda: acls._wait(client.create_acls([stray.binding()])))
    outcome = await asyncio.to_thread(acls.apply, kafka.admin, {})
    assert [acls._grant_of(b) for b in outcome.removed] == [stray]
    assert outcome.added == []
    again = await asyncio.to_thread(acls.apply, kafka.admin, {})
    assert (again.added, again.removed) == ([], [])
