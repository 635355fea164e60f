"""Exports on the real membership process: a contributor that never answers makes the export
partial at the deadline, named as missing, and erasure takes the exports with the account."""

import asyncio
import io
import json
import time
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.catalog import MEMBERSHIP_EXPORTS
from cerchia_contracts.events.exports import ExportReadyV1, ExportRequestedV1
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import ServiceFactory
from services.membership.tests.account_http import (
    PASSWORD,
    Api,
    bearer,
    email,
    events,
    has,
    problem,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> str:
    return f"membership_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(service_process: ServiceFactory, database: str) -> AsyncIterator[Api]:
    # "ghost" is a contributor no process plays: it never answers, whatever else runs on the
    # shared Kafka (the real contributors of other tests' stacks are not waited for here).
    membership = await service_process(
        "membership",
        database=database,
        env={
            "MEMBERSHIP_EXPORT_WAIT": "PT3S",
            "MEMBERSHIP_EXPORT_CONTRIBUTORS": '["ghost"]',
            "MEMBERSHIP_EXPORT_SWEEP_INTERVAL_S": "0.5",
        },
    )
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        yield Api(client)


@pytest.fixture
async def mongo(mongo_uri: str, database: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    yield client[database]
    await client.close()


async def test_a_contributor_that_never_answers_makes_the_export_partial(
    api: Api, kafka: KafkaCluster, mongo: Any
) -> None:
    address = email()
    user_id = await api.register(address)
    headers = bearer((await api.tokens(address))["access_token"])
    http = api.http

    started = await http.post("/api/v1/me/exports", headers=headers)
    assert started.status_code == 202, started.text
    export = started.json()
    export_id = export["id"]
    assert export["status"] == "pending"
    assert export["contributed"] == ["membership"]
    assert export["missing"] == ["ghost"]
    assert export["archive_url"] is None
    same = await http.post("/api/v1/me/exports", headers=headers)
    assert same.json()["id"] == export_id
    archive_url = f"/api/v1/me/exports/{export_id}/archive"
    problem(await http.get(archive_url, headers=headers), 409, "export-not-ready")

    requested = await events(kafka.admin, MEMBERSHIP_EXPORTS, user_id, has(ExportRequestedV1))
    assert isinstance(requested[0], ExportRequestedV1)
    assert requested[0].data.export_id == export_id

    deadline = time.monotonic() + 30
    while export["status"] == "pending":
        assert time.monotonic() < deadline, export
        await asyncio.sleep(0.3)
        export = (await http.get(f"/api/v1/me/exports/{export_id}", headers=headers)).json()
    assert export["status"] == "partial"
    assert export["missing"] == ["ghost"]
    assert export["archive_url"] == archive_url

    ready = await events(kafka.admin, MEMBERSHIP_EXPORTS, user_id, has(ExportReadyV1))
    announced = [e for e in ready if isinstance(e, ExportReadyV1)][-1]
    assert announced.data.status == "partial"
    assert announced.data.missing == ("ghost",)

    downloaded = await http.get(archive_url, headers=headers)
    assert downloaded.status_code == 200, downloaded.text
    with zipfile.ZipFile(io.BytesIO(downloaded.content)) as archive:
        root = f"cerchia-export-{export_id}/"
        manifest = json.loads(archive.read(root + "export.json"))
        readme = archive.read(root + "README.md").decode()
        account = json.loads(archive.read(root + "membership/account.json"))
    assert manifest["status"] == "partial"
    assert manifest["missing"] == ["ghost"]
    assert "Incomplete" in readme
    assert "`ghost`" in readme
    assert account[0]["email"] == address

    # Erasure takes the exports and their parts with the account.
    gone = await http.request(
        "DELETE", "/api/v1/users/me", json={"password": PASSWORD}, headers=headers
    )
    assert gone.status_code == 204
    assert await mongo["exports"].count_documents({"user_id": user_id}) == 0
    assert await mongo["export_parts"].count_documents({"export_id": export_id}) == 0
