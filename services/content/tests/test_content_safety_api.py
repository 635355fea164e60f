"""Safety rules over Kafka: what a banned person posted while the ban was on its way ends
hidden; posting waits for a verified email address, and a client echoing the verification's
consistency token is never refused for it."""

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cerchia_chassis.consistency import HEADER, SEQUENCE_HEADER, Position, encode_token
from cerchia_contracts.catalog import MEMBERSHIP_USERS
from cerchia_contracts.events import membership as m

pytestmark = pytest.mark.integration


async def test_a_post_accepted_before_the_ban_arrived_ends_hidden_and_later_ones_are_refused(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    ada, ben = str(uuid.uuid4()), str(uuid.uuid4())
    await circle.join(ada, name="Ada")
    await circle.join(ben, name="Ben")
    client = circle.client
    first = await circle.post_thread(ben, title="Quokka before", body="earlier")
    assert first.status_code == 201, first.text
    before = first.json()
    ban_time = datetime.now(UTC)
    # The ban is decided now; content hears of it only after ben posted again.
    late = await circle.post_thread(ben, title="Quokka window", body="posted in the window")
    assert late.status_code == 201, late.text
    late_id = late.json()["id"]
    await circle.publish(
        m.MemberBannedV1.new(
            subject=circle.id,
            time=ban_time,
            data=m.MemberBanned(
                community_id=circle.id, actor_id=circle.owner, user_id=ben, reason="Spam"
            ),
        )
    )

    async def applied() -> bool:
        # A banned person may no longer read the community either.
        response = await client.get(circle.threads_path, headers=circle.headers(ben))
        return response.status_code == 403 and response.json()["type"].endswith("/banned")

    await circle.eventually(applied, what="the ban applied")
    after = await circle.post_thread(ben, title="After", body="after the ban")
    assert after.status_code == 403, after.text
    assert after.json()["type"].endswith("/banned")

    async def thread_ids(user: str) -> list[str]:
        response = await client.get(circle.threads_path, headers=circle.headers(user))
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    async def search_ids(user: str) -> list[str]:
        response = await client.get(
            "/api/v1/search",
            params={"community_id": circle.id, "q": "quokka"},
            headers=circle.headers(user),
        )
        assert response.status_code == 200, response.text
        return [hit["id"] for hit in response.json()["items"]]

    assert await thread_ids(ada) == [before["id"]]
    assert await search_ids(ada) == [before["id"]]
    page = await client.get(f"/api/v1/threads/{late_id}", headers=circle.headers(ada))
    assert page.status_code == 404
    # The owner still sees it, hidden, and the log says the ban hid it.
    owner = circle.headers(circle.owner)
    seen = await client.get(f"/api/v1/threads/{late_id}", headers=owner)
    assert seen.status_code == 200, seen.text
    assert seen.json()["visibility"] == "hidden"
    log = await client.get(f"/api/v1/communities/{circle.id}/moderation/log", headers=owner)
    (decision,) = log.json()["items"]
    assert (decision["target_id"], decision["action"]) == (late_id, "hide")
    assert decision["reason"].startswith("Hidden with the ban of its author")


async def test_posting_needs_a_verified_address_and_waits_for_the_verification_it_was_told_of(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    await circle.create()
    cleo = str(uuid.uuid4())
    await circle.join(cleo, name="Cleo", verified=False)
    # Control characters are refused before anything else, naming the field and the character.
    nul = await circle.post_thread(cleo, title="Hello\x00there")
    assert nul.status_code == 422, nul.text
    assert nul.headers["content-type"] == "application/problem+json"
    (error,) = nul.json()["errors"]
    assert (error["loc"], error["type"]) == (["body", "title"], "control_character")
    assert "U+0000" in error["msg"]
    refused = await circle.post_thread(cleo)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/email-not-verified")

    # The verification's response told the client where membership.users.v1 stands for cleo;
    # the client echoes it before content has heard of the verification, and content waits.
    sequence = 7
    token = encode_token([Position(MEMBERSHIP_USERS.name, cleo, sequence, time.time())])
    verified = m.EmailVerifiedV1.new(
        subject=cleo, data=m.EmailVerified(user_id=cleo, email=f"{cleo}@example.org")
    )

    async def verify_a_moment_later() -> None:
        await asyncio.sleep(0.5)
        await circle.producer.send_and_wait(
            MEMBERSHIP_USERS.name,
            value=verified.model_dump_json().encode(),
            key=cleo.encode(),
            headers=[
                ("content-type", b"application/cloudevents+json"),
                (SEQUENCE_HEADER, str(sequence).encode()),
            ],
        )

    publishing = asyncio.create_task(verify_a_moment_later())
    posted = await circle.client.post(
        circle.threads_path,
        json={"title": "Verified", "body": "Now I may post."},
        headers={**circle.headers(cleo), HEADER: token},
    )
    await publishing
    assert posted.status_code == 201, posted.text
    # A later profile event renames the person and keeps the verification.
    await circle.person(cleo, "Cleo C.", None, verified=False)

    async def renamed() -> bool:
        listed = await circle.client.get(circle.threads_path, headers=circle.headers(cleo))
        return any(t["author"]["display_name"] == "Cleo C." for t in listed.json()["items"])

    await circle.eventually(renamed, what="the new name")
    again = await circle.post_thread(cleo, title="Still verified")
    assert again.status_code == 201, again.text
