"""People with real, verified accounts for the HTTP tests of communities.

Founding, joining, applying and accepting an invitation need a verified address, so the tests'
people are registered and verified through the real flow: the verification token is taken from
the event membership publishes for the notifications service (sealed, opened with its key, as
the email would carry it), then posted to ``/api/v1/auth/verify-email``.
"""

import asyncio
import uuid
from collections.abc import Sequence

import httpx
from aiokafka import AIOKafkaConsumer

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import MEMBERSHIP_TOKENS
from cerchia_contracts.events.membership import EmailVerificationRequestedV2
from cerchia_devstack.pytest_plugin import AuthKeys

PASSWORD = "correct horse battery staple"
#: Registrations hash passwords (argon2): a few at a time.
_CONCURRENCY = 8


def address(name: str = "tester") -> str:
    """An address no other test uses."""
    return f"{name.lower()}-{uuid.uuid4().hex[:12]}@example.org"


async def register(
    client: httpx.AsyncClient, *, name: str = "Tester", email: str | None = None
) -> tuple[str, str]:
    """A new unverified account: ``(user id, email)``."""
    email = email or address(name)
    response = await client.post(
        "/api/v1/users",
        json={"email": email, "password": PASSWORD, "display_name": name, "locale": "en"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), email


async def verification_tokens(
    access: KafkaAccess, keys: AuthKeys, user_ids: set[str], timeout: float = 60
) -> dict[str, str]:
    """Each user's latest verification token, opened as the notifications service opens it."""
    consumer = AIOKafkaConsumer(
        MEMBERSHIP_TOKENS.name,
        **access.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: dict[str, str] = {}
    try:
        async with asyncio.timeout(timeout):
            while set(found) != user_ids:
                batch = await consumer.getmany(timeout_ms=300)
                for records in batch.values():
                    for record in records:
                        event = MEMBERSHIP_TOKENS.decode(record.value)
                        if (
                            isinstance(event, EmailVerificationRequestedV2)
                            and event.subject in user_ids
                        ):
                            found[event.subject] = keys.open_token(event)
    finally:
        await consumer.stop()
    return found


async def verify(client: httpx.AsyncClient, token: str) -> httpx.Response:
    """Follow the verification link."""
    return await client.post("/api/v1/auth/verify-email", json={"token": token})


async def verified_people(
    client: httpx.AsyncClient,
    access: KafkaAccess,
    keys: AuthKeys,
    count: int,
    *,
    emails: Sequence[str] = (),
) -> list[str]:
    """``count`` accounts registered and verified through the real flow (the first ones at
    ``emails``); their ids."""
    gate = asyncio.Semaphore(_CONCURRENCY)
    chosen = [*emails, *(address() for _ in range(count - len(emails)))]

    async def one(email: str) -> str:
        async with gate:
            user_id, _ = await register(client, email=email)
            return user_id

    ids = list(await asyncio.gather(*(one(email) for email in chosen)))
    tokens = await verification_tokens(access, keys, set(ids))
    answers = await asyncio.gather(*(verify(client, tokens[user]) for user in ids))
    for answer in answers:
        assert answer.status_code == 204, answer.text
    return ids
