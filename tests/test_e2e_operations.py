"""Operations on the real local stack: readiness without Kafka, sign-up that reveals no account."""

import asyncio
import uuid
from collections.abc import Callable
from email.message import EmailMessage

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.events.membership import SignUpAttemptedV1, UserRegisteredV1
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.ports import free_port
from cerchia_devstack.pytest_plugin import ServiceFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.org"


async def sign_up(base_url: str, email: str, name: str, password: str = PASSWORD) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.post(
            "/api/v1/users",
            json={"email": email, "password": password, "display_name": name, "locale": "en"},
        )


async def test_a_service_whose_kafka_is_unreachable_is_ready_and_takes_writes(
    service_process: ServiceFactory, mongo_uri: str
) -> None:
    database = f"membership_{uuid.uuid4().hex[:8]}"
    # Nothing listens there: the broker is down for this process from its first second.
    # Revocations are off: a token verifier reads the revoked sessions before it serves
    # (docs/operations.md), which needs Kafka; this is about everything else.
    membership = await service_process(
        "membership",
        database=database,
        env={
            "MEMBERSHIP_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
            "MEMBERSHIP_AUTH_REVOCATIONS": "false",
        },
        timeout=60,
    )
    async with httpx.AsyncClient(base_url=membership.url, timeout=10) as client:
        ready = await client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ok", "checks": {"mongodb": "ok"}}
        assert (await client.get("/health/live")).status_code == 200
    email = unique_email()
    created = await sign_up(membership.url, email, "Ada")
    assert created.status_code == 201, created.text
    # The write waits in the outbox for the broker, not lost and not refused.
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        outbox = client[database]["outbox"]
        await asyncio.sleep(2)  # a few relay ticks: nothing can be sent
        pending = await outbox.count_documents(
            {"type": UserRegisteredV1.event_type(), "sent_at": None}
        )
        assert pending == 1
    finally:
        await client.close()
    async with httpx.AsyncClient(base_url=membership.url, timeout=10) as http:
        assert (await http.get("/health/ready")).status_code == 200


def subject_to(address: str, *starts: str) -> Callable[[EmailMessage], bool]:
    return lambda m: m["To"] == address and str(m["Subject"]).startswith(starts)


async def test_sign_up_answers_a_taken_address_as_a_new_one_and_tells_its_owner(
    service_process: ServiceFactory, smtp_sink: MailSink
) -> None:
    suffix = uuid.uuid4().hex[:8]
    await service_process("notifications", database=f"notifications_{suffix}")
    membership = await service_process("membership", database=f"membership_{suffix}")
    owner_email, fresh_email = unique_email(), unique_email()

    first = await sign_up(membership.url, owner_email, "Ada")
    assert first.status_code == 201, first.text
    await smtp_sink.wait_for(subject_to(owner_email, "Welcome"), timeout=60)

    # Someone else tries the same address (another case, name and password) and a new one.
    taken = await sign_up(membership.url, owner_email.upper(), "Mallory", "another password 123")
    fresh = await sign_up(membership.url, fresh_email, "Mallory", "another password 123")
    for answer in (taken, fresh):
        assert answer.status_code == 201, answer.text
        assert answer.headers["content-type"] == fresh.headers["content-type"]
        body = answer.json()
        assert body.keys() == first.json().keys()
        assert answer.headers["location"] == f"/api/v1/users/{body['id']}"
        assert (body["display_name"], body["email_verified"]) == ("Mallory", False)
    assert taken.json()["email"] == owner_email
    assert taken.json()["id"] != first.json()["id"]

    # The owner is told, in the usual way (an event on Kafka, an email from notifications).
    told = await smtp_sink.wait_for(
        subject_to(owner_email, "Someone tried to sign up with your address"), timeout=60
    )
    body = told.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "If it was you, sign in, or reset your password" in text
    assert "/login" in text
    # ...and nothing else reaches them: no second welcome, no verification link for Mallory.
    await smtp_sink.wait_for(subject_to(fresh_email, "Welcome"), timeout=60)
    mine = [m for m in await smtp_sink.messages() if m["To"] == owner_email]
    subjects = sorted(str(m["Subject"]) for m in mine)
    assert subjects.count("Welcome to Cerchia, Ada") == 1, subjects
    assert sum(s.startswith("Confirm your email") for s in subjects) == 1, subjects
    assert all("Mallory" not in s for s in subjects), subjects
    # The owner's account is untouched: Mallory's password does not open it.
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        login = await client.post(
            "/api/v1/auth/login",
            json={"email": owner_email, "password": "another password 123"},
        )
        assert login.status_code == 401
        assert (
            await client.post(
                "/api/v1/auth/login", json={"email": owner_email, "password": PASSWORD}
            )
        ).status_code == 200
    assert SignUpAttemptedV1.event_type() == "cerchia.membership.sign_up_attempted.v1"
