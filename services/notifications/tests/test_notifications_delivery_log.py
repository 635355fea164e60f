"""The delivery log tells the truth: a push to gone browsers failed, and digests and webhook
deliveries carry their own category."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from py_vapid import Vapid
from pywebpush import WebPushException

from notifications.adapters import push as push_adapter
from notifications.adapters.push import WebPushSender
from notifications.adapters.url_guard import NetworkUrlGuard
from notifications.domain.categories import Category
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    Failure,
    PermanentDeliveryError,
    PushAnswer,
    TransientDeliveryError,
    settle_push,
)
from notifications.domain.push_endpoints import PushEndpointPolicy
from notifications.domain.webhooks import WebhookSubscription
from notifications.service.digests import digest_email
from notifications.service.events import handle_event
from notifications.service.ports import Contact, DigestEntry, DueDigest, PushSubscription
from services.notifications.tests.memory import NOW, World
from services.notifications.tests.test_notifications_fanout import community, joined

pytestmark = pytest.mark.unit

DELIVERED = (PushAnswer.DELIVERED, "")
GONE = (PushAnswer.GONE, "subscription gone (410), removed")
RETRY = (PushAnswer.RETRY, "push service answered 503")


def test_a_push_is_sent_only_when_a_browser_took_it_and_none_asks_for_a_retry() -> None:
    settle_push([DELIVERED, GONE])
    with pytest.raises(PermanentDeliveryError, match="subscription gone"):
        settle_push([GONE, GONE])
    with pytest.raises(PermanentDeliveryError, match="refused"):
        settle_push([(PushAnswer.REFUSED, "push service refused the message (400)")])
    with pytest.raises(TransientDeliveryError, match="503"):
        settle_push([DELIVERED, RETRY, GONE])
    with pytest.raises(PermanentDeliveryError, match="no push subscription"):
        settle_push([])


class _Keys:
    def __init__(self) -> None:
        self.vapid = Vapid()
        self.vapid.generate_keys()

    async def get(self) -> Vapid:
        return self.vapid


def _push_delivery() -> Delivery:
    return Delivery(
        key="ev-1:ada:push",
        event_id="ev-1",
        recipient_id="ada",
        channel=Channel.PUSH,
        template="thread_created",
        locale="en",
        address="",
        context={"title": "A thread", "body": "", "link": "/"},
        created_at=NOW,
        category=Category.DISCUSSIONS,
    )


async def test_a_push_answered_410_fails_as_gone_and_forgets_the_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    endpoint = "https://push.example/send/abc"
    world.store.browsers["ada"] = [PushSubscription(endpoint, "p" * 40, "a" * 16)]

    async def gone(**_: Any) -> None:
        raise WebPushException("Push failed: 410 Gone", response=SimpleNamespace(status=410))

    monkeypatch.setattr(push_adapter, "webpush_async", gone)
    sender = WebPushSender(
        keys=_Keys(),  # type: ignore[arg-type]
        subject="mailto:ops@cerchia.example",
        devices=world.push,
        base_url="https://cerchia.example",
        ttl_s=60,
        endpoints=PushEndpointPolicy(hosts=("push.example",)),
        # push.example resolves nowhere: the address check is not what this test is about.
        guard=NetworkUrlGuard(allow_private=True),
    )
    try:
        with pytest.raises(PermanentDeliveryError, match=r"subscription gone \(410\)") as raised:
            await sender.send(_push_delivery())
    finally:
        await sender.close()
    assert world.store.browsers.get("ada", []) == []
    assert raised.value.failure is Failure.GONE


def test_a_digest_is_labelled_digest_not_account() -> None:
    due = DueDigest("ada", "books", NOW)
    entry = DigestEntry(
        "k", "ada", "books", "thread_created", "Estate", "", "/", NOW - timedelta(minutes=5)
    )
    contact = Contact("ada", "ada@example.org", "Ada", "en", "Europe/Rome")
    email = digest_email(due, contact, [entry], community_name="Lettori", now=NOW)
    assert email.category is None
    assert email.category_label == "digest"


async def test_a_webhook_delivery_is_labelled_webhook_not_account() -> None:
    world = World()
    community(world, 3)
    world.store.webhooks["wh-1"] = WebhookSubscription(
        id="wh-1",
        community_id="c",
        owner_id="u0",
        url="https://hooks.example/x",
        event_types=(),
        secret="whsec_x",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert await handle_event(joined("u2", 1), ports=world.fanout())
    [hook] = [d for d in world.store.queue.values() if d.channel is Channel.WEBHOOK]
    assert hook.category is None
    assert hook.category_label == "webhook"
