"""Who may read and post, from content's projection of membership's events (real stack)."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cerchia_contracts.events import membership as m

pytestmark = pytest.mark.integration


async def test_posting_needs_membership_good_standing_and_the_current_code_of_conduct(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    member, banned, outsider = (str(uuid.uuid4()) for _ in range(3))
    await circle.join(member, name="Mia", handle="mia")
    await circle.join(banned, name="Ben")

    created = await circle.post_thread(member, title="Welcome", body="Glad to be here")
    assert created.status_code == 201, created.text

    # A non-member cannot post, and cannot even see a private community's threads: a write
    # answers 404 like a read, so it does not confirm that the community exists.
    refused = await circle.post_thread(outsider)
    assert refused.status_code == 404
    hidden = await circle.client.get(circle.threads_path, headers=circle.headers(outsider))
    assert hidden.status_code == 404
    thread_id = created.json()["id"]
    peek = await circle.client.get(f"/api/v1/threads/{thread_id}", headers=circle.headers(outsider))
    assert peek.status_code == 404

    # A banned member is told why.
    await circle.publish(
        m.MemberBannedV1.new(
            subject=circle.id,
            data=m.MemberBanned(
                community_id=circle.id, actor_id=circle.owner, user_id=banned, reason="spam"
            ),
        ),
    )

    async def banned_refused() -> bool:
        response = await circle.post_thread(banned)
        return response.status_code == 403 and response.json()["type"].endswith("/banned")

    await circle.eventually(banned_refused, what="ban to apply")

    # A new code of conduct: the member must accept it before posting again.
    await circle.publish(
        m.CodeOfConductPublishedV1.new(
            subject=circle.id,
            data=m.CodeOfConductPublished(community_id=circle.id, actor_id=circle.owner, version=2),
        ),
    )

    async def coc_refused() -> bool:
        response = await circle.post_thread(member)
        return response.status_code == 403 and response.json()["type"].endswith(
            "/code-of-conduct-not-accepted"
        )

    await circle.eventually(coc_refused, what="new code of conduct to apply")
    reply = await circle.client.post(
        f"/api/v1/threads/{thread_id}/replies",
        json={"body": "still here?"},
        headers=circle.headers(member),
    )
    assert reply.status_code == 403
    await circle.publish(
        m.CodeOfConductAcceptedV1.new(
            subject=circle.id,
            data=m.CodeOfConductAccepted(
                community_id=circle.id, actor_id=member, user_id=member, version=2
            ),
        ),
    )

    async def accepted() -> bool:
        return (await circle.post_thread(member)).status_code == 201

    await circle.eventually(accepted, what="acceptance to apply")


async def test_members_of_another_community_see_nothing_and_public_ones_are_readable(
    new_community: Callable[[], Any],
) -> None:
    private, public = new_community(), new_community()
    await private.create(visibility="private")
    await public.create(visibility="public")
    stranger = str(uuid.uuid4())
    await public.join(stranger)
    thread = await private.post_thread(private.owner, title="Inner circle", body="secret plans")
    assert thread.status_code == 201
    thread_id = thread.json()["id"]
    headers = private.headers(stranger)
    client = private.client
    assert (await client.get(private.threads_path, headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/threads/{thread_id}", headers=headers)).status_code == 404
    replies = await client.get(f"/api/v1/threads/{thread_id}/replies", headers=headers)
    assert replies.status_code == 404
    search = await client.get(
        "/api/v1/search", params={"community_id": private.id, "q": "secret"}, headers=headers
    )
    assert search.status_code == 404
    flag = await client.post(
        f"/api/v1/communities/{private.id}/flags",
        json={"target_kind": "thread", "target_id": thread_id, "reason": "curious"},
        headers=headers,
    )
    assert flag.status_code == 404  # a write tells an outsider no more than a read
    # Posting a thread id of one community under another is not a way in either.
    cross = await client.post(
        f"/api/v1/communities/{public.id}/moderation/decisions",
        json={"target_kind": "thread", "target_id": thread_id, "action": "hide", "reason": "x"},
        headers=public.headers(public.owner),
    )
    assert cross.status_code == 404

    # A public community's threads are readable by any signed-in person, not writable.
    outsider = str(uuid.uuid4())
    opened = await public.post_thread(public.owner, title="Open house", body="Say hi")
    listing = await client.get(public.threads_path, headers=public.headers(outsider))
    assert listing.status_code == 200
    assert [t["id"] for t in listing.json()["items"]] == [opened.json()["id"]]
    assert (await public.post_thread(outsider)).status_code == 403
    unauthenticated = await client.get(public.threads_path)
    assert unauthenticated.status_code == 401
