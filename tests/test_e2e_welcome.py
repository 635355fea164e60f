"""Walking skeleton, end to end on the real local stack: register → Kafka → welcome email."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from cerchia_contracts.catalog import MEMBERSHIP_USERS
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import ServiceFactory
from cerchia_devstack.trace_backend import TraceBackend

REGISTERED = UserRegisteredV1.model_fields["type"].default

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.org"


def to(address: str) -> Callable[[EmailMessage], bool]:
    return lambda message: message["To"] == address


def welcome_to(address: str) -> Callable[[EmailMessage], bool]:
    # Registration also sends the email-verification link, in no particular order.
    return lambda message: (
        message["To"] == address and str(message["Subject"]).startswith(("Welcome", "Benvenuto"))
    )


async def mails_to(sink: MailSink, address: str) -> list[EmailMessage]:
    return [m for m in await sink.messages() if m["To"] == address]


async def welcomes_to(sink: MailSink, address: str) -> list[EmailMessage]:
    # Registration also sends the email-verification link; these tests count the welcome.
    return [
        m
        for m in await mails_to(sink, address)
        if m["Subject"].startswith(("Welcome", "Benvenuto"))
    ]


async def register(base_url: str, email: str, locale: str = "en") -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": "Ada L.", "locale": locale},
        )


@pytest.fixture
def databases() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {"membership": f"membership_{suffix}", "notifications": f"notifications_{suffix}"}


@pytest.fixture
async def producer(kafka: KafkaCluster) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


def registered_event(email: str) -> UserRegisteredV1:
    user_id = str(uuid.uuid4())
    return UserRegisteredV1.new(
        subject=user_id,
        data=UserRegistered(user_id=user_id, email=email, display_name="Bo", locale="it"),
    )


async def publish(producer: AIOKafkaProducer, payload: bytes, key: str) -> None:
    await producer.send_and_wait(
        MEMBERSHIP_USERS.name,
        value=payload,
        key=key.encode(),
        headers=[("content-type", b"application/cloudevents+json")],
    )


async def test_registration_sends_a_welcome_email_and_one_trace_connects_it_all(
    service_process: ServiceFactory,
    smtp_sink: MailSink,
    trace_backend: TraceBackend,
    databases: dict[str, str],
) -> None:
    await service_process("notifications", database=databases["notifications"])
    membership = await service_process("membership", database=databases["membership"])
    email = unique_email()

    response = await register(membership.url, email.upper(), locale="en")
    assert response.status_code == 201, response.text
    assert response.json()["email"] == email
    trace_id = response.headers["x-trace-id"]

    message = await smtp_sink.wait_for(welcome_to(email), timeout=60)
    assert message["Subject"] == "Welcome to Cerchia, Ada L."
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Ada L." in text.get_content()
    assert "<strong>Cerchia</strong>" in html.get_content()

    # A taken address is answered as a new one (tests/test_e2e_sign_up_privacy.py).
    duplicate = await register(membership.url, email)
    assert duplicate.status_code == 201
    assert duplicate.json().keys() == response.json().keys()
    invalid = await register(membership.url, "not-an-email")
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["loc"] == ["body", "email"]

    def connected(spans: list[dict[str, Any]]) -> bool:
        seen = {(s["localEndpoint"]["serviceName"], s.get("kind")) for s in spans}
        smtp = any(s["name"] == "smtp send" for s in spans)
        return (
            smtp
            and {
                ("membership", "SERVER"),
                ("membership", "PRODUCER"),
                ("notifications", "CONSUMER"),
                ("notifications", "CLIENT"),
            }
            <= seen
        )

    spans = await trace_backend.wait_for_trace(trace_id, connected, timeout=60)
    assert {s["traceId"] for s in spans} == {trace_id}
    assert any("mongodb" in str(s.get("tags", {})).lower() for s in spans)
    await asyncio.sleep(1)
    assert len(await welcomes_to(smtp_sink, email)) == 1


async def test_a_redelivered_event_sends_no_second_email(
    service_process: ServiceFactory,
    smtp_sink: MailSink,
    producer: AIOKafkaProducer,
    databases: dict[str, str],
) -> None:
    notifications = await service_process("notifications", database=databases["notifications"])
    first, sentinel = unique_email(), unique_email()
    event = registered_event(first)
    payload = event.model_dump_json().encode()

    await publish(producer, payload, event.data.user_id)
    await publish(producer, payload, event.data.user_id)
    await smtp_sink.wait_for(to(first), timeout=60)

    await notifications.restart()  # redelivery across a restart, too
    await publish(producer, payload, event.data.user_id)
    ending = registered_event(sentinel)
    await publish(producer, ending.model_dump_json().encode(), ending.data.user_id)
    await smtp_sink.wait_for(to(sentinel), timeout=60)

    welcome = await mails_to(smtp_sink, first)
    assert len(welcome) == 1
    assert welcome[0]["Subject"] == "Benvenuto in Cerchia, Bo"


async def test_a_crash_between_commit_and_publish_still_delivers_exactly_one_email(
    service_process: ServiceFactory,
    smtp_sink: MailSink,
    mongo_uri: str,
    databases: dict[str, str],
) -> None:
    await service_process("notifications", database=databases["notifications"])
    # With its relay off, the process commits user + outbox record and never publishes: the
    # window between commit and publish, held open so the crash lands inside it.
    membership = await service_process(
        "membership",
        database=databases["membership"],
        env={"MEMBERSHIP_OUTBOX_RELAY_ENABLED": "false"},
    )
    email = unique_email()
    assert (await register(membership.url, email)).status_code == 201

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        outbox = client[databases["membership"]]["outbox"]
        # The registration and the new profile it announces, both committed and unpublished.
        unsent = {"sent_at": None, "topic": MEMBERSHIP_USERS.name}
        assert await outbox.count_documents({**unsent, "type": REGISTERED}) == 1
        membership.kill()
        assert membership.returncode == -9

        await asyncio.sleep(2)
        assert await mails_to(smtp_sink, email) == []  # nothing was published before the crash

        restarted = await service_process("membership", database=databases["membership"])
        await smtp_sink.wait_for(to(email), timeout=60)
        assert await outbox.count_documents({"sent_at": None}) == 0
        await asyncio.sleep(2)
        assert len(await welcomes_to(smtp_sink, email)) == 1
        assert restarted.running()
    finally:
        await client.close()


async def test_a_malformed_message_is_dead_lettered_and_the_next_one_still_processed(
    service_process: ServiceFactory,
    smtp_sink: MailSink,
    producer: AIOKafkaProducer,
    kafka: KafkaCluster,
    databases: dict[str, str],
) -> None:
    await service_process("notifications", database=databases["notifications"])
    marker = uuid.uuid4().hex
    poison = f'{{"specversion": "1.0", "id": "{marker}", "type": "garbage'.encode()
    good = registered_event(unique_email())

    await publish(producer, poison, "poison")
    await publish(producer, good.model_dump_json().encode(), good.data.user_id)
    await smtp_sink.wait_for(to(good.data.email), timeout=60)

    consumer = AIOKafkaConsumer(
        MEMBERSHIP_USERS.dlq,
        **kafka.admin.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    ours = service_process.group("notifications").encode()
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            async for record in consumer:
                # Other tests' platforms consume the topic in their own groups: ours is this one.
                group = dict(record.headers).get("dlq-consumer-group")
                if record.value == poison and group == ours:
                    break
    finally:
        await consumer.stop()
    headers = dict(record.headers)
    assert headers["dlq-original-topic"] == MEMBERSHIP_USERS.name.encode()
    assert headers["dlq-consumer-group"] == ours
    assert headers["dlq-error-type"] == b"ValidationError"
    assert record.key == b"poison"
