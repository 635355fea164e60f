"""The MongoDB fixture: multi-document transactions commit or roll back; unique indexes hold."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

pytestmark = pytest.mark.integration

Document = dict[str, Any]


@pytest.fixture
async def client(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri)
    yield client
    await client.close()


@pytest.fixture
async def db(client: AsyncMongoClient[Document]) -> AsyncIterator[AsyncDatabase[Document]]:
    name = f"devstack_{uuid.uuid4().hex[:10]}"
    yield client[name]
    await client.drop_database(name)


async def test_a_transaction_commits_both_writes(
    client: AsyncMongoClient[Document], db: AsyncDatabase[Document]
) -> None:
    async def join(session: AsyncClientSession) -> None:
        await db.members.insert_one({"_id": "u1", "email": "a@b.it"}, session=session)
        await db.outbox.insert_one({"event": "member_joined", "subject": "u1"}, session=session)

    async with client.start_session() as session:
        await session.with_transaction(join)

    assert await db.members.count_documents({}) == 1
    assert await db.outbox.count_documents({}) == 1


async def test_a_unique_index_rejects_a_duplicate_and_rolls_the_transaction_back(
    client: AsyncMongoClient[Document], db: AsyncDatabase[Document]
) -> None:
    await db.members.create_index("email", unique=True)
    await db.members.insert_one({"email": "a@b.it"})

    async def duplicate(session: AsyncClientSession) -> None:
        await db.outbox.insert_one({"event": "member_joined"}, session=session)
        await db.members.insert_one({"email": "a@b.it"}, session=session)

    with pytest.raises(DuplicateKeyError):
        await db.members.insert_one({"email": "a@b.it"})
    async with client.start_session() as session:
        with pytest.raises(DuplicateKeyError):
            await session.with_transaction(duplicate)

    assert await db.members.count_documents({}) == 1
    assert await db.outbox.count_documents({}) == 0
