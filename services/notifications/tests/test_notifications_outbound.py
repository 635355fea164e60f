"""The push and webhook senders against HTTP servers on loopback: no redirect is followed, no
private address is reached (checked at the connection, not only before it), and a webhook
endpoint that trickles its answer or never ends it costs one bounded attempt."""

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from cerchia_devstack.ports import LOCALHOST, free_port
from notifications.adapters.push import WebPushSender
from notifications.adapters.url_guard import NetworkUrlGuard
from notifications.adapters.webhook_sender import WebhookSender, pinned_transport
from notifications.domain.categories import Category
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    Failure,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifications.domain.push_endpoints import PushEndpointPolicy
from notifications.domain.webhooks import WebhookSubscription
from notifications.service.ports import PushSubscription
from services.notifications.tests.memory import World

# Loopback servers in this process only: no infrastructure (like the gateway's app tests).
pytestmark = pytest.mark.unit


@dataclass
class Server:
    """Loopback endpoints: a push service that takes messages, one that redirects, webhook
    receivers that answer at once, never stop answering, or trickle one byte at a time."""

    port: int
    hits: dict[str, int] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)
    tarpit_closed: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str, host: str = LOCALHOST) -> str:
        return f"http://{host}:{self.port}{path}"

    def _hit(self, request: web.Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        self.hosts.append(request.headers.get("Host", ""))

    async def take(self, request: web.Request) -> web.Response:
        self._hit(request)
        await request.read()
        return web.Response(status=201)

    async def redirect(self, request: web.Request) -> web.Response:
        self._hit(request)
        return web.Response(status=307, headers={"Location": "/push/ok"})

    async def endless(self, request: web.Request) -> web.StreamResponse:
        self._hit(request)
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        chunk = b"x" * 65_536
        try:
            while True:
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def tarpit(self, request: web.Request) -> web.StreamResponse:
        # Headers at once, then one byte every 0.3 s: no single read ever waits long.
        self._hit(request)
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        try:
            while True:
                await response.write(b"x")
                await asyncio.sleep(0.3)
        except (ConnectionError, RuntimeError):
            self.tarpit_closed.set()
        return response


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served = Server(free_port())
    app = web.Application()
    app.router.add_post("/push/ok", served.take)
    app.router.add_post("/push/redirect", served.redirect)
    app.router.add_post("/hook/ok", served.take)
    app.router.add_post("/hook/endless", served.endless)
    app.router.add_post("/hook/tarpit", served.tarpit)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, LOCALHOST, served.port).start()
    try:
        yield served
    finally:
        await runner.cleanup()


class _Keys:
    def __init__(self) -> None:
        self.vapid = Vapid()
        self.vapid.generate_keys()

    async def get(self) -> Vapid:
        return self.vapid


def _browser(endpoint: str) -> PushSubscription:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return PushSubscription(endpoint, b64(point), b64(os.urandom(16)))


def _delivery(channel: Channel, recipient: str) -> Delivery:
    return Delivery(
        key=f"ev-1:{recipient}:{channel.value}",
        event_id="ev-1",
        recipient_id=recipient,
        channel=channel,
        template="thread_created",
        locale="en",
        address="",
        context={"title": "t", "body": "b", "link": "/", "payload": '{"id": "ev-1"}'},
        created_at=datetime.now(UTC),
        category=Category.DISCUSSIONS if channel is Channel.PUSH else None,
    )


def _pusher(world: World, *, allow_private: bool) -> WebPushSender:
    return WebPushSender(
        keys=_Keys(),  # type: ignore[arg-type]
        subject="mailto:ops@cerchia.example",
        devices=world.push,
        base_url="https://cerchia.example",
        ttl_s=60,
        endpoints=PushEndpointPolicy(hosts=(LOCALHOST, "localhost"), allow_http=True),
        guard=NetworkUrlGuard(allow_private=allow_private),
        timeout_s=5,
    )


async def test_a_push_service_that_redirects_is_not_followed(server: Server) -> None:
    world = World()
    world.store.browsers["ada"] = [_browser(server.url("/push/redirect"))]
    sender = _pusher(world, allow_private=True)
    try:
        with pytest.raises(PermanentDeliveryError, match="307") as refused:
            await sender.send(_delivery(Channel.PUSH, "ada"))
    finally:
        await sender.close()
    assert refused.value.failure is Failure.REJECTED
    assert server.hits == {"/push/redirect": 1}  # the redirect's target was never called


async def test_a_push_to_a_private_address_is_refused_by_literal_and_by_name(
    server: Server,
) -> None:
    world = World()
    world.store.browsers["ada"] = [
        _browser(server.url("/push/ok")),
        _browser(server.url("/push/ok", host="localhost")),
    ]
    sender = _pusher(world, allow_private=False)
    try:
        with pytest.raises(PermanentDeliveryError, match="non-public address") as refused:
            await sender.send(_delivery(Channel.PUSH, "ada"))
    finally:
        await sender.close()
    assert refused.value.failure is Failure.REJECTED
    assert server.hits == {}
    # The same browsers are taken when the local-development switch allows loopback.
    allowed = _pusher(world, allow_private=True)
    try:
        await allowed.send(_delivery(Channel.PUSH, "ada"))
    finally:
        await allowed.close()
    assert server.hits == {"/push/ok": 2}


class _Outcomes:
    def __init__(self) -> None:
        self.calls: list[bool] = []

    async def record(self, subscription: WebhookSubscription, *, ok: bool) -> None:
        self.calls.append(ok)


class _PassingGuard(NetworkUrlGuard):
    """A check made when the name still pointed outside (what DNS rebinding exploits)."""

    async def check(self, url: str) -> None:
        return None


def _hooked(world: World, url: str) -> None:
    world.store.webhooks["wh-1"] = WebhookSubscription(
        id="wh-1",
        community_id="c",
        owner_id="olga",
        url=url,
        event_types=(),
        secret="whsec_" + base64.b64encode(os.urandom(32)).decode(),
        created_at=datetime.now(UTC),
    )


def _hook_sender(world: World, guard: NetworkUrlGuard, *, timeout_s: float = 5) -> WebhookSender:
    return WebhookSender(
        registry=world.webhooks,
        guard=guard,
        outcomes=_Outcomes(),
        timeout_s=timeout_s,
        max_response_bytes=1024,
    )


async def test_a_tarpit_endpoint_gets_one_bounded_attempt(server: Server) -> None:
    world = World()
    _hooked(world, server.url("/hook/tarpit"))
    sender = _hook_sender(world, NetworkUrlGuard(allow_private=True), timeout_s=1.5)
    started = time.monotonic()
    try:
        # A byte every 0.3 s never trips a per-read timeout; the deadline is for the whole call.
        with pytest.raises(TransientDeliveryError, match="timed out") as slow:
            await sender.send(_delivery(Channel.WEBHOOK, "wh-1"))
    finally:
        await sender.close()
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5, elapsed
    assert slow.value.failure is Failure.UNREACHABLE
    async with asyncio.timeout(3):
        await server.tarpit_closed.wait()  # the connection was dropped, not left open


async def test_an_endless_answer_is_read_up_to_the_cap(server: Server) -> None:
    world = World()
    _hooked(world, server.url("/hook/endless"))
    sender = _hook_sender(world, NetworkUrlGuard(allow_private=True), timeout_s=5)
    started = time.monotonic()
    try:
        await sender.send(_delivery(Channel.WEBHOOK, "wh-1"))  # a 200: delivered
    finally:
        await sender.close()
    assert time.monotonic() - started < 2


async def test_a_webhook_connects_only_to_the_address_it_checked(server: Server) -> None:
    world = World()
    _hooked(world, server.url("/hook/ok", host="localhost"))
    # The check before the call passed, but the name resolves to loopback when connecting:
    # the connection is refused, nothing reaches the endpoint.
    rebound = _hook_sender(world, _PassingGuard(allow_private=False))
    try:
        with pytest.raises(TransientDeliveryError, match="non-public address"):
            await rebound.send(_delivery(Channel.WEBHOOK, "wh-1"))
    finally:
        await rebound.close()
    assert server.hits == {}

    # Allowed, the call goes to the address resolved once, under the URL's own Host.
    allowed = _hook_sender(world, NetworkUrlGuard(allow_private=True))
    try:
        await allowed.send(_delivery(Channel.WEBHOOK, "wh-1"))
    finally:
        await allowed.close()
    assert server.hits == {"/hook/ok": 1}
    assert server.hosts == [f"localhost:{server.port}"]


async def test_the_pinned_transport_refuses_private_addresses(
    server: Server,
) -> None:
    async with httpx.AsyncClient(transport=pinned_transport(allow_private=False)) as client:
        with pytest.raises(httpx.ConnectError, match="non-public address"):
            await client.post(server.url("/hook/ok"))
    assert server.hits == {}
