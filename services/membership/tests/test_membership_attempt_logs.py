"""The attempt logs on the real database: exact limits under concurrency, release, reset."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from cerchia_chassis.mongo import ensure_indexes
from membership.adapters.throttle import MongoAttemptThrottle
from membership.domain.account_errors import Throttled
from membership.domain.throttling import ThrottlePolicy

pytestmark = pytest.mark.integration
WINDOW = timedelta(minutes=15)


@pytest.fixture
async def throttle(mongo_uri: str) -> AsyncIterator[MongoAttemptThrottle]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    db = client[f"membership_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(db, MongoAttemptThrottle.indexes)
    yield MongoAttemptThrottle(
        db,
        {
            "account": ThrottlePolicy(3, WINDOW, reset_on_success=True),
            "ip": ThrottlePolicy(3, WINDOW),
        },
    )
    await client.close()


async def outcome(throttle: MongoAttemptThrottle, key: tuple[str, str], now: datetime) -> str:
    try:
        await throttle.reserve([key], now)
    except Throttled:
        return "throttled"
    return "counted"


async def test_concurrent_attempts_never_exceed_the_limit(throttle: MongoAttemptThrottle) -> None:
    now = datetime.now(UTC)
    results = await asyncio.gather(*(outcome(throttle, ("ip", "10.0.0.1"), now) for _ in range(8)))
    assert sorted(results) == ["counted"] * 3 + ["throttled"] * 5
    # Bursts on logs that do not exist yet: the racing upserts that create a log, one of
    # which some servers answer with no document, must count exactly as well.
    for burst in range(20):
        results = await asyncio.gather(
            *(outcome(throttle, ("account", f"burst-{burst}"), now) for _ in range(8))
        )
        assert sorted(results) == ["counted"] * 3 + ["throttled"] * 5, burst
    with pytest.raises(Throttled) as error:
        await throttle.reserve([("ip", "10.0.0.1")], now + timedelta(minutes=1))
    assert error.value.retry_after == timedelta(minutes=14)
    await throttle.reserve([("ip", "10.0.0.1")], now + WINDOW + timedelta(seconds=1))


async def test_a_refused_attempt_counts_against_no_key(throttle: MongoAttemptThrottle) -> None:
    now = datetime.now(UTC)
    for _ in range(3):
        await throttle.reserve([("account", "ada")], now)
    with pytest.raises(Throttled):
        await throttle.reserve([("ip", "10.0.0.2"), ("account", "ada")], now)
    for _ in range(3):  # the address was not charged for the refused attempt
        await throttle.reserve([("ip", "10.0.0.2")], now)


async def test_success_releases_the_attempt_and_resets_where_the_policy_says(
    throttle: MongoAttemptThrottle,
) -> None:
    now = datetime.now(UTC)
    for _ in range(2):
        await throttle.reserve([("account", "bo"), ("ip", "10.0.0.3")], now)
    success = await throttle.reserve([("account", "bo"), ("ip", "10.0.0.3")], now)
    await throttle.succeeded(success)
    for _ in range(3):  # the account forgot its failures
        await throttle.reserve([("account", "bo")], now)
    await throttle.reserve([("ip", "10.0.0.3")], now)  # the address only released the success
    with pytest.raises(Throttled):
        await throttle.reserve([("ip", "10.0.0.3")], now)
