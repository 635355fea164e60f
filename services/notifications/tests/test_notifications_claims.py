"""Claiming due deliveries on the real database: two senders never get the same delivery."""

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from cerchia_chassis.mongo import ensure_indexes
from notifications.adapters.deliveries import CLAIM_LEASE, MongoDeliveryQueue
from notifications.domain.categories import Category
from notifications.domain.deliveries import Channel, Delivery

pytestmark = pytest.mark.integration


def delivery(n: int, now: datetime) -> Delivery:
    return Delivery(
        key=f"ev-{n}:u-{n}:email",
        event_id=f"ev-{n}",
        recipient_id=f"u-{n}",
        channel=Channel.EMAIL,
        template="thread_created",
        locale="en",
        address=f"u{n}@example.org",
        context={},
        created_at=now - timedelta(seconds=60 - n),
        category=Category.DISCUSSIONS,
        community_id="c-1",
    )


async def test_concurrent_claims_split_the_due_deliveries_and_leases_lapse(
    mongo_uri: str,
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    db = client[f"notifications_claims_{uuid.uuid4().hex[:8]}"]
    try:
        await ensure_indexes(db, MongoDeliveryQueue.indexes)
        first, second = MongoDeliveryQueue(db), MongoDeliveryQueue(db)
        now = datetime.now(UTC)
        await first.enqueue([delivery(n, now) for n in range(60)], session=None)

        a, b = await asyncio.gather(
            first.claim_due(limit=40, now=now), second.claim_due(limit=40, now=now)
        )
        keys_a, keys_b = {d.key for d in a}, {d.key for d in b}
        assert not keys_a & keys_b
        assert len(keys_a | keys_b) == 60
        assert {d.attempts for d in (*a, *b)} == {1}

        # Claimed and not marked: invisible until the lease lapses, then claimed again.
        assert await first.claim_due(limit=100, now=now + CLAIM_LEASE / 2) == []
        again = await first.claim_due(limit=100, now=now + CLAIM_LEASE * 2)
        assert len(again) == 60
        assert {d.attempts for d in again} == {2}

        await first.mark_sent(again[:10], now=now, session=None)
        statuses = await db["deliveries"].distinct("status", {"_id": again[0].key})
        assert statuses == ["sent"]
        later = await first.claim_due(limit=100, now=now + CLAIM_LEASE * 4)
        assert {d.key for d in later} == {d.key for d in again[10:]}
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_a_delivery_sent_after_failed_attempts_shows_no_stale_error_and_labels_keep(
    mongo_uri: str,
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    db = client[f"notifications_claims_{uuid.uuid4().hex[:8]}"]
    try:
        await ensure_indexes(db, MongoDeliveryQueue.indexes)
        queue = MongoDeliveryQueue(db)
        now = datetime.now(UTC)
        digest = replace(delivery(2, now), key="digest-slot:u-2:email", category=None)
        digest = replace(digest, template="digest")
        await queue.enqueue([delivery(1, now), digest], session=None)
        claimed = {d.key: d for d in await queue.claim_due(limit=10, now=now)}
        first, second = claimed[delivery(1, now).key], claimed[digest.key]
        await queue.mark_failed(first, error="smtp 421 busy", retry_at=now, session=None)
        [again] = [d for d in await queue.claim_due(limit=10, now=now) if d.key == first.key]
        await queue.mark_sent([again, second], now=now, session=None)

        sent = await db["deliveries"].find_one({"_id": first.key})
        assert sent is not None
        assert sent["status"] == "sent"
        assert "last_error" not in sent
        labelled = await db["deliveries"].find_one({"_id": digest.key})
        assert labelled is not None
        assert labelled["category"] == "digest"
        assert second.category is None
    finally:
        await client.drop_database(db.name)
        await client.close()
