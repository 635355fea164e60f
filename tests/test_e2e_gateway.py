"""Through the gateway on the real stack: sign up, sign in, mail, the combined view, the stream."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from cerchia_contracts.catalog import MEMBERSHIP_INTRODUCTIONS
from cerchia_contracts.events.membership import IntroductionRequested, IntroductionRequestedV1
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import ServiceFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def producer(kafka: KafkaCluster) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


async def test_a_member_signs_up_through_the_gateway_and_hears_from_the_platform(
    service_process: ServiceFactory, smtp_sink: MailSink, producer: AIOKafkaProducer
) -> None:
    suffix = uuid.uuid4().hex[:8]
    membership, notifications = await asyncio.gather(
        service_process("membership", database=f"membership_{suffix}"),
        service_process("notifications", database=f"notifications_{suffix}"),
    )
    gateway = await service_process(
        "gateway",
        env={
            "GATEWAY_MEMBERSHIP_URL": membership.url,
            "GATEWAY_NOTIFICATIONS_URL": notifications.url,
            "GATEWAY_READY_UPSTREAMS": '["membership", "notifications"]',
        },
    )
    email = f"grace-{suffix}@example.org"
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        registered = await client.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": "Grace", "locale": "en"},
        )
        assert registered.status_code == 201, registered.text
        user_id = registered.json()["id"]

        # Membership also asks for the address to be confirmed: two mails, in either order.
        welcome = await smtp_sink.wait_for(
            lambda m: m["To"] == email and "Welcome" in m["Subject"], timeout=30
        )
        assert "Grace" in welcome["Subject"]

        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

        me = await client.get("/api/v1/me", headers=auth)
        assert me.status_code == 200, me.text
        assert me.json()["user_id"] == user_id
        assert me.json()["profile"]["display_name"] == "Grace"
        assert me.json()["unread_notifications"] == 0
        assert {w["upstream"] for w in me.json()["warnings"]} <= {"membership", "events"}

        async with client.stream("GET", "/api/v1/stream", headers=auth) as stream:
            assert stream.status_code == 200
            requested = IntroductionRequestedV1.new(
                subject=str(uuid.uuid4()),
                data=IntroductionRequested(
                    introduction_id=str(uuid.uuid4()),
                    community_id=str(uuid.uuid4()),
                    requester_id=str(uuid.uuid4()),
                    recipient_id=user_id,
                    note="We both run meetups in Turin.",
                ),
            )
            await producer.send_and_wait(
                MEMBERSHIP_INTRODUCTIONS.name,
                value=requested.model_dump_json().encode(),
                key=requested.subject.encode() if requested.subject else None,
                headers=[("content-type", b"application/cloudevents+json")],
            )
            event: dict[str, str] = {}
            async with asyncio.timeout(30):
                async for line in stream.aiter_lines():
                    if line.startswith(("id:", "event:", "data:")):
                        name, _, value = line.partition(":")
                        event[name] = value.strip()
                    if line == "" and event.get("event") == "notification":
                        break
                    if line == "":
                        event = {}
        notification = json.loads(event["data"])
        assert event["id"] == notification["id"]
        assert notification["kind"] == "introduction_requested"

        unread = await client.get("/api/v1/me", headers=auth)
        assert unread.json()["unread_notifications"] == 1
