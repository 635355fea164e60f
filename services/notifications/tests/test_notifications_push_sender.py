"""The web push sender on the real database and a push service: a group's lookups are one query."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, ensure_indexes
from notifications.adapters.push import WebPushSender
from notifications.adapters.push_subscriptions import MongoPushSubscriptions
from notifications.adapters.url_guard import NetworkUrlGuard
from notifications.adapters.vapid_keys import VapidKeys
from notifications.domain.categories import Category
from notifications.domain.deliveries import Channel, Delivery, PermanentDeliveryError
from notifications.domain.push_endpoints import PushEndpointPolicy
from notifications.service.ports import PushSubscription

pytestmark = pytest.mark.integration


class CountedSubscriptions(MongoPushSubscriptions):
    """The real store, remembering each lookup it was asked for."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        super().__init__(db)
        self.lookups: list[list[str]] = []

    async def of_many(self, user_ids: Sequence[str]) -> dict[str, list[PushSubscription]]:
        self.lookups.append(sorted(user_ids))
        return await super().of_many(user_ids)


def push_to(user: str) -> Delivery:
    return Delivery(
        key=f"ev-1:{user}:push",
        event_id="ev-1",
        recipient_id=user,
        channel=Channel.PUSH,
        template="thread_created",
        locale="en",
        address="",
        context={"title": "A new thread", "body": f"for {user}", "link": "/threads/1"},
        created_at=datetime.now(UTC),
        category=Category.DISCUSSIONS,
        community_id="c-1",
    )


async def test_a_group_of_push_deliveries_looks_up_its_browsers_in_one_query(
    mongo_uri: str,
    vapid_private_key: str,
    endpoints: Any,
) -> None:
    push, _ = endpoints
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri)
    db = client[f"notifications_push_{uuid.uuid4().hex[:8]}"]
    devices = CountedSubscriptions(db)
    sender = WebPushSender(
        keys=VapidKeys(db, vapid_private_key),
        subject="mailto:ops@cerchia.example",
        devices=devices,
        base_url="https://cerchia.example",
        ttl_s=60,
        endpoints=PushEndpointPolicy(hosts=("127.0.0.1",), allow_http=True),
        guard=NetworkUrlGuard(allow_private=True),
    )
    try:
        await ensure_indexes(db, MongoPushSubscriptions.indexes)
        users = [f"u-{n}" for n in range(5)]
        browsers = {user: push.browser() for user in users}
        laptop = push.browser()
        for user, browser in browsers.items():
            await devices.save(user, _subscription(browser.subscription()))
        await devices.save(users[0], _subscription(laptop.subscription()))

        # As the dispatcher sends a group: all at once. The one with no browser fails for good.
        outcomes = await asyncio.gather(
            *(sender.send(push_to(user)) for user in [*users, "u-none"]), return_exceptions=True
        )

        assert outcomes[:5] == [None] * 5
        assert isinstance(outcomes[5], PermanentDeliveryError)
        assert devices.lookups == [sorted([*users, "u-none"])]
        shown = {r["browser"]: r["payload"]["body"] for r in push.received}
        assert len(shown) == 6
        assert shown[laptop.endpoint.rsplit("/", 1)[1]] == "for u-0"

        # Nothing is remembered between groups: an unsubscribed browser is not pushed to again.
        assert await devices.remove(users[1], browsers[users[1]].endpoint)
        with pytest.raises(PermanentDeliveryError):
            await sender.send(push_to(users[1]))
        assert devices.lookups[1:] == [[users[1]]]
    finally:
        await sender.close()
        await client.drop_database(db.name)
        await client.close()


def _subscription(body: dict[str, object]) -> PushSubscription:
    keys = body["keys"]
    assert isinstance(keys, dict)
    return PushSubscription(
        endpoint=str(body["endpoint"]), p256dh=str(keys["p256dh"]), auth=str(keys["auth"])
    )
