"""Discussions over HTTP on the real stack: XSS, mentions, threads, replies, pagination, limits."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cerchia_contracts.catalog import CONTENT_DISCUSSIONS
from cerchia_contracts.events import content as c

pytestmark = pytest.mark.integration

XSS = (
    '<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="alert(3)"> '
    '![pic](javascript:alert(4)) <a href="https://evil" onclick="alert(5)">x</a> '
    "[ok](https://example.org) ![pixel](https://tracker.example/p.png)"
)


async def test_markdown_is_sanitized_and_mentions_become_one_event_each(
    new_community: Callable[[], Any], topics: Any
) -> None:
    circle = new_community()
    await circle.create()
    ada, bo = str(uuid.uuid4()), str(uuid.uuid4())
    await circle.join(ada, name="Ada", handle="ada")
    await circle.join(bo, name="Bo", handle="bo")
    created = await circle.post_thread(
        circle.owner, title="Safety", body=f"{XSS}\n\nHi @Ada and @bo, not `@olga` nor @nobody"
    )
    assert created.status_code == 201, created.text
    thread = created.json()
    html = thread["body_html"]
    tags = re.findall(r"<[^>]+>", html)
    assert not [t for t in tags if "script" in t or "javascript:" in t or " on" in t], tags
    assert "&lt;script&gt;" in html  # shown as text, never run
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">ok</a>' in html
    assert "<img" not in html  # no remote image: reading never tells a third party
    assert thread["author"]["display_name"] == "Olga"
    assert thread["following"] is True

    def done(events: list[Any]) -> bool:
        return sum(isinstance(e, c.MemberMentionedV1) for e in events) >= 2

    events = await topics.events(CONTENT_DISCUSSIONS.name, subject=circle.id, until=done)
    (created_event,) = [e for e in events if isinstance(e, c.ThreadCreatedV1)]
    assert created_event.data.thread_id == thread["id"]
    assert sorted(created_event.data.mentioned_user_ids) == sorted([ada, bo])
    assert "<script>" in created_event.data.excerpt  # plain text: escaped by whoever renders it
    mentions = [e for e in events if isinstance(e, c.MemberMentionedV1)]
    assert sorted(e.data.mentioned_user_id for e in mentions) == sorted([ada, bo])
    assert all(e.data.thread_title == "Safety" for e in mentions)

    # A reply names the followers and the parent's author; the replier follows from now on.
    reply = await circle.client.post(
        f"/api/v1/threads/{thread['id']}/replies",
        json={"body": "Thanks @olga"},
        headers=circle.headers(ada),
    )
    assert reply.status_code == 201, reply.text
    nested = await circle.client.post(
        f"/api/v1/threads/{thread['id']}/replies",
        json={"body": "Agreed", "parent_id": reply.json()["id"]},
        headers=circle.headers(bo),
    )
    assert nested.json()["parent_id"] == reply.json()["id"]

    def replied(events: list[Any]) -> bool:
        return sum(isinstance(e, c.ReplyPostedV1) for e in events) >= 2

    events = await topics.events(CONTENT_DISCUSSIONS.name, subject=circle.id, until=replied)
    first, second = [e for e in events if isinstance(e, c.ReplyPostedV1)]
    assert first.data.parent_author_id == circle.owner
    assert set(first.data.follower_ids) == {circle.owner, ada}
    assert first.data.mentioned_user_ids == (circle.owner,)
    assert second.data.parent_author_id == ada
    assert set(second.data.follower_ids) == {circle.owner, ada, bo}


async def test_threads_edit_history_reactions_unread_and_moderator_tools(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ada = str(uuid.uuid4())
    await circle.join(ada, name="Ada", handle="ada")
    client, path = circle.client, "/api/v1/threads"
    thread = (await circle.post_thread(ada, title="Draft", body="v1")).json()
    tid = thread["id"]
    assert thread["unread"] is True
    await client.post(f"{path}/{tid}/read", headers=circle.headers(ada))
    edited = await client.patch(
        f"{path}/{tid}", json={"body": "v2", "title": "Final"}, headers=circle.headers(ada)
    )
    assert edited.json()["revision"] == 2
    assert edited.json()["title"] == "Final"
    not_mine = await client.patch(
        f"{path}/{tid}", json={"body": "hijack"}, headers=circle.headers(circle.owner)
    )
    assert not_mine.status_code == 403
    history = (await client.get(f"{path}/{tid}/history", headers=circle.headers(ada))).json()
    assert [(h["revision"], h["body_markdown"], h["title"]) for h in history] == [
        (1, "v1", "Draft")
    ]
    bad = await client.put(f"{path}/{tid}/reactions/angry", headers=circle.headers(ada))
    assert bad.status_code == 422
    liked = await client.put(f"{path}/{tid}/reactions/like", headers=circle.headers(circle.owner))
    assert liked.json() == {"counts": {"like": 1}, "mine": ["like"]}
    await client.post(
        f"{path}/{tid}/replies", json={"body": "news"}, headers=circle.headers(circle.owner)
    )
    mine = (await client.get(f"{path}/{tid}", headers=circle.headers(ada))).json()
    assert mine["unread"] is True
    assert mine["reply_count"] == 1

    # Members cannot pin or lock; moderators can, and a locked thread takes no replies.
    assert (await client.put(f"{path}/{tid}/pin", headers=circle.headers(ada))).status_code == 403
    assert (await client.put(f"{path}/{tid}/lock", headers=circle.headers(circle.owner))).json()[
        "locked"
    ]
    locked = await client.post(
        f"{path}/{tid}/replies", json={"body": "late"}, headers=circle.headers(ada)
    )
    assert locked.status_code == 409
    moved = await client.post(
        f"{path}/{tid}/move", json={"category": "Archive"}, headers=circle.headers(circle.owner)
    )
    assert moved.json()["category"] == "archive"
    deleted = await client.delete(f"{path}/{tid}", headers=circle.headers(ada))
    assert deleted.status_code == 204
    assert (await client.get(f"{path}/{tid}", headers=circle.headers(ada))).status_code == 404


async def test_cursor_pagination_rate_limit_and_bad_input(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ids = []
    for n in range(5):
        response = await circle.post_thread(circle.owner, title=f"T{n}", body=f"body {n}")
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "newest"}
        if cursor:
            params["cursor"] = cursor
        page = await circle.client.get(
            circle.threads_path, params=params, headers=circle.headers(circle.owner)
        )
        assert page.status_code == 200
        seen += [t["id"] for t in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    pinned = await circle.client.put(
        f"/api/v1/threads/{ids[0]}/pin", headers=circle.headers(circle.owner)
    )
    assert pinned.status_code == 200
    by_activity = await circle.client.get(circle.threads_path, headers=circle.headers(circle.owner))
    assert by_activity.json()["items"][0]["id"] == ids[0]

    bad_cursor = await circle.client.get(
        circle.threads_path, params={"cursor": "garbage"}, headers=circle.headers(circle.owner)
    )
    assert bad_cursor.status_code == 400  # the platform's one answer to a tampered cursor
    assert bad_cursor.json()["type"].endswith("/invalid-cursor")
    extra = await circle.post_thread(circle.owner, admin=True)
    assert extra.status_code == 422
    huge = await circle.post_thread(circle.owner, body="x" * 20_001)
    assert huge.status_code == 422
    blank = await circle.post_thread(circle.owner, body="   ")
    assert blank.status_code == 422

    # The limit is 8 posts a minute: 5 threads so far, then 3 more, then 429.
    for _ in range(3):
        assert (await circle.post_thread(circle.owner)).status_code == 201
    limited = await circle.post_thread(circle.owner)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["type"].endswith("/rate-limited")


async def test_a_reply_is_read_by_id_with_its_thread_and_hidden_ones_by_moderators_only(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ada = str(uuid.uuid4())
    await circle.join(ada, name="Ada", handle="ada")
    client = circle.client
    tid = (await circle.post_thread(ada, title="Looms", body="Which loom?")).json()["id"]
    posted = await client.post(
        f"/api/v1/threads/{tid}/replies",
        json={"body": "The *Jacquard*."},
        headers=circle.headers(ada),
    )
    rid = posted.json()["id"]

    read = await client.get(f"/api/v1/replies/{rid}", headers=circle.headers(circle.owner))
    assert read.status_code == 200
    assert (read.json()["thread_id"], read.json()["author"]["display_name"]) == (tid, "Ada")
    assert "<em>Jacquard</em>" in read.json()["body_html"]
    outsider = await client.get(f"/api/v1/replies/{rid}", headers=circle.headers(str(uuid.uuid4())))
    assert outsider.status_code == 404
    unknown = await client.get(f"/api/v1/replies/{uuid.uuid4()}", headers=circle.headers(ada))
    assert unknown.status_code == 404

    hidden = await client.post(
        f"/api/v1/communities/{circle.id}/moderation/decisions",
        json={"target_kind": "reply", "target_id": rid, "action": "hide", "reason": "Test."},
        headers=circle.headers(circle.owner),
    )
    assert hidden.status_code == 201, hidden.text
    assert (
        await client.get(f"/api/v1/replies/{rid}", headers=circle.headers(ada))
    ).status_code == 404
    as_moderator = await client.get(f"/api/v1/replies/{rid}", headers=circle.headers(circle.owner))
    assert as_moderator.json()["visibility"] == "hidden"
