"""A thread's view through the gateway on the real platform: one read that gives what a thread's
page shows (the community with the reader's standing, the thread, a page of its replies, the
members to mention), paged like the replies themselves, refused as they are, and consistent
with the reader's own last write."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.authz_world import community_body
from tests.platform import Member, Platform, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

HEADER = "Cerchia-Consistency"


class Client:
    """Calls as one member, echoing their consistency token as the web client does."""

    def __init__(self, http: httpx.AsyncClient, member: Member) -> None:
        self.http = http
        self.member = member
        self.token: str | None = None

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(self.member.auth)
        if self.token:
            headers[HEADER] = self.token
        for _ in range(5):
            response = await self.http.request(method, url, headers=headers, **kwargs)
            if response.status_code != 503:
                break
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        self.token = response.headers.get(HEADER, self.token)
        return response

    async def ok(self, method: str, url: str, **kwargs: Any) -> Any:
        response = await self.call(method, url, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()


async def test_a_thread_view_pages_refuses_and_reads_the_readers_own_writes(
    platform: Platform,
) -> None:
    async with platform.client() as http:
        ada, bruno, carla = [
            Client(http, await sign_up(http, platform.smtp, name))
            for name in ("Ada", "Bruno", "Carla")
        ]
        body = {**community_body(f"c{uuid.uuid4().hex[:10]}", "public"), "join_policy": "open"}
        community = await ada.ok("POST", "/api/v1/communities", json=body)
        base = f"/api/v1/communities/{community['id']}"
        await bruno.ok("POST", f"{base}/join", json={"code_of_conduct_version": 1})
        thread = await ada.ok("POST", f"{base}/threads", json={"title": "Hello", "body": "Hi"})
        view_url = f"{base}/threads/{thread['id']}/view"
        posted = [
            (await bruno.ok("POST", f"/api/v1/threads/{thread['id']}/replies", json={"body": b}))[
                "id"
            ]
            for b in ("one", "two", "three")
        ]

        # Bruno reads his own replies at once (his token is echoed through the view).
        first = await bruno.ok("GET", view_url, params={"limit": 2})
        assert first["community"]["id"] == community["id"]
        assert first["community"]["my_standing"]["state"] == "member"
        assert first["thread"]["id"] == thread["id"]
        assert [r["id"] for r in first["replies"]["items"]] == posted[:2]
        assert first["replies"]["next_cursor"]
        assert len(first["members"]) == 2
        assert first["warnings"] == []
        second = await bruno.ok(
            "GET", view_url, params={"limit": 2, "cursor": first["replies"]["next_cursor"]}
        )
        assert [r["id"] for r in second["replies"]["items"]] == posted[2:]
        assert second["replies"]["next_cursor"] is None
        # The same replies as the replies' own read.
        replies = await bruno.ok("GET", f"/api/v1/threads/{thread['id']}/replies")
        assert [r["id"] for r in replies["items"]] == posted

        # A public community's thread reads for anyone signed in, standing none.
        outsider = await carla.ok("GET", view_url)
        assert outsider["community"]["my_standing"] is None
        assert [r["id"] for r in outsider["replies"]["items"]] == posted

        # Refused as the reads behind it are, with the part named.
        missing = await bruno.call("GET", f"{base}/threads/{uuid.uuid4()}/view")
        assert missing.status_code == 404, missing.text
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["part"] == "thread"
        bad_cursor = await bruno.call("GET", view_url, params={"cursor": "zzz"})
        assert bad_cursor.status_code == 400, bad_cursor.text
        assert bad_cursor.json()["type"].endswith("/invalid-cursor")
        malformed = await bruno.call("GET", f"{base}/threads/bad%20id/view")
        assert malformed.status_code == 422, malformed.text
        anonymous = await http.get(view_url)
        assert anonymous.status_code == 401
