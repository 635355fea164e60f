"""Edits, draft lessons, deleted replies in storage and unread pages, on the real stack."""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_contracts.catalog import CONTENT_LIBRARY
from cerchia_contracts.events import content as c
from cerchia_devstack.pytest_plugin import ServiceFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> str:
    """The content process's database, so a test can look at what it stored."""
    return f"content_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def content_url(service_process: ServiceFactory, database: str) -> str:
    """A content process on a database this module knows (replaces conftest's)."""
    process = await service_process(
        "content",
        database=database,
        env={"CONTENT_POSTING_RATE_LIMIT": "8", "CONTENT_POSTING_RATE_WINDOW_S": "60"},
    )
    return process.url


@pytest.fixture
async def stored(mongo_uri: str, database: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """Read access to the content process's database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    yield client[database]
    await client.close()


async def test_a_deleted_reply_leaves_storage_and_search_and_unread_pages_are_full(
    new_community: Callable[[], Any], stored: AsyncDatabase[dict[str, Any]]
) -> None:
    circle = new_community()
    await circle.create()
    ada = str(uuid.uuid4())
    await circle.join(ada, name="Ada")
    client = circle.client
    first = (await circle.post_thread(circle.owner, title="Gardens", body="Tomatoes")).json()
    reply = await client.post(
        f"/api/v1/threads/{first['id']}/replies",
        json={"body": "My secret compost recipe"},
        headers=circle.headers(ada),
    )
    assert reply.status_code == 201, reply.text
    reply_id = reply.json()["id"]

    async def search(q: str) -> list[str]:
        found = await client.get(
            "/api/v1/search",
            params={"community_id": circle.id, "q": q},
            headers=circle.headers(ada),
        )
        assert found.status_code == 200, found.text
        return [hit["id"] for hit in found.json()["items"]]

    assert await search("compost") == [reply_id]
    deleted = await client.delete(f"/api/v1/replies/{reply_id}", headers=circle.headers(ada))
    assert deleted.status_code == 204
    document = await stored["replies"].find_one({"_id": reply_id})
    assert document is not None
    assert document["deleted_at"] is not None
    assert document["body"] == {"markdown": "", "html": "", "text": "", "mentions": []}
    assert await stored["search"].count_documents({"object_id": reply_id}) == 0
    assert await search("compost") == []
    tree = (
        await client.get(f"/api/v1/threads/{first['id']}/replies", headers=circle.headers(ada))
    ).json()["items"]
    assert [(r["id"], r["deleted"], r["body_markdown"]) for r in tree] == [(reply_id, True, None)]

    # Five threads, newest first: Ada has read the two newest, so three have news for her.
    ids = [first["id"]]
    for n in range(4):
        made = await circle.post_thread(circle.owner, title=f"T{n}", body="news")
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    for thread_id in ids[-2:]:
        marked = await client.post(f"/api/v1/threads/{thread_id}/read", headers=circle.headers(ada))
        assert marked.status_code == 204
    pages: list[list[str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"unread": "true", "sort": "newest", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await client.get(circle.threads_path, params=params, headers=circle.headers(ada))
        assert page.status_code == 200, page.text
        pages.append([t["id"] for t in page.json()["items"]])
        assert all(t["unread"] for t in page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == [[ids[2], ids[1]], [ids[0]]]


async def test_resources_courses_and_lessons_are_edited_and_draft_lessons_wait(
    new_community: Callable[[], Any], topics: Any
) -> None:
    circle = new_community()
    await circle.create()
    ada = str(uuid.uuid4())
    await circle.join(ada, name="Ada")
    client, owner, member = circle.client, circle.headers(circle.owner), circle.headers(ada)

    shared = await client.post(
        f"/api/v1/communities/{circle.id}/resources",
        json={"title": "Team Topologies", "kind": "book", "url": "https://example.org/tt"},
        headers=member,
    )
    assert shared.status_code == 201, shared.text
    resource_path = f"/api/v1/resources/{shared.json()['id']}"
    assert (
        await client.patch(resource_path, json={"title": "Mine"}, headers=owner)
    ).status_code == 403
    no_link_no_note = await client.patch(resource_path, json={"url": None}, headers=member)
    assert no_link_no_note.status_code == 422
    edited = await client.patch(
        resource_path,
        json={"url": None, "description": "Chapter **4**.", "title": "Team Topologies, notes"},
        headers=member,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["url"] is None
    assert edited.json()["description_html"].strip() == "<p>Chapter <strong>4</strong>.</p>"
    assert edited.json()["edited_at"] is not None

    course = (
        await client.post(
            f"/api/v1/communities/{circle.id}/courses",
            json={"title": "Facilitation", "summary": "Basics"},
            headers=owner,
        )
    ).json()
    lessons_path = f"/api/v1/courses/{course['id']}/lessons"
    ready = (
        await client.post(lessons_path, json={"title": "L1", "body": "1"}, headers=owner)
    ).json()
    draft = (
        await client.post(
            lessons_path, json={"title": "L2", "body": "2", "draft": True}, headers=owner
        )
    ).json()
    assert (ready["draft"], draft["draft"]) == (False, True)
    published = await client.post(f"/api/v1/courses/{course['id']}/publish", headers=owner)
    assert published.status_code == 200, published.text
    seen = (await client.get(f"/api/v1/courses/{course['id']}", headers=member)).json()
    assert (seen["lesson_count"], [x["id"] for x in seen["lessons"]]) == (1, [ready["id"]])
    assert (await client.get(f"/api/v1/lessons/{draft['id']}", headers=member)).status_code == 404
    assert (
        await client.patch(f"/api/v1/lessons/{ready['id']}", json={"body": "x"}, headers=member)
    ).status_code == 403
    lesson_edit = await client.patch(
        f"/api/v1/lessons/{ready['id']}", json={"body": "One, revised"}, headers=owner
    )
    assert lesson_edit.json()["body_markdown"] == "One, revised"
    went_live = await client.post(f"/api/v1/lessons/{draft['id']}/publish", headers=owner)
    assert went_live.status_code == 200, went_live.text
    assert went_live.json()["published_at"] is not None
    again = await client.post(f"/api/v1/lessons/{draft['id']}/publish", headers=owner)
    assert again.status_code == 409
    renamed = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"title": "Facilitation 101"}, headers=owner
    )
    assert renamed.json()["title"] == "Facilitation 101"
    seen = (await client.get(f"/api/v1/courses/{course['id']}", headers=member)).json()
    assert (seen["lesson_count"], len(seen["lessons"])) == (2, 2)

    def announced(events: list[Any]) -> bool:
        return any(isinstance(e, c.CourseEditedV1) for e in events)

    events = await topics.events(CONTENT_LIBRARY.name, subject=circle.id, until=announced)
    (resource_edit,) = [e for e in events if isinstance(e, c.ResourceEditedV1)]
    assert (resource_edit.data.url, resource_edit.data.excerpt) == (None, "Chapter 4.")
    (lesson_edit_event,) = [e for e in events if isinstance(e, c.LessonEditedV1)]
    assert lesson_edit_event.data.lesson_id == ready["id"]
    lessons_live = [e.data.lesson_id for e in events if isinstance(e, c.LessonPublishedV1)]
    assert lessons_live == [ready["id"], draft["id"]]
    (course_edit,) = [e for e in events if isinstance(e, c.CourseEditedV1)]
    assert course_edit.data.course_title == "Facilitation 101"
