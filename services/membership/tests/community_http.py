"""What the HTTP tests of communities share: one client per user, a topic reader, problems."""

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import AnyEvent, Topic
from cerchia_devstack.pytest_plugin import AuthKeys
from services.membership.tests.verified_people import verified_people

JOIN = {"code_of_conduct_version": 1}
CODE = "Be kind, be constructive, no recruiting spam."


def new_user() -> str:
    return str(uuid.uuid4())


def community_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Python a Bologna",
        "slug": f"py-{uuid.uuid4().hex[:10]}",
        "purpose": "Grow as Python developers by reviewing each other's code.",
        "audience": "Developers around Bologna.",
        "tags": ["Python", "code review", "python"],
        "language": "it",
        "code_of_conduct": CODE,
    }
    body.update(overrides)
    return body


class Api:
    """One HTTP client per user, all against the same membership process."""

    def __init__(self, client: httpx.AsyncClient, keys: AuthKeys, access: KafkaAccess) -> None:
        self.client = client
        self.keys = keys
        self.access = access

    async def people(self, count: int, *, emails: Sequence[str] = ()) -> list[str]:
        """``count`` people with verified accounts (founding and admission need one), the
        first ones at ``emails``."""
        return await verified_people(self.client, self.access, self.keys, count, emails=emails)

    async def call(self, method: str, path: str, user: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.keys.headers(user), **kwargs)

    async def create(self, owner: str, **overrides: Any) -> dict[str, Any]:
        response = await self.call(
            "POST", "/api/v1/communities", owner, json=community_body(**overrides)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


async def read_topic(
    access: KafkaAccess,
    topic: Topic,
    subject: str,
    done: Callable[[list[AnyEvent]], bool],
    timeout: float = 30.0,
) -> list[AnyEvent]:
    consumer = AIOKafkaConsumer(
        topic.name,
        **access.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    events: list[AnyEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(events):
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        event = topic.decode(record.value)
                        if event.subject == subject:
                            events.append(event)
    finally:
        await consumer.stop()
    return events


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/" + code), response.text
