"""Problem details, health and the trace-id header, on an app with no infrastructure."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from pymongo.errors import ServerSelectionTimeoutError

from cerchia_chassis.http import service_app
from cerchia_chassis.problems import Problem
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.settings import ServiceSettings

pytestmark = pytest.mark.unit


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class FakeChassis:
    def __init__(self, mongo_ok: bool) -> None:
        self.mongo_ok = mongo_ok

    def readiness_checks(self) -> dict[str, object]:
        async def mongodb() -> bool:
            if not self.mongo_ok:
                raise ConnectionError("down")
            return True

        return {"mongodb": mongodb}


def build(mongo_ok: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = service_app(
        ServiceSettings(service_name="probe", log_json=False),
        title="probe",
        version="0",
        lifespan=lifespan,
    )
    app.state.chassis = FakeChassis(mongo_ok)

    @app.post("/things")
    async def create(body: Body) -> dict[str, str]:
        if body.name == "taken":
            raise Problem(409, "name-taken", "That name is taken.", name=body.name)
        if body.name == "boom":
            raise RuntimeError("secret internals")
        if body.name == "db-down":
            raise ServerSelectionTimeoutError("no servers at 127.0.0.1:1")
        return {"name": body.name}

    return app


async def call(app: FastAPI, method: str, path: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


async def test_domain_problem_is_problem_json_with_extensions() -> None:
    response = await call(build(), "POST", "/things", json={"name": "taken"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/name-taken")
    assert body["detail"] == "That name is taken."
    assert body["name"] == "taken"
    assert body["instance"] == "/things"


@pytest.mark.parametrize(
    "payload",
    [{"name": "a", "admin": True}, {}, "not json at all"],
    ids=["unknown-field", "missing-field", "malformed-json"],
)
async def test_invalid_body_is_422_problem_listing_errors(payload: object) -> None:
    kwargs = {"content": payload} if isinstance(payload, str) else {"json": payload}
    response = await call(
        build(), "POST", "/things", headers={"content-type": "application/json"}, **kwargs
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]


async def test_unexpected_error_is_500_problem_without_internals() -> None:
    response = await call(build(), "POST", "/things", json={"name": "boom"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


async def test_an_unreachable_database_is_503_with_retry_after() -> None:
    response = await call(build(), "POST", "/things", json={"name": "db-down"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/dependency-unavailable")
    assert "127.0.0.1" not in response.text


async def test_unknown_route_is_404_problem() -> None:
    response = await call(build(), "GET", "/nowhere")
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def test_ready_reports_each_dependency() -> None:
    healthy = await call(build(), "GET", "/health/ready")
    assert healthy.status_code == 200
    assert healthy.json()["checks"] == {"mongodb": "ok"}
    failing = await call(build(mongo_ok=False), "GET", "/health/ready")
    assert failing.status_code == 503
    assert failing.json()["checks"]["mongodb"] == "failing"
    assert (await call(build(mongo_ok=False), "GET", "/health/live")).status_code == 200


def test_readiness_asks_mongodb_not_kafka() -> None:
    # Writes wait in the outbox while Kafka is down: a broker outage must not take pods out.
    chassis = Chassis(ServiceSettings(service_name="probe", kafka_security_protocol="PLAINTEXT"))
    assert set(chassis.readiness_checks()) == {"mongodb"}


async def test_interactive_docs_are_served_without_any_cdn() -> None:
    page = await call(build(), "GET", "/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert "unpkg" not in page.text
    scripts = [part.split('"')[0] for part in page.text.split('src="')[1:]]
    assert scripts
    for script in scripts:
        assert script.startswith("/"), script
        assert (await call(build(), "GET", script)).status_code == 200


def test_the_openapi_document_describes_422_as_problem_json() -> None:
    document = build().openapi()
    documented = document["paths"]["/things"]["post"]["responses"]["422"]
    assert list(documented["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_an_unreachable_kafka_is_retried_while_the_outbox_waits() -> None:
    # Nothing listens on port 1: the start fails at once, is retried, and the relay publishes
    # nothing meanwhile (the outbox keeps the records for when the broker answers).
    chassis = Chassis(
        ServiceSettings(
            service_name="probe",
            kafka_bootstrap_servers="127.0.0.1:1",
            kafka_security_protocol="PLAINTEXT",
            kafka_reconnect_initial_s=0.05,
        )
    )
    assert not await chassis._try_start_broker()
    assert not await chassis._try_start_broker()  # a failed start leaves nothing half-open
    assert not chassis.broker.running
    assert await chassis._relay_when_connected() == 0
    retrying = asyncio.create_task(chassis._keep_starting_broker())
    await asyncio.sleep(0.3)
    assert not retrying.done()
    retrying.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await retrying
    await chassis.broker.stop()
