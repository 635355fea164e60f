"""Fixtures of the notifications tests: a push service and a webhook receiver on loopback, and a
Kafka producer publishing contract events the way the outbox relay does."""

import base64
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import http_ece
import httpx
import jwt
import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from standardwebhooks.webhooks import Webhook

from cerchia_contracts.catalog import AnyEvent, topic_of
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.ports import free_port
from cerchia_devstack.pytest_plugin import ServiceFactory
from cerchia_devstack.service_process import ServiceProcess


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="session")
def vapid_private_key() -> str:
    """A VAPID key as settings take it (base64url raw scalar)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@dataclass
class Browser:
    """A browser's push subscription keys (what ``pushManager.subscribe`` creates)."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict[str, Any]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


@dataclass
class PushService:
    """A push service that checks the VAPID JWT and decrypts what it relays (RFC 8291/8292)."""

    base: str
    browsers: dict[str, Browser] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    received: list[dict[str, Any]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)

    def browser(self, *, gone: bool = False) -> Browser:
        name = uuid.uuid4().hex
        browser = Browser(f"{self.base}/push/{name}")
        self.browsers[name] = browser
        if gone:
            self.gone.add(name)
        return browser

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.hits[name] = self.hits.get(name, 0) + 1
        if name in self.gone:
            return web.Response(status=410)
        scheme, _, params = request.headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(p.split("=", 1) for p in params.split(","))
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(parts["k"])
        )
        claims = jwt.decode(parts["t"], public, algorithms=["ES256"], audience=self.base)
        browser = self.browsers[name]
        body = http_ece.decrypt(
            await request.read(),
            private_key=browser.key,
            auth_secret=browser.auth,
            version=request.headers["Content-Encoding"],
        )
        self.received.append(
            {
                "browser": name,
                "payload": json.loads(body),
                "claims": claims,
                "vapid_key": parts["k"],
                "ttl": request.headers["TTL"],
                "urgency": request.headers.get("Urgency"),
            }
        )
        return web.Response(status=201)


@dataclass
class WebhookReceiver:
    """An integrator's endpoint that verifies Standard Webhooks signatures."""

    url: str
    secret: str | None = None
    verified: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    #: While set, every call is answered with this status (an integrator's outage).
    fail_with: int | None = None
    failures: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_with is not None:
            self.failures += 1
            return web.Response(status=self.fail_with)
        body = await request.read()
        assert self.secret is not None
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except Exception:
            self.rejected += 1
            return web.Response(status=401)
        self.verified.append({"id": request.headers["webhook-id"], "event": payload})
        return web.Response(status=204)


@pytest.fixture
async def endpoints() -> AsyncIterator[tuple[PushService, WebhookReceiver]]:
    """A push service and a webhook receiver on a loopback port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    push = PushService(base)
    hook = WebhookReceiver(f"{base}/hook")
    app = web.Application()
    app.router.add_post("/push/{name}", push.handle)
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield push, hook
    finally:
        await runner.cleanup()


Publish = Callable[..., Awaitable[None]]


@pytest.fixture
async def publish(kafka: KafkaCluster) -> AsyncIterator[Publish]:
    """``await publish(*events)``: contract events onto their catalog topics (acks=all)."""
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs(), acks="all", enable_idempotence=True)
    await producer.start()

    async def send(*events: AnyEvent) -> None:
        await _publish(producer, *events)

    yield send
    await producer.stop()


async def _publish(producer: AIOKafkaProducer, *events: AnyEvent) -> None:
    for event in events:
        await producer.send_and_wait(
            topic_of(event).name,
            value=event.model_dump_json().encode(),
            key=(event.subject or "").encode(),
            headers=[("content-type", b"application/cloudevents+json")],
        )


@dataclass
class Notifications:
    """A running notifications process and a client on its URL."""

    client: httpx.AsyncClient
    process: ServiceProcess
    database: str


Start = Callable[..., Awaitable[Notifications]]


@pytest.fixture
async def start_notifications(
    service_process: ServiceFactory, vapid_private_key: str
) -> AsyncIterator[Start]:
    """``await start_notifications(env={...})``: the notifications process, its links pointing
    at itself, loopback webhooks allowed, a fast sender; ``vapid=False`` leaves the key unset."""
    clients: list[httpx.AsyncClient] = []

    async def start(env: dict[str, str] | None = None, *, vapid: bool = True) -> Notifications:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        database = f"notifications_{uuid.uuid4().hex[:8]}"
        settings = {
            "NOTIFICATIONS_PUBLIC_BASE_URL": base,
            "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            # The test push service runs on loopback over plain http.
            "NOTIFICATIONS_PUSH_ALLOW_PRIVATE_NETWORKS": "true",
            "NOTIFICATIONS_PUSH_SERVICE_HOSTS": '["127.0.0.1"]',
            "NOTIFICATIONS_DISPATCH_POLL_INTERVAL_S": "0.5",
            **({"NOTIFICATIONS_VAPID_PRIVATE_KEY": vapid_private_key} if vapid else {}),
            **(env or {}),
        }
        process = await service_process("notifications", database=database, port=port, env=settings)
        client = httpx.AsyncClient(base_url=base, timeout=30)
        clients.append(client)
        return Notifications(client=client, process=process, database=database)

    yield start
    for client in clients:
        await client.aclose()
