"""Transactions against a real MongoDB server: a bounded number open at once, none lost."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from cerchia_chassis.mongo import Indexes, Session, Transactions, ensure_indexes

pytestmark = pytest.mark.integration


Client = AsyncMongoClient[dict[str, Any]]
Collection = AsyncCollection[dict[str, Any]]


@pytest.fixture
async def client(mongo_uri: str) -> AsyncIterator[Client]:
    client: Client = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def things(client: Client) -> AsyncIterator[Collection]:
    """A collection of its own, created up front as transactions need."""
    name = f"probe_{uuid.uuid4().hex[:12]}"
    await ensure_indexes(client[name], [Indexes("things")])
    yield client[name]["things"]
    await client.drop_database(name)


async def test_at_most_limit_transactions_are_open_and_every_one_commits(
    client: Client, things: Collection
) -> None:
    transactions = Transactions(client, limit=2)
    open_now = 0
    most_open = 0

    async def work(session: Session, i: int) -> None:
        nonlocal open_now, most_open
        open_now += 1
        most_open = max(most_open, open_now)
        try:
            await things.insert_one({"_id": i}, session=session)
            await asyncio.sleep(0.05)  # hold the transaction open while the others arrive
        finally:
            open_now -= 1

    await asyncio.gather(*(transactions.run(lambda s, i=i: work(s, i)) for i in range(6)))

    assert most_open == 2
    assert sorted(d["_id"] for d in await things.find().to_list()) == list(range(6))


async def test_a_transaction_started_inside_another_does_not_wait_for_its_slot(
    client: Client, things: Collection
) -> None:
    transactions = Transactions(client, limit=1)

    async def inner(session: Session) -> None:
        await things.insert_one({"_id": "inner"}, session=session)

    async def outer(session: Session) -> None:
        await things.insert_one({"_id": "outer"}, session=session)
        await transactions.run(inner)

    async with asyncio.timeout(10):  # with the slot held by the outer one, a wait never ends
        await transactions.run(outer)
    assert {d["_id"] for d in await things.find().to_list()} == {"inner", "outer"}


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="admit none"):
        Transactions(AsyncMongoClient(connect=False), limit=0)
