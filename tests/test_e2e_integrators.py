"""What reaches Kafka after a journey, as an integrator and an attacker would look at it.

The platform runs on a Kafka cluster of this module's own, so every record on it was written by
the platform during the journey below (no other test's records, no test's deliberate poison):

- the official CloudEvents SDK (Python ``cloudevents``, Kafka binding, mode auto-detected) reads
  every record of every topic, dead-letter topics included;
- no emailed token is found in clear on any topic or in membership's outbox, and the tokens
  topic read by an operator (who may read everything) yields only sealed tokens;
- an integrator reads the public community's activity on the public topics, and nothing of the
  private community, nothing of anyone's email, name or words.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event
from pymongo import AsyncMongoClient

from cerchia_chassis import integrators
from cerchia_chassis.dlq import partitions_of
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import CATALOG, MEMBERSHIP_TOKENS, topic
from cerchia_devstack.kafka import KafkaBroker, KafkaCluster, KafkaSettings
from cerchia_devstack.mail_sink import InProcessSmtpSink
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports
from cerchia_devstack.pytest_plugin import AuthKeys
from tests.platform import Member, Platform, eventually, sign_up, start_platform, to, token_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CODE = "Be kind. Stay on topic. No selling."


@pytest.fixture(scope="module")
async def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KafkaCluster]:
    kafka_port, controller_port = free_ports(2)
    broker = KafkaBroker(
        root=tmp_path_factory.mktemp("private-kafka"),
        cache=cache_dir(),
        pom=kafka_pom(repo_root()),
        settings=KafkaSettings(LOCALHOST, kafka_port, controller_port),
    )
    await asyncio.to_thread(broker.install)
    broker.start(owned=True)
    try:
        await broker.wait_ready()
        await broker.secure()
        yield broker.secrets.cluster()
    finally:
        broker.stop(10.0)


@pytest.fixture(scope="module")
async def own_platform(
    tmp_path_factory: pytest.TempPathFactory,
    private_kafka: KafkaCluster,
    mongo_uri: str,
    auth_keys: AuthKeys,
) -> AsyncIterator[Platform]:
    sink = InProcessSmtpSink().start()
    try:
        started = await start_platform(
            tmp_path_factory.mktemp("integrators-platform"),
            kafka=private_kafka,
            mongo_uri=mongo_uri,
            smtp=sink,
            keys=auth_keys,
        )
        try:
            yield started
        finally:
            started.stop()
    finally:
        sink.stop()


async def found(client: httpx.AsyncClient, owner: Member, name: str, visibility: str) -> str:
    created = await client.post(
        "/api/v1/communities",
        headers=owner.auth,
        json={
            "name": name,
            "slug": f"c-{uuid.uuid4().hex[:10]}",
            "purpose": f"{name}: grow together by reviewing each other's work.",
            "audience": "Developers.",
            "language": "en",
            "visibility": visibility,
            "join_policy": "open",
            "capacity": 10,
            "code_of_conduct": CODE,
        },
    )
    assert created.status_code == 201, created.text
    community_id: str = created.json()["id"]
    return community_id


async def post_thread(
    client: httpx.AsyncClient, author: Member, community_id: str, title: str, body: str
) -> None:
    async def attempt() -> bool:
        posted = await client.post(
            f"/api/v1/communities/{community_id}/threads",
            headers=author.auth,
            json={"title": title, "body": body},
        )
        assert posted.status_code in (201, 403, 404), posted.text
        return posted.status_code == 201

    await eventually(attempt, what=f"content lets the owner post in {title}")


async def read_all(access: KafkaAccess, name: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of topic ``name``, from the beginning to its current end."""
    async with asyncio.timeout(60):
        return await _read_all(access, name)


async def _read_all(access: KafkaAccess, name: str) -> list[ConsumerRecord[bytes, bytes]]:
    partitions = [TopicPartition(name, p) for p in await partitions_of(access, name)]
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
async def journey(own_platform: Platform, private_kafka: KafkaCluster) -> dict[str, Any]:
    """Ada signs up, founds a public and a private community and writes in both; Bo too."""
    platform = own_platform
    async with platform.client() as client:
        ada = await sign_up(client, platform.smtp, "Ada")
        bo = await sign_up(client, platform.smtp, "Bo")
        # A password reset link travels as a token too.
        reset = await client.post("/api/v1/auth/password-reset", json={"email": bo.email})
        assert reset.status_code == 202, reset.text
        reset_mail = await platform.smtp.wait_for(to(bo.email, "Reset your password"), timeout=30)
        new_password = {"token": token_in(reset_mail, "/reset-password"), "new_password": "x" * 16}
        confirmed = await client.post("/api/v1/auth/password-reset/confirm", json=new_password)
        assert confirmed.status_code == 204, confirmed.text
        # The owner is told, so a takeover does not go unseen.
        await platform.smtp.wait_for(to(bo.email, "Your password was changed"), timeout=30)
        public = await found(client, ada, "Open Circle", "public")
        private = await found(client, ada, "Secret Circle", "private")
        marker = uuid.uuid4().hex[:12]
        await post_thread(
            client, ada, public, f"Public title {marker}", f"Public words pub{marker} of Ada"
        )
        await post_thread(
            client, ada, private, f"Private title {marker}", f"Private words prv{marker} of Ada"
        )
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)

        async def schedule() -> bool:
            scheduled = await client.post(
                f"/api/v1/communities/{public}/events",
                headers=ada.auth,
                json={
                    "title": f"Open evening {marker}",
                    "description": "Bring a laptop.",
                    "format": "in_person",
                    "venue": {"name": "Sala Borsa", "address": f"Piazza {marker} 3, Bologna"},
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                    "time_zone": "Europe/Rome",
                    "visibility": "public",
                },
            )
            assert scheduled.status_code in (201, 403, 404), scheduled.text
            return scheduled.status_code == 201

        await eventually(schedule, what="events lets the owner schedule")
    welcome = await platform.smtp.wait_for(to(ada.email, "Confirm your email"), timeout=30)
    return {
        "ada": ada,
        "bo": bo,
        "public": public,
        "private": private,
        "marker": marker,
        "tokens": [token_in(welcome, "/verify-email"), token_in(reset_mail, "/reset-password")],
    }


async def wait_public(access: KafkaAccess, what: str, present: str) -> list[bytes]:
    """The values of ``what`` (a public topic) once ``present`` appears in one of them."""
    values: list[bytes] = []

    async def arrived() -> bool:
        values[:] = [r.value for r in await read_all(access, what)]
        return any(present.encode() in value for value in values)

    await eventually(arrived, what=f"{present} on {what}", timeout=60)
    return values


async def test_an_integrator_sees_the_public_community_and_nothing_private(
    journey: dict[str, Any], private_kafka: KafkaCluster, tmp_path: Path
) -> None:
    marker = journey["marker"]
    made = await asyncio.to_thread(
        integrators.create, private_kafka.admin, "journey", directory=tmp_path
    )
    content = await wait_public(made.access, "content.public.v1", f"Public title {marker}")
    events = await wait_public(made.access, "events.public.v1", f"Open evening {marker}")
    communities = await wait_public(made.access, "membership.public.v1", "Open Circle")
    public = b"".join(content + events + communities)
    ada, bo = journey["ada"], journey["bo"]
    for secret in (
        f"Private title {marker}",  # the private community's thread
        f"prv{marker}",
        f"pub{marker}",  # bodies, even of public threads
        "Secret Circle",
        journey["private"],
        f"Piazza {marker}",  # the gathering's address
        ada.email,
        bo.email,
        ada.id,
        bo.id,
        *journey["tokens"],
    ):
        assert secret.encode() not in public, secret


async def test_no_token_is_found_in_clear_on_kafka_or_in_the_outbox(
    journey: dict[str, Any],
    private_kafka: KafkaCluster,
    own_platform: Platform,
    mongo_uri: str,
    auth_keys: AuthKeys,
) -> None:
    tokens = journey["tokens"]
    operator = private_kafka.admin  # reads every topic: the worst case short of the key
    for item in CATALOG:
        for name in (item.name, item.dlq):
            for record in await read_all(operator, name):
                for token in tokens:
                    assert token.encode() not in (record.value or b""), name
    sealed = [
        MEMBERSHIP_TOKENS.decode(r.value) for r in await read_all(operator, "membership.tokens.v2")
    ]
    assert len(sealed) >= 3  # two verifications and a reset
    # Only the notifications service's key opens them.
    opened = {auth_keys.open_token(event) for event in sealed}
    assert set(tokens) <= opened
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        database = client[own_platform.databases["membership"]]
        async for record in database["outbox"].find({"topic": MEMBERSHIP_TOKENS.name}):
            for token in tokens:
                assert token not in record["payload"]
    finally:
        await client.close()


async def test_the_cloudevents_sdk_reads_every_record_of_every_topic(
    journey: dict[str, Any], private_kafka: KafkaCluster
) -> None:
    read = 0
    for item in CATALOG:
        for name in (item.name, item.dlq):
            for record in await read_all(private_kafka.admin, name):
                message = KafkaMessage(
                    headers=dict(record.headers or ()),
                    key=record.key,
                    value=record.value or b"",
                )
                event = from_kafka_event(message)  # raises on anything it cannot read
                assert event.get_type() in topic(item.name).event_types
                assert event.get_id()
                read += 1
    assert read > 20
