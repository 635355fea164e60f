"""Content's safety rules through the gateway on the real platform (docs/architecture.md,
"Content"): a ban takes effect when it was decided, posting and messaging need a verified
address (and a client echoing the verification's token is never refused for it), a block stops
messages both ways."""

import uuid
from typing import Any

import httpx
import pytest

from tests.platform import (
    PASSWORD,
    Member,
    Platform,
    eventually,
    sign_up,
    to,
    token_in,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CODE = "Be kind. Stay on topic."
HEADER = "Cerchia-Consistency"


@pytest.fixture(scope="module")
async def trio(platform: Platform) -> list[Member]:
    async with platform.client() as client:
        return [await sign_up(client, platform.smtp, name) for name in ("Olga", "Ben", "Ada")]


async def open_community(client: httpx.AsyncClient, owner: Member, *members: Member) -> str:
    created = await client.post(
        "/api/v1/communities",
        json={
            "name": "Circle",
            "slug": f"c-{uuid.uuid4().hex[:12]}",
            "purpose": "Grow together.",
            "audience": "Makers.",
            "language": "en",
            "visibility": "public",
            "join_policy": "open",
            "capacity": 50,
            "code_of_conduct": CODE,
        },
        headers=owner.auth,
    )
    assert created.status_code == 201, created.text
    community_id: str = created.json()["id"]
    for member in members:
        joined = await client.post(
            f"/api/v1/communities/{community_id}/join",
            json={"code_of_conduct_version": 1},
            headers=member.auth,
        )
        assert joined.status_code == 200, joined.text
    return community_id


async def post_thread(
    client: httpx.AsyncClient, member: Member, community_id: str, title: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/communities/{community_id}/threads",
        json={"title": title, "body": f"{title}, as I see it."},
        headers=member.auth,
    )


def problem(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    return str(body["type"]).rsplit("/", 1)[-1]


async def test_a_post_sent_right_after_a_ban_is_refused_or_ends_hidden(
    platform: Platform, trio: list[Member]
) -> None:
    owner, ben, ada = trio
    async with platform.client() as client:
        community_id = await open_community(client, owner, ben, ada)

        async def member_can_post() -> bool:
            return (
                await post_thread(client, ben, community_id, "Wombat before")
            ).status_code == 201

        await eventually(member_can_post, what="ben posting before the ban")
        banned = await client.post(
            f"/api/v1/communities/{community_id}/bans",
            json={"user_id": ben.id, "reason": "Spam."},
            headers=owner.auth,
        )
        assert banned.status_code == 201, banned.text
        window = await post_thread(client, ben, community_id, "Wombat window")
        assert window.status_code in (201, 403), window.text

        async def ban_applied() -> bool:
            # A banned person may no longer read the community either.
            seen = await client.get(f"/api/v1/communities/{community_id}/threads", headers=ben.auth)
            return seen.status_code == 403 and problem(seen) == "banned"

        await eventually(ban_applied, what="content applying the ban")
        # Once applied, nothing ben posted from the ban on is visible to other members.
        listed = await client.get(f"/api/v1/communities/{community_id}/threads", headers=ada.auth)
        assert listed.status_code == 200, listed.text
        titles = [t["title"] for t in listed.json()["items"]]
        assert "Wombat before" in titles
        assert "Wombat window" not in titles
        found = await client.get(
            "/api/v1/search", params={"community_id": community_id, "q": "wombat"}, headers=ada.auth
        )
        assert found.status_code == 200, found.text
        assert {hit["title"] for hit in found.json()["items"]} == {"Wombat before"}
        if window.status_code == 201:
            page = await client.get(f"/api/v1/threads/{window.json()['id']}", headers=ada.auth)
            assert page.status_code == 404, page.text
        refused = await post_thread(client, ben, community_id, "Wombat later")
        assert (refused.status_code, problem(refused)) == (403, "banned")


class Echo:
    """A client that echoes the consistency token, as the web client does."""

    def __init__(self, client: httpx.AsyncClient, member: Member) -> None:
        self.client, self.member, self.token = client, member, ""

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.member.auth, **({HEADER: self.token} if self.token else {})}
        response = await self.client.request(method, url, headers=headers, **kwargs)
        self.token = response.headers.get(HEADER, self.token)
        return response


async def test_posting_and_messaging_need_a_verified_address_and_never_refuse_after_verifying(
    platform: Platform, trio: list[Member]
) -> None:
    owner, _, ada = trio
    email = f"{unique('una')}@example.org"
    async with platform.client() as client:
        registered = await client.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": "Una", "locale": "en"},
        )
        assert registered.status_code == 201, registered.text
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        una = Echo(
            client, Member(registered.json()["id"], email, "Una", login.json()["access_token"])
        )
        community_id = await open_community(client, owner, ada)
        threads = f"/api/v1/communities/{community_id}/threads"
        thread = {"title": "Hello", "body": "Glad to be here."}
        message = {"recipient_id": ada.id, "body": "Hi Ada"}
        joined = await una.call(
            "POST", f"/api/v1/communities/{community_id}/join", json={"code_of_conduct_version": 1}
        )
        if joined.status_code == 200:
            # Joining is open to an unverified account: content refuses what needs the address.
            refused = await una.call("POST", threads, json=thread)
            assert (refused.status_code, problem(refused)) == (403, "email-not-verified")
            refused = await una.call("POST", "/api/v1/conversations", json=message)
            assert (refused.status_code, problem(refused)) == (403, "email-not-verified")
        else:  # membership refuses the join itself until the address is verified
            assert (joined.status_code, problem(joined)) == (403, "email-not-verified")

        mail = await platform.smtp.wait_for(to(email, "Confirm your email"), timeout=30)
        verified = await una.call(
            "POST", "/api/v1/auth/verify-email", json={"token": token_in(mail, "/verify-email")}
        )
        assert verified.status_code in (200, 204), verified.text
        if joined.status_code != 200:
            joined = await una.call(
                "POST",
                f"/api/v1/communities/{community_id}/join",
                json={"code_of_conduct_version": 1},
            )
            assert joined.status_code == 200, joined.text
        # At once, echoing the token: no false refusal.
        posted = await una.call("POST", threads, json=thread)
        assert posted.status_code == 201, posted.text
        sent = await una.call("POST", "/api/v1/conversations", json=message)
        assert sent.status_code == 201, sent.text


async def test_a_block_stops_messages_both_ways(platform: Platform, trio: list[Member]) -> None:
    owner, ben, ada = trio
    async with platform.client() as client:
        ada_echo, ben_echo = Echo(client, ada), Echo(client, ben)
        community_id = await open_community(client, owner)
        for member in (ada_echo, ben_echo):
            joined = await member.call(
                "POST",
                f"/api/v1/communities/{community_id}/join",
                json={"code_of_conduct_version": 1},
            )
            assert joined.status_code == 200, joined.text
        first = await ben_echo.call(
            "POST", "/api/v1/conversations", json={"recipient_id": ada.id, "body": "Hi"}
        )
        assert first.status_code == 201, first.text
        blocked = await ada_echo.call("PUT", f"/api/v1/conversations/blocks/{ben.id}")
        assert blocked.status_code in (200, 204), blocked.text
        to_ada = await ben_echo.call(
            "POST", "/api/v1/conversations", json={"recipient_id": ada.id, "body": "Hello?"}
        )
        assert (to_ada.status_code, problem(to_ada)) == (403, "blocked")
        to_ben = await ada_echo.call(
            "POST", "/api/v1/conversations", json={"recipient_id": ben.id, "body": "Go away"}
        )
        assert (to_ben.status_code, problem(to_ben)) == (403, "you-blocked-them")
        unblocked = await ada_echo.call("DELETE", f"/api/v1/conversations/blocks/{ben.id}")
        assert unblocked.status_code in (200, 204), unblocked.text
        again = await ada_echo.call(
            "POST", "/api/v1/conversations", json={"recipient_id": ben.id, "body": "Sorry"}
        )
        assert again.status_code == 201, again.text
