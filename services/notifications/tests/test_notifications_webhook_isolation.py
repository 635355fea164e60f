"""A tarpit webhook endpoint (it answers one byte every few seconds) does not hold up the emails
of the same event: webhooks are sent by a loop of their own, each call within a total deadline.
The notifications process on real Kafka, MongoDB and SMTP sink."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from cerchia_contracts.events import membership as m
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.ports import LOCALHOST, free_port
from cerchia_devstack.pytest_plugin import AuthKeys
from services.notifications.tests.community_world import World, mail, set_up, until

pytestmark = pytest.mark.integration

OPERATOR = "ops-isolation"
ENDPOINTS = 20  # more than one group of the sender (16 at once)
DEADLINE_S = 4.0


@dataclass
class Tarpit:
    """Takes the request, sends the status line and headers, then a byte every 2 s, and notes
    within 0.1 s when the caller drops the connection (a write alone would notice only at the
    next byte, up to 2 s late)."""

    url: str
    #: When each call was answered and when its connection was dropped.
    calls: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        index = len(self.calls)
        self.calls.append((datetime.now(UTC), None))
        await request.read()
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        try:
            while True:
                await response.write(b"x")
                for _ in range(20):
                    await asyncio.sleep(0.1)
                    if request.transport is None or request.transport.is_closing():
                        raise ConnectionError("the caller hung up")
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self.calls[index] = (self.calls[index][0], datetime.now(UTC))
        return response


@pytest.fixture
async def tarpit() -> AsyncIterator[Tarpit]:
    port = free_port()
    trap = Tarpit(f"http://{LOCALHOST}:{port}/hook")
    app = web.Application()
    app.router.add_post("/hook", trap.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, LOCALHOST, port).start()
    try:
        yield trap
    finally:
        await runner.cleanup()


@pytest.mark.timeout(420)  # a fresh process reads the shared topics from the start: see set_up
async def test_a_tarpit_webhook_does_not_delay_an_email_sent_alongside(
    start_notifications: Any,
    publish: Any,
    smtp_sink: MailSink,
    auth_keys: AuthKeys,
    tarpit: Tarpit,
) -> None:
    running = await start_notifications(
        env={
            "NOTIFICATIONS_OPERATOR_IDS": f'["{OPERATOR}"]',
            "NOTIFICATIONS_WEBHOOK_TIMEOUT_S": str(DEADLINE_S),
        }
    )
    service = running.client
    w = World()
    await set_up(w, publish, smtp_sink)

    async def owner_known() -> bool:  # communities are a topic of their own, read apart
        listed = await service.get(
            "/api/v1/webhooks", params={"community_id": w.community},
            headers=auth_keys.headers(w.owner),
        )  # fmt: skip
        return listed.status_code == 200

    await until(owner_known, timeout=60)
    for _ in range(ENDPOINTS):
        created = await service.post(
            "/api/v1/webhooks",
            json={
                "community_id": w.community,
                "url": tarpit.url,
                "event_types": [m.ApplicationSubmittedV1.event_type()],
            },
            headers=auth_keys.headers(w.owner),
        )
        assert created.status_code == 201, created.text

    # A first application sets the webhooks' calls going; the measured one comes while the
    # tarpit holds them open.
    await publish(w.applied())

    async def held() -> bool:
        return any(closed is None for _, closed in tarpit.calls)

    await until(held, timeout=60)
    application = w.applied()
    await publish(application)
    await smtp_sink.wait_for(mail(w.emails[w.owner], "New application to Lettori"), timeout=60)
    await smtp_sink.wait_for(mail(w.emails[w.moderator], "Nuova candidatura a Lettori"), timeout=60)

    async def logged() -> list[dict[str, Any]] | None:
        answer = await service.get(
            "/api/v1/notifications/deliveries",
            params={"event_id": application.id, "limit": 100},
            headers=auth_keys.headers(OPERATOR),
        )
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        emails = [i for i in items if i["channel"] == "email"]
        done = len(emails) == 2 and all(i["status"] == "sent" for i in emails)
        return items if done else None

    items = await until(logged, timeout=30)
    emails = [i for i in items if i["channel"] == "email"]
    hooks = [i for i in items if i["channel"] == "webhook"]
    assert len(hooks) == ENDPOINTS
    for email in emails:
        created = datetime.fromisoformat(email["created_at"])
        sent = datetime.fromisoformat(email["sent_at"])
        assert (sent - created).total_seconds() <= 1.0, email
        # The tarpit was holding webhook calls open while the email went out.
        assert any(
            opened <= sent and (closed is None or closed > sent) for opened, closed in tarpit.calls
        ), (sent, tarpit.calls)

    # Each tarpit call is cut at the deadline, though a byte arrives every 2 s (httpx's
    # per-read timeout alone would wait for ever). Retries come later (backoff); the first
    # attempts are the ones measured.
    async def cut() -> bool:
        first = tarpit.calls[:ENDPOINTS]
        return len(first) == ENDPOINTS and all(c is not None for _, c in first)

    await until(cut, timeout=60)
    for opened, closed in tarpit.calls[:ENDPOINTS]:
        assert closed is not None
        assert (closed - opened).total_seconds() < DEADLINE_S + 1.5, (opened, closed)
