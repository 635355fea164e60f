"""Search ranking on the real index in MongoDB: a thread that holds the word ranks above its
replies, and a reply is found by its own words only (not by its thread's title)."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from content.adapters.replies import MongoReplies
from content.adapters.search import MongoSearchIndex
from content.domain.discussions import Reply, Thread
from content.domain.markup import render
from content.service.indexing import index_reply, index_thread
from content.service.ports import Ports

pytestmark = pytest.mark.integration

COMMUNITY = "circle"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
async def db(mongo_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    yield client[f"content_{uuid.uuid4().hex[:8]}"]
    await client.close()


def thread(title: str, body: str) -> Thread:
    return Thread(
        id=str(uuid.uuid4()),
        community_id=COMMUNITY,
        author_id="olga",
        body=render(body, max_length=20_000),
        created_at=NOW,
        title=title,
    )


def reply(to: Thread, body: str) -> Reply:
    return Reply(
        id=str(uuid.uuid4()),
        community_id=COMMUNITY,
        author_id="ada",
        body=render(body, max_length=20_000),
        created_at=NOW,
        thread_id=to.id,
    )


async def test_a_thread_holding_the_word_ranks_above_replies_and_replies_match_by_their_words(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    index = MongoSearchIndex(db)
    ports = cast(Ports, SimpleNamespace(search=index, replies=MongoReplies(db)))
    titled = thread("Sourdough starter tips", "How I feed my starter every morning.")
    in_body = thread("Weekend baking", "I finally tried a sourdough loaf at home.")
    unrelated = thread("Book club", "Next month we read a novel.")
    thanks = reply(titled, "Thanks, very helpful!")
    agree = reply(titled, "I agree with all of this.")
    own_word = reply(titled, "My sourdough never rises, any idea why?")
    for t in (titled, in_body, unrelated):
        await index_thread(ports, t, "en", None)
    for r in (thanks, agree, own_word):
        await index_reply(ports, r, titled, "en", None)

    hits = await index.search(COMMUNITY, "sourdough", language="en", limit=20)
    ids = [hit.id for hit in hits]
    assert ids[0] == titled.id  # the word in the title and body: first
    assert set(ids) == {titled.id, in_body.id, own_word.id}  # replies lacking it: absent
    (reply_hit,) = [hit for hit in hits if hit.kind == "reply"]
    # The reply still shows its thread's title and links to it.
    assert (reply_hit.title, reply_hit.thread_id) == ("Sourdough starter tips", titled.id)
    assert ids.index(titled.id) < ids.index(own_word.id)
    assert await index.search(COMMUNITY, "helpful", language="en", limit=20) != []
    assert [h.id for h in await index.search(COMMUNITY, "tips", language="en", limit=20)] == [
        titled.id
    ]
