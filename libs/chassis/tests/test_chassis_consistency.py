"""Consistency tokens and consumer positions: what read-your-writes rests on."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from cerchia_chassis import consistency
from cerchia_chassis.consistency import Position, Positions, decode_token, encode_token, merge
from cerchia_chassis.mongo import ensure_indexes


@pytest.mark.unit
def test_a_token_keeps_the_highest_young_position_per_topic_and_key() -> None:
    now = time.time()
    token = encode_token(
        [
            Position("t", "a", 3, now - 1),
            Position("t", "a", 5, now),
            Position("t", "b", 1, now),
            Position("u", "a", 9, now - consistency.TOKEN_TTL_S - 5),  # too old: dropped
        ]
    )
    assert sorted((p.topic, p.key, p.sequence) for p in decode_token(token)) == [
        ("t", "a", 5),
        ("t", "b", 1),
    ]
    many = [Position("t", str(i), i, now + i / 1000) for i in range(100)]
    assert len(merge(many)) == consistency.TOKEN_MAX_ENTRIES


@pytest.mark.unit
@pytest.mark.parametrize("garbage", ["", "!!", "bm90IGpzb24", "W1sxLDIsMyw0XV0", "e30"])
def test_garbage_is_an_invalid_token(garbage: str) -> None:
    with pytest.raises(consistency.InvalidToken):
        decode_token(garbage)


@pytest.mark.unit
def test_a_response_token_merges_the_request_s_with_what_it_wrote() -> None:
    incoming = encode_token([Position("t", "a", 2, time.time())])
    with consistency.collecting() as produced:
        consistency.produced("t", "a", 4)
        consistency.produced("t", "b", 1)
    merged = decode_token(consistency.response_token(incoming, produced) or "")
    assert {(p.key, p.sequence) for p in merged} == {("a", 4), ("b", 1)}
    assert consistency.response_token("garbage", []) is None
    # A proxy keeps what its upstream answered, merged with the request's own.
    upstream = encode_token([Position("t", "a", 9, time.time())])
    proxied = decode_token(consistency.response_token(incoming, [], upstream=upstream) or "")
    assert {(p.key, p.sequence) for p in proxied} == {("a", 9)}
    consistency.produced("t", "c", 1)  # outside a request: nothing to collect, no error


@pytest.fixture
async def positions(mongo_uri: str) -> AsyncIterator[Positions]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    db = client[f"positions_{uuid.uuid4().hex[:10]}"]
    await ensure_indexes(db, Positions.indexes)
    yield Positions(db, poll_s=0.02)
    await client.drop_database(db.name)
    await client.close()


@pytest.mark.integration
async def test_a_waiter_returns_once_the_positions_are_reached_or_gives_up(
    positions: Positions,
) -> None:
    wanted = [Position("t", "a", 3), Position("t", "b", 1)]
    await positions.advance("t", {"a": 1})
    assert await positions.wait_for(wanted, timeout_s=0.2) == wanted

    async def catch_up() -> None:
        await asyncio.sleep(0.1)
        await positions.advance("t", {"a": 3, "b": 2})

    started = time.monotonic()
    catching_up = asyncio.create_task(catch_up())
    assert await positions.wait_for(wanted, timeout_s=5) == []
    assert time.monotonic() - started < 2
    await catching_up
    await positions.advance("t", {"a": 2})  # never backwards
    assert await positions.behind([Position("t", "a", 3)]) == []
