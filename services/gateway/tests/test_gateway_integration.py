"""The gateway as a process in front of real membership and notifications processes, and of a
local HTTP server standing in for content and events (slow, broken, streaming on demand)."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.trace_backend import TraceBackend

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class FakeUpstream:
    """A bare HTTP/1.1 server: answers what a test needs and records what reached it."""

    OPENAPI: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "content", "version": "1"},
        "paths": {"/api/v1/threads/{thread_id}": {"get": {"responses": {"200": {}}}}},
    }

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.release = asyncio.Event()
        self._never = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.target.split("?")[0] == path]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                seen = Seen(method, target, headers, body)
                self.seen.append(seen)
                if not await self._answer(seen, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _answer(self, seen: Seen, writer: asyncio.StreamWriter) -> bool:
        path = seen.target.split("?")[0]
        if path == "/api/v1/threads/slow":
            await self._never.wait()
        if path == "/api/v1/threads/broken":
            writer.write(b"this is not HTTP\r\n\r\n")
            await writer.drain()
            return False
        if path == "/api/v1/events/live":
            await self._events(seen, writer)
            return False
        if path == "/api/v1/calendars/feed.ics":
            self._reply(writer, 200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
            return True
        if path == "/health/ready":
            self._reply(writer, 200, b'{"status":"ok"}')
        elif path == "/openapi.json":
            self._reply(writer, 200, json.dumps(self.OPENAPI).encode())
        elif path == "/api/v1/threads/echo":
            echo = {"method": seen.method, "target": seen.target, "headers": seen.headers}
            self._reply(writer, 200, json.dumps(echo).encode())
        else:
            self._reply(writer, 404, b'{"detail":"no"}')
        await writer.drain()
        return True

    @staticmethod
    def _reply(
        writer: asyncio.StreamWriter, status: int, body: bytes, kind: str = "application/json"
    ) -> None:
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\nX-Upstream: fake\r\n\r\n".encode()
            + body
        )

    async def _events(self, seen: Seen, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        start = int(seen.headers.get("last-event-id", "0")) + 1
        for number in range(start, 4):
            if number == 2:
                # The second event waits for the test to have read the first one: a buffering
                # gateway would never hand the first one over.
                await self.release.wait()
            event = f"id: {number}\nevent: tick\ndata: event {number}\n\n".encode()
            writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()


@dataclass
class Stack:
    gateway: ServiceProcess
    membership: ServiceProcess
    notifications: ServiceProcess
    fake: FakeUpstream
    keys: AuthKeys

    def client(self, ip: str | None = None) -> httpx.AsyncClient:
        """A client of the gateway, from its own address (uvicorn trusts local proxies)."""
        ip = ip or f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
        return httpx.AsyncClient(
            base_url=self.gateway.url, timeout=30, headers={"X-Forwarded-For": ip}
        )


@pytest.fixture(scope="module")
async def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    kafka: KafkaCluster,
    mongo_uri: str,
) -> AsyncIterator[Stack]:
    # One stack for the module (each process takes seconds to start); tracing=True asks for
    # the session's trace backend.
    workdir = tmp_path_factory.mktemp("gateway")
    factory = ServiceFactory(request, workdir, kafka, mongo_uri)
    fake = FakeUpstream()
    await fake.start()
    suffix = uuid.uuid4().hex[:8]
    try:
        membership, notifications = await asyncio.gather(
            factory("membership", database=f"membership_{suffix}", tracing=True),
            factory(
                "notifications",
                database=f"notifications_{suffix}",
                tracing=True,
                env={"NOTIFICATIONS_STREAM_PING_S": "1"},
            ),
        )
        gateway = await factory(
            "gateway",
            tracing=True,
            env={
                "GATEWAY_MEMBERSHIP_URL": membership.url,
                "GATEWAY_NOTIFICATIONS_URL": notifications.url,
                "GATEWAY_CONTENT_URL": fake.url,
                "GATEWAY_EVENTS_URL": fake.url,
                "GATEWAY_UPSTREAM_READ_TIMEOUT_S": "3",
                "GATEWAY_MAX_BODY_BYTES": "65536",
                "GATEWAY_RATE_LIMIT_PER_IP": "40/3 seconds",
                "GATEWAY_DOCS_CACHE_TTL_S": "0",
            },
        )
        yield Stack(gateway, membership, notifications, fake, request.getfixturevalue("auth_keys"))
    finally:
        factory.close()
        await fake.stop()


async def register_and_log_in(client: httpx.AsyncClient) -> tuple[str, str]:
    email = f"ada-{uuid.uuid4().hex[:10]}@example.org"
    registered = await client.post(
        "/api/v1/users",
        json={"email": email, "password": PASSWORD, "display_name": "Ada L.", "locale": "en"},
    )
    assert registered.status_code == 201, registered.text
    logged_in = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert logged_in.status_code == 200, logged_in.text
    return registered.json()["id"], logged_in.json()["access_token"]


async def test_requests_reach_their_service_with_the_gateways_headers(stack: Stack) -> None:
    async with stack.client("198.51.100.23") as client:
        user_id, access = await register_and_log_in(client)
        auth = {"Authorization": f"Bearer {access}"}
        me = await client.get("/api/v1/users/me", headers=auth)
        assert me.status_code == 200, me.text
        assert me.json()["id"] == user_id
        jwks = await client.get("/.well-known/jwks.json")
        assert jwks.json()["keys"][0]["kid"] == stack.keys.key.kid

        echoed = await client.get(
            "/api/v1/threads/echo?sort=new", headers={**auth, "X-Request-ID": "trace-me-1"}
        )
    assert echoed.status_code == 200
    assert echoed.headers["x-upstream"] == "fake"
    assert echoed.headers["x-request-id"] == "trace-me-1"
    seen = echoed.json()
    assert seen["target"] == "/api/v1/threads/echo?sort=new"
    assert seen["headers"]["authorization"] == f"Bearer {access}"
    assert seen["headers"]["x-forwarded-for"] == "198.51.100.23"
    assert seen["headers"]["x-request-id"] == "trace-me-1"
    trace_id = echoed.headers["x-trace-id"]
    assert seen["headers"]["traceparent"].split("-")[1] == trace_id


async def test_a_bad_token_is_refused_at_the_gateway(stack: Stack) -> None:
    before = len(stack.fake.hits("/api/v1/threads/echo"))
    forged = stack.keys.key.sign_access_token("u-1", issuer="cerchia-membership", audience="x")
    async with stack.client() as client:
        response = await client.get(
            "/api/v1/threads/echo", headers={"Authorization": f"Bearer {forged}"}
        )
    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-token")
    assert len(stack.fake.hits("/api/v1/threads/echo")) == before


async def test_rate_limited_with_retry_after_then_recovers(stack: Stack) -> None:
    async with stack.client() as client:
        statuses = [(await client.get("/api/v1/threads/echo")).status_code for _ in range(41)]
        assert statuses[:40] == [401] * 40
        refused = await client.get("/api/v1/threads/echo")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 3
        deadline = time.monotonic() + retry_after + 3
        while (await client.get("/api/v1/threads/echo")).status_code == 429:
            assert time.monotonic() < deadline, "still limited after Retry-After"
            await asyncio.sleep(0.25)


async def test_a_body_over_the_limit_never_reaches_the_service(stack: Stack) -> None:
    token = stack.keys.token("u-big")
    async with stack.client() as client:
        response = await client.post(
            "/api/v1/threads/echo",
            content=b"x" * 70_000,
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
    assert not [s for s in stack.fake.hits("/api/v1/threads/echo") if s.method == "POST"]


async def test_upstream_failures_are_clear_problems_and_never_hang(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {stack.keys.token('u-fail')}"}
    async with stack.client() as client:
        started = time.monotonic()
        slow = await client.get("/api/v1/threads/slow", headers=auth)
        assert slow.status_code == 504
        assert slow.json()["type"].endswith("/upstream-timeout")
        assert time.monotonic() - started < 10
        assert len(stack.fake.hits("/api/v1/threads/slow")) == 1  # a timeout is not retried

        broken = await client.get("/api/v1/threads/broken", headers=auth)
        assert broken.status_code == 502
        assert broken.headers["content-type"] == "application/problem+json"
        assert broken.json()["upstream"] == "content"
        assert len(stack.fake.hits("/api/v1/threads/broken")) == 3  # idempotent: 2 retries

        posted = await client.post("/api/v1/threads/broken", json={}, headers=auth)
        assert posted.status_code == 502
        assert len(stack.fake.hits("/api/v1/threads/broken")) == 4  # not idempotent: once
        assert "Traceback" not in broken.text + posted.text + slow.text


async def test_event_streams_pass_through_as_they_are_written_and_resume(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {stack.keys.token('u-sse')}", "Accept": "text/event-stream"}
    stack.fake.release.clear()
    async with (
        stack.client() as client,
        client.stream("GET", "/api/v1/events/live", headers=auth) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        lines = response.aiter_lines()
        assert await asyncio.wait_for(anext(lines), 10) == "id: 1"
        assert await anext(lines) == "event: tick"
        assert await anext(lines) == "data: event 1"
        stack.fake.release.set()
        rest = [line async for line in lines]
    assert "id: 2" in rest
    assert "data: event 3" in rest

    async with (
        stack.client() as client,
        client.stream(
            "GET", "/api/v1/events/live", headers={**auth, "Last-Event-ID": "2"}
        ) as resumed,
    ):
        ids = [line async for line in resumed.aiter_lines() if line.startswith("id:")]
    assert ids == ["id: 3"]
    assert stack.fake.hits("/api/v1/events/live")[-1].headers["last-event-id"] == "2"

    async with stack.client() as client:
        calendar = await client.get("/api/v1/calendars/feed.ics")  # public: a feed token
    assert calendar.status_code == 200
    assert calendar.headers["content-type"] == "text/calendar"
    assert calendar.text.startswith("BEGIN:VCALENDAR")


async def test_the_realtime_stream_relays_the_notifications_service(stack: Stack) -> None:
    token = stack.keys.token(str(uuid.uuid4()))
    async with (
        stack.client() as client,
        client.stream(
            "GET", "/api/v1/stream", headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        # The service's keep-alive comment arrives through the gateway as it is written.
        async with asyncio.timeout(15):
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    break
    async with stack.client() as client:
        anonymous = await client.get("/api/v1/stream")
    assert anonymous.status_code == 401


async def test_me_combines_the_services_and_reports_the_missing_parts(stack: Stack) -> None:
    async with stack.client() as client:
        user_id, access = await register_and_log_in(client)
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == user_id
    assert body["profile"]["display_name"] == "Ada L."
    assert body["unread_notifications"] == 0
    # The stand-in for events does not know the path: reported, not fatal.
    missing = {w["part"]: w for w in body["warnings"]}
    assert body["upcoming_events"] is None
    assert missing["upcoming_events"]["upstream"] == "events"
    assert "profile" not in missing
    assert "unread_notifications" not in missing


async def test_docs_merge_the_services_and_load_nothing_from_elsewhere(stack: Stack) -> None:
    wanted = (
        "/api/v1/auth/login",
        "/api/v1/notifications/unread-count",
        "/api/v1/threads/{thread_id}",  # from the stand-in for content
    )
    async with stack.client() as client:
        # A service too slow to hand over its document in time (a busy machine) is left out
        # of that answer and asked again a few seconds later, as a client would see it.
        deadline = time.monotonic() + 60
        while True:
            openapi = (await client.get("/openapi.json")).json()
            if all(path in openapi["paths"] for path in wanted) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        page = await client.get("/docs")
        events_page = await client.get("/docs/asyncapi")
        asyncapi = (await client.get("/asyncapi.json")).json()
    paths = openapi["paths"]
    assert [path for path in wanted if path not in paths] == []
    assert "/api/v1/me" in paths
    assert not [p for p in paths if p.startswith("/health")]
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert paths["/api/v1/notifications/unread-count"]["get"]["security"] == [{"bearerAuth": []}]
    assert openapi["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for html in (page.text, events_page.text):
        assert "http://" not in html
        assert "https://" not in html
    assert asyncapi["asyncapi"] == "3.0.0"


async def test_one_trace_runs_from_the_gateway_into_the_service(
    stack: Stack, trace_backend: TraceBackend
) -> None:
    async with stack.client() as client:
        response = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {stack.keys.token('u-t')}"}
        )
    assert response.status_code in (200, 404)
    trace_id = response.headers["x-trace-id"]

    def connected(spans: list[dict[str, Any]]) -> bool:
        seen = {(s["localEndpoint"]["serviceName"], s.get("kind")) for s in spans}
        return {("gateway", "SERVER"), ("gateway", "CLIENT"), ("membership", "SERVER")} <= seen

    spans = await trace_backend.wait_for_trace(trace_id, connected, timeout=30)
    assert {s["traceId"] for s in spans} == {trace_id}


async def test_a_service_killed_mid_test_gives_503_then_recovers(stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {stack.keys.token('u-kill')}"}
    async with stack.client() as client:
        ready = await client.get("/health/ready")
        assert ready.json()["checks"] == {
            "membership": "ok",
            "content": "ok",
            "events": "ok",
            "notifications": "ok",
        }
        stack.membership.kill()
        down = await client.get("/api/v1/users/me", headers=auth)
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        assert down.json()["type"].endswith("/upstream-unavailable")
        assert down.headers["retry-after"]
        not_ready = await client.get("/health/ready")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["membership"] == "failing"
        partial = await client.get("/api/v1/me", headers=auth)
        assert partial.status_code == 200
        assert {"profile", "communities"} <= {w["part"] for w in partial.json()["warnings"]}

        await stack.membership.restart()
        back = await client.get("/.well-known/jwks.json")
        assert back.status_code == 200
        assert (await client.get("/health/ready")).status_code == 200
