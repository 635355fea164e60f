"""Moderation, search, courses, direct messages, erasure, recaps and the projection's
tolerance of duplicates and late events, over HTTP on the real stack."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cerchia_contracts.catalog import CONTENT_LIBRARY, CONTENT_MESSAGES, CONTENT_MODERATION
from cerchia_contracts.events import content as c
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m

pytestmark = pytest.mark.integration


async def test_flag_hide_restore_remove_with_search_respecting_visibility(
    new_community: Callable[[], Any], topics: Any
) -> None:
    circle = new_community()
    await circle.create()
    ada, bo = str(uuid.uuid4()), str(uuid.uuid4())
    await circle.join(ada, name="Ada")
    await circle.join(bo, name="Bo")
    client = circle.client
    spam = (await circle.post_thread(bo, title="Cheap watches", body="Buy watches now")).json()
    good = (await circle.post_thread(ada, title="Watching birds", body="Birdwatching tips")).json()

    async def search(user: str, q: str) -> list[str]:
        response = await client.get(
            "/api/v1/search",
            params={"community_id": circle.id, "q": q},
            headers=circle.headers(user),
        )
        assert response.status_code == 200, response.text
        return [hit["id"] for hit in response.json()["items"]]

    assert set(await search(ada, "watch")) == {spam["id"], good["id"]}  # stemmed
    assert (await search(ada, "cheap watches"))[0] == spam["id"]  # ranked

    flag = await client.post(
        f"/api/v1/communities/{circle.id}/flags",
        json={"target_kind": "thread", "target_id": spam["id"], "reason": "Spam"},
        headers=circle.headers(ada),
    )
    assert flag.status_code == 201, flag.text
    queue_path = f"/api/v1/communities/{circle.id}/moderation/queue"
    assert (await client.get(queue_path, headers=circle.headers(ada))).status_code == 403
    queue = (await client.get(queue_path, headers=circle.headers(circle.owner))).json()
    assert [f["target_id"] for f in queue["items"]] == [spam["id"]]

    decide = f"/api/v1/communities/{circle.id}/moderation/decisions"
    body = {"target_kind": "thread", "target_id": spam["id"], "reason": "Advertising"}
    member_try = await client.post(
        decide, json={**body, "action": "hide"}, headers=circle.headers(ada)
    )
    assert member_try.status_code == 403
    hidden = await client.post(
        decide, json={**body, "action": "hide"}, headers=circle.headers(circle.owner)
    )
    assert hidden.status_code == 201, hidden.text
    assert (
        await client.get(f"/api/v1/threads/{spam['id']}", headers=circle.headers(ada))
    ).status_code == 404
    assert spam["id"] not in await search(ada, "watch")
    assert (await client.get(queue_path, headers=circle.headers(circle.owner))).json()[
        "items"
    ] == []
    await client.post(
        decide, json={**body, "action": "restore"}, headers=circle.headers(circle.owner)
    )
    assert spam["id"] in await search(ada, "watch")
    await client.post(
        decide, json={**body, "action": "remove"}, headers=circle.headers(circle.owner)
    )
    final = await client.post(
        decide, json={**body, "action": "restore"}, headers=circle.headers(circle.owner)
    )
    assert final.status_code == 409
    log = (
        await client.get(
            f"/api/v1/communities/{circle.id}/moderation/log", headers=circle.headers(circle.owner)
        )
    ).json()
    assert [d["action"] for d in log["items"]] == ["remove", "restore", "hide"]

    def moderated(events: list[Any]) -> bool:
        return sum(isinstance(e, c.PostModeratedV1) for e in events) >= 3

    events = await topics.events(CONTENT_MODERATION.name, subject=circle.id, until=moderated)
    (flagged,) = [e for e in events if isinstance(e, c.PostFlaggedV1)]
    assert flagged.data.moderator_ids == (circle.owner,)
    assert flagged.data.author_id == bo
    actions = [e.data.action for e in events if isinstance(e, c.PostModeratedV1)]
    assert actions == ["hidden", "restored", "removed"]


async def test_course_enrolment_progress_and_completion_events(
    new_community: Callable[[], Any], topics: Any
) -> None:
    circle = new_community()
    await circle.create()
    ada = str(uuid.uuid4())
    await circle.join(ada, name="Ada")
    client = circle.client
    owner = circle.headers(circle.owner)
    path = f"/api/v1/communities/{circle.id}/courses"
    assert (
        await client.post(path, json={"title": "C", "summary": "S"}, headers=circle.headers(ada))
    ).status_code == 403
    course = (
        await client.post(path, json={"title": "Facilitation", "summary": "Basics"}, headers=owner)
    ).json()
    cid = course["id"]
    assert (
        await client.get(f"/api/v1/courses/{cid}", headers=circle.headers(ada))
    ).status_code == 404
    assert (await client.post(f"/api/v1/courses/{cid}/publish", headers=owner)).status_code == 409
    lessons = [
        (
            await client.post(
                f"/api/v1/courses/{cid}/lessons",
                json={"title": f"L{n}", "body": f"# {n}"},
                headers=owner,
            )
        ).json()
        for n in (1, 2)
    ]
    assert [x["position"] for x in lessons] == [1, 2]
    assert (await client.post(f"/api/v1/courses/{cid}/publish", headers=owner)).status_code == 200
    not_enrolled = await client.put(
        f"/api/v1/lessons/{lessons[0]['id']}/completion", headers=circle.headers(ada)
    )
    assert not_enrolled.status_code == 409
    assert (
        await client.put(f"/api/v1/courses/{cid}/enrolment", headers=circle.headers(ada))
    ).status_code == 200
    first = await client.put(
        f"/api/v1/lessons/{lessons[0]['id']}/completion", headers=circle.headers(ada)
    )
    assert first.json()["percent"] == 50
    again = await client.put(
        f"/api/v1/lessons/{lessons[0]['id']}/completion", headers=circle.headers(ada)
    )
    assert again.json()["completed_lessons"] == 1
    done = await client.put(
        f"/api/v1/lessons/{lessons[1]['id']}/completion", headers=circle.headers(ada)
    )
    assert done.json()["completed_at"] is not None
    detail = (await client.get(f"/api/v1/courses/{cid}", headers=circle.headers(ada))).json()
    assert [x["completed"] for x in detail["lessons"]] == [True, True]

    def completed(events: list[Any]) -> bool:
        return any(isinstance(e, c.CourseCompletedV1) for e in events)

    events = await topics.events(CONTENT_LIBRARY.name, subject=circle.id, until=completed)
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("LessonPublishedV1") == 2
    assert kinds.count("LessonCompletedV1") == 2
    assert kinds.count("CourseCompletedV1") == 1
    (published,) = [e for e in events if isinstance(e, c.CoursePublishedV1)]
    assert published.data.lesson_count == 2


async def test_direct_messages_blocks_and_erasure(
    new_community: Callable[[], Any], topics: Any
) -> None:
    circle, elsewhere = new_community(), new_community()
    await circle.create()
    await elsewhere.create()
    ada, bo, cy = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    await circle.join(ada, name="Ada", handle="ada")
    await circle.join(bo, name="Bo")
    await elsewhere.join(cy, name="Cy")
    client = circle.client
    sent = await client.post(
        "/api/v1/conversations",
        json={"recipient_id": bo, "body": "Coffee?"},
        headers=circle.headers(ada),
    )
    assert sent.status_code == 201, sent.text
    conversation = sent.json()["conversation_id"]
    stranger = await client.post(
        "/api/v1/conversations",
        json={"recipient_id": cy, "body": "Hi"},
        headers=circle.headers(ada),
    )
    assert stranger.status_code == 403
    assert stranger.json()["type"].endswith("/no-shared-community")
    peek = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=circle.headers(cy)
    )
    assert peek.status_code == 404
    inbox = (await client.get("/api/v1/conversations", headers=circle.headers(bo))).json()["items"]
    assert [(x["id"], x["unread"], x["with"]["display_name"]) for x in inbox] == [
        (conversation, True, "Ada")
    ]
    await client.post(f"/api/v1/conversations/{conversation}/read", headers=circle.headers(bo))
    inbox = (await client.get("/api/v1/conversations", headers=circle.headers(bo))).json()["items"]
    assert inbox[0]["unread"] is False
    reply = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"body": "Sure"},
        headers=circle.headers(bo),
    )
    assert reply.status_code == 201
    assert (
        await client.put(f"/api/v1/conversations/blocks/{ada}", headers=circle.headers(bo))
    ).status_code == 204
    blocked = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"body": "?"},
        headers=circle.headers(ada),
    )
    assert blocked.status_code == 403
    assert blocked.json()["type"].endswith("/blocked")

    def sent_two_and_blocked(events: list[Any]) -> bool:
        sent = sum(isinstance(e, c.DirectMessageSentV1) for e in events)
        return sent >= 2 and any(isinstance(e, c.MemberBlockedV1) for e in events)

    events = await topics.events(
        CONTENT_MESSAGES.name, subject=conversation, until=sent_two_and_blocked
    )
    sent_events = [e for e in events if isinstance(e, c.DirectMessageSentV1)]
    assert [(e.data.sender_id, e.data.recipient_id) for e in sent_events] == [(ada, bo), (bo, ada)]
    # The block travels on the pair's key, after the messages it follows.
    assert isinstance(events[-1], c.MemberBlockedV1)
    assert (events[-1].data.blocker_id, events[-1].data.blocked_id) == (bo, ada)

    # Erasure: Ada's own messages go, Bo's stay; her posts and resources stay, unlinked.
    thread = (await circle.post_thread(ada, title="Mine", body="words")).json()
    resource = await client.post(
        f"/api/v1/communities/{circle.id}/resources",
        json={"title": "Ada's pick", "kind": "book", "url": "https://example.org/pick"},
        headers=circle.headers(ada),
    )
    assert resource.status_code == 201, resource.text
    await circle.publish(m.UserErasedV1.new(subject=ada, data=m.UserErased(user_id=ada)))

    async def erased() -> bool:
        got = await client.get(f"/api/v1/threads/{thread['id']}", headers=circle.headers(bo))
        return got.json()["author"] is None

    await circle.eventually(erased, what="erasure")
    shared = await client.get(
        f"/api/v1/resources/{resource.json()['id']}", headers=circle.headers(bo)
    )
    assert shared.status_code == 200
    assert (shared.json()["title"], shared.json()["author"]) == ("Ada's pick", None)
    kept = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=circle.headers(bo)
    )
    assert kept.status_code == 200, kept.text
    assert [x["body"] for x in kept.json()["items"]] == ["Sure"]
    inbox = (await client.get("/api/v1/conversations", headers=circle.headers(bo))).json()["items"]
    assert [(x["id"], x["with"]["display_name"]) for x in inbox] == [
        (conversation, "Former member")
    ]
    # A late profile update does not bring the person back.
    await circle.person(ada, "Ada again", "ada")
    await circle.post_thread(bo, title="x", body="@ada are you there")
    threads = (await client.get(circle.threads_path, headers=circle.headers(bo))).json()["items"]
    assert all(t["author"] is None or t["author"]["display_name"] != "Ada again" for t in threads)


async def test_projection_ignores_duplicates_and_late_events_and_recaps_open_threads(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ben = str(uuid.uuid4())
    t0 = datetime.now(UTC)
    joined = m.MemberJoinedV1.new(
        subject=circle.id,
        time=t0,
        data=m.MemberJoined(
            community_id=circle.id,
            actor_id=ben,
            user_id=ben,
            role="member",
            via="open",
            code_of_conduct_version=1,
        ),
    )
    banned = m.MemberBannedV1.new(
        subject=circle.id,
        time=t0 + timedelta(seconds=1),
        data=m.MemberBanned(
            community_id=circle.id, actor_id=circle.owner, user_id=ben, reason="abuse"
        ),
    )
    # Twice, and the join once more after the ban (a replay from a dead-letter topic).
    await circle.publish(joined, joined, banned, banned, joined)
    # Same partition, so once this later member can read, every event above was applied.
    await circle.join(str(uuid.uuid4()))
    recap = g.RecapPublishedV1.new(
        subject=str(uuid.uuid4()),
        data=g.RecapPublished(
            community_id=circle.id,
            gathering_id="gathering-1",
            actor_id=circle.owner,
            title="Spring meetup",
            format="in_person",
            starts_at=t0,
            ends_at=t0 + timedelta(hours=2),
            time_zone="Europe/Rome",
            starts_at_local=t0.isoformat(),
            recap_id="recap-1",
            notes_markdown="We talked about **gardens**.",
            links=(g.RecapLink(title="Slides", url="https://example.org/s"),),
            host_ids=(circle.owner,),
            attendee_count=12,
        ),
    )
    await circle.publish(recap, recap)

    async def settled() -> bool:
        listing = await circle.client.get(circle.threads_path, headers=circle.headers(circle.owner))
        return any(t["linked_event_id"] == "gathering-1" for t in listing.json()["items"])

    await circle.eventually(settled, what="recap thread")
    listing = (
        await circle.client.get(circle.threads_path, headers=circle.headers(circle.owner))
    ).json()
    recaps = [t for t in listing["items"] if t["linked_event_id"] == "gathering-1"]
    assert len(recaps) == 1
    assert recaps[0]["title"] == "Spring meetup"
    assert "https://example.org/s" in recaps[0]["body_html"]
    assert recaps[0]["author"]["id"] == circle.owner
    refused = await circle.post_thread(ben)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/banned")


async def test_a_join_replayed_after_a_later_departure_leaves_the_person_out(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ben = str(uuid.uuid4())
    t0 = datetime.now(UTC)
    fact = {"community_id": circle.id, "actor_id": ben, "user_id": ben}
    joined = m.MemberJoinedV1.new(
        subject=circle.id,
        time=t0,
        data=m.MemberJoined(**fact, role="member", via="open", code_of_conduct_version=1),
    )
    left = m.MemberLeftV1.new(
        subject=circle.id, time=t0 + timedelta(seconds=1), data=m.MemberLeft(**fact)
    )
    # The join was never applied: it comes back from a dead-letter topic after the departure.
    await circle.publish(left, joined)
    # Same partition, so once this later member can read, both events above were applied.
    await circle.join(str(uuid.uuid4()))
    listing = await circle.client.get(circle.threads_path, headers=circle.headers(ben))
    assert listing.status_code == 404  # an outsider of a private community
    refused = await circle.post_thread(ben)
    assert refused.status_code == 404
