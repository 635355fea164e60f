"""What the HTTP tests of accounts share: a client of one membership process, topic readers."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import MEMBERSHIP_TOKENS, AnyEvent, Topic
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from cerchia_devstack.service_process import ServiceProcess

PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"


def email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.org"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def from_ip(ip: str) -> dict[str, str]:
    # The test client is a trusted proxy for uvicorn, which takes the caller from this header.
    return {"X-Forwarded-For": ip}


async def events(
    access: KafkaAccess,
    topic: Topic,
    subject: str,
    until: Callable[[list[AnyEvent]], bool],
    timeout: float = 30,
    *,
    keys: AuthKeys | None = None,
) -> list[AnyEvent]:
    """The topic's events about ``subject``, read from the beginning until ``until`` holds
    (other tests' records on the topic, poison ones included, are passed over); with ``keys``,
    their personal fields opened (the subject's, not erased)."""
    consumer = AIOKafkaConsumer(
        topic.name, **access.client_kwargs(), auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    found: list[AnyEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not until(found):
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        value = record.value
                        if keys is not None and record.key == subject.encode():
                            value = await keys.opened_payload(access, topic, value)
                        try:
                            event = topic.decode(value)
                        except ValidationError:
                            continue
                        if event.subject == subject:
                            found.append(event)
    finally:
        await consumer.stop()
    return found


def has(kind: type[AnyEvent], count: int = 1) -> Callable[[list[AnyEvent]], bool]:
    return lambda found: sum(isinstance(e, kind) for e in found) >= count


async def latest_token(
    access: KafkaAccess, keys: AuthKeys, user_id: str, kind: type[AnyEvent], count: int = 1
) -> str:
    """The token of the latest ``kind`` event about ``user_id``, opened as notifications does."""
    found = await events(access, MEMBERSHIP_TOKENS, user_id, has(kind, count))
    return keys.open_token([e for e in found if isinstance(e, kind)][-1])


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + code), body
    return body


class Api:
    """A client of one membership process."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def register(self, address: str, *, name: str = "Ada L.") -> str:
        response = await self.http.post(
            "/api/v1/users",
            json={"email": address, "password": PASSWORD, "display_name": name, "locale": "en"},
        )
        assert response.status_code == 201, response.text
        user_id: str = response.json()["id"]
        return user_id

    async def login(self, address: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
        return await self.http.post(
            "/api/v1/auth/login", json={"email": address, "password": password}, **kw
        )

    async def tokens(self, address: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.login(address, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def refresh(self, token: str) -> httpx.Response:
        return await self.http.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def start_membership(service_process: ServiceFactory, database: str) -> ServiceProcess:
    """A membership process with low limits, so the throttles are quick to reach."""
    return await service_process(
        "membership",
        database=database,
        env={
            "MEMBERSHIP_LOGIN_ACCOUNT_LIMIT": "3",
            "MEMBERSHIP_LOGIN_IP_LIMIT": "5",
            "MEMBERSHIP_TOKEN_REQUEST_ACCOUNT_LIMIT": "3",
        },
    )
