"""The gateway's admission limits on the chassis's rate limiter (in-memory, moving windows)."""

import asyncio
import time

import pytest

from cerchia_chassis.rate_limits import RateLimiter

pytestmark = pytest.mark.unit


async def test_the_request_past_the_limit_is_refused_with_a_retry_delay() -> None:
    limiter = RateLimiter()
    decisions = [await limiter.hit("3/minute", "ip", "198.51.100.1") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= int(decisions[-1].retry_after_header) <= 60


async def test_keys_and_limits_are_counted_apart() -> None:
    limiter = RateLimiter()
    assert (await limiter.hit("1/minute", "ip", "198.51.100.2")).allowed
    assert not (await limiter.hit("1/minute", "ip", "198.51.100.2")).allowed
    assert (await limiter.hit("1/minute", "ip", "198.51.100.3")).allowed
    assert (await limiter.hit("1/minute", "user", "198.51.100.2")).allowed
    assert (await limiter.hit("5/minute", "ip", "198.51.100.2")).allowed


async def test_the_limit_recovers_when_the_window_has_passed() -> None:
    limiter = RateLimiter()
    assert (await limiter.hit("2/second", "user", "u-1")).allowed
    assert (await limiter.hit("2/second", "user", "u-1")).allowed
    refused = await limiter.hit("2/second", "user", "u-1")
    assert not refused.allowed
    assert refused.retry_after_header == "1"
    deadline = time.monotonic() + 3
    while not (await limiter.hit("2/second", "user", "u-1")).allowed:
        assert time.monotonic() < deadline, "the limit never recovered"
        await asyncio.sleep(0.1)
