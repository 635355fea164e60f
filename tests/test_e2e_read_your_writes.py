"""Read-your-writes through the gateway: a client that echoes ``Cerchia-Consistency`` never gets
a false refusal right after its own write (docs/architecture.md, "Consistency a client can rely
on").

Each flow is a write in one service followed at once by the natural next step in another, which
depends on the first having been projected there: join then post, found then post, accept the new
code of conduct then post, be approved then post, RSVP then read the attendance. ``TRIALS`` of
each run concurrently (a few at a time, like a busy client base). The echoing client must see
no false 403/404/409; the module also counts, for the record, how often a client that does not
echo the token is refused (``CERCHIA_PRINT_FALSE_REFUSALS=1`` prints both).
"""

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.platform import Member, Platform, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900), pytest.mark.alone]

TRIALS = int(os.environ.get("CERCHIA_CONSISTENCY_TRIALS", "200"))
CONCURRENCY = 8
HEADER = "Cerchia-Consistency"
CODE = "Be kind. Stay on topic."
FALSE_REFUSALS = {403, 404, 409}
MAX_RETRIES = 5


@dataclass
class Session:
    """A client session that echoes the consistency token, as the web client does.

    A service that has not caught up within its bounded wait answers 503 ``not-yet-consistent``
    with ``Retry-After`` (a loaded machine); a well-behaved client retries then, and so does this
    one (``MAX_RETRIES`` times), counting each retry in ``retries``: a delay, not a refusal.
    """

    http: httpx.AsyncClient
    member: Member
    echo: bool = True
    token: str | None = None
    retries: list[str] = field(default_factory=list)

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.member.auth, **kwargs.pop("headers", {})}
        if self.echo and self.token:
            headers[HEADER] = self.token
        for _ in range(MAX_RETRIES):
            response = await self.http.request(method, url, headers=headers, **kwargs)
            if not _not_yet_consistent(response):
                break
            self.retries.append(url)
            await asyncio.sleep(float(response.headers["Retry-After"]))
        if HEADER in response.headers:
            self.token = response.headers[HEADER]
        return response


def _not_yet_consistent(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and "Retry-After" in response.headers
        and response.json().get("type", "").endswith("/not-yet-consistent")
    )


@dataclass
class Tally:
    """Outcomes of the step after the write."""

    ok: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    why: set[str] = field(default_factory=set)

    def count(self, response: httpx.Response, expected: int) -> None:
        if response.status_code == expected:
            self.ok += 1
        elif response.status_code in FALSE_REFUSALS:
            self.refused[response.status_code] = self.refused.get(response.status_code, 0) + 1
            self.why.add(response.text[:200])
        else:
            raise AssertionError(f"unexpected {response.status_code}: {response.text}")

    @property
    def false_refusals(self) -> int:
        return sum(self.refused.values())


async def bounded(jobs: list[Callable[[], Awaitable[None]]]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def run(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(run(job) for job in jobs))


def community_body(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "slug": f"c-{uuid.uuid4().hex[:12]}",
        "purpose": "Grow together by reviewing each other's work.",
        "audience": "Developers.",
        "language": "en",
        "visibility": "public",
        "join_policy": "open",
        "capacity": 500,
        "code_of_conduct": CODE,
        **overrides,
    }


async def found(session: Session, **overrides: Any) -> dict[str, Any]:
    created = await session.call(
        "POST", "/api/v1/communities", json=community_body("Circle", **overrides)
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def post(session: Session, community_id: str) -> httpx.Response:
    return await session.call(
        "POST",
        f"/api/v1/communities/{community_id}/threads",
        json={"title": "Right after", "body": "Posted the moment I could."},
    )


@pytest.fixture(scope="module")
async def people(platform: Platform) -> list[Member]:
    async with platform.client() as client:
        return [await sign_up(client, platform.smtp, f"P{i}") for i in range(10)]


async def flows(platform: Platform, people: list[Member], *, echo: bool) -> dict[str, Tally]:
    """Every flow, TRIALS times each; the tallies of the step after the write."""
    tallies = {name: Tally() for name in ("join", "found", "code", "approve", "rsvp")}
    owner_of = people[0]
    others = people[1:]
    rounds = max(1, TRIALS // len(others))
    retried: list[str] = []
    async with platform.client() as http:

        def session(member: Member) -> Session:
            return Session(http, member, echo=echo, retries=retried)

        owner = session(owner_of)
        # Open communities: everyone joins each, then posts at once.
        opens = [await found(session(owner_of)) for _ in range(rounds)]

        async def join_then_post(member: Member, community_id: str) -> None:
            me = session(member)
            joined = await me.call(
                "POST",
                f"/api/v1/communities/{community_id}/join",
                json={"code_of_conduct_version": 1},
            )
            assert joined.status_code == 200, joined.text
            tallies["join"].count(await post(me, community_id), 201)

        await bounded([lambda m=m, c=c: join_then_post(m, c["id"]) for c in opens for m in others])

        async def found_then_post(member: Member) -> None:
            me = session(member)
            community = await found(me)
            tallies["found"].count(await post(me, community["id"]), 201)

        await bounded([lambda m=m: found_then_post(m) for m in others for _ in range(rounds)])

        # A new code of conduct: each member accepts it and posts at once.
        for community in opens:
            published = await owner.call(
                "POST",
                f"/api/v1/communities/{community['id']}/code-of-conduct",
                json={"text": CODE + " Cite your sources."},
            )
            assert published.status_code in (200, 201), published.text

        async def accept_then_post(member: Member, community_id: str) -> None:
            me = session(member)
            accepted = await me.call(
                "POST",
                f"/api/v1/communities/{community_id}/code-of-conduct/acceptance",
                json={"version": 2},
            )
            assert accepted.status_code == 200, accepted.text
            tallies["code"].count(await post(me, community_id), 201)

        await bounded(
            [lambda m=m, c=c: accept_then_post(m, c["id"]) for c in opens for m in others]
        )

        # Application communities: the owner approves, the member posts at once.
        gated = [await found(owner, join_policy="application") for _ in range(rounds)]

        async def approved_then_post(member: Member, community_id: str) -> None:
            me = session(member)
            applied = await me.call(
                "POST",
                f"/api/v1/communities/{community_id}/applications",
                json={"answers": {}, "code_of_conduct_version": 1},
            )
            assert applied.status_code in (200, 201), applied.text
            approval = await owner.call(
                "POST",
                f"/api/v1/communities/{community_id}/applications/{applied.json()['id']}/approve",
                json={"reason": "Welcome."},
            )
            assert approval.status_code == 200, approval.text
            # The member sees the approval (the community page) and posts at once: the page's
            # answer names the approval, so the token covers someone else's write too.
            seen = await me.call("GET", f"/api/v1/communities/{community_id}")
            assert seen.status_code == 200, seen.text
            assert seen.json()["my_standing"]["state"] == "member", seen.text
            tallies["approve"].count(await post(me, community_id), 201)

        await bounded(
            [lambda m=m, c=c: approved_then_post(m, c["id"]) for c in gated for m in others]
        )

        # Gatherings: RSVP, then read my attendance at once.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
        gatherings = []
        for community in opens:
            scheduled = await owner.call(
                "POST",
                f"/api/v1/communities/{community['id']}/events",
                json={
                    "title": "Evening",
                    "description": "Bring a laptop.",
                    "format": "online",
                    "online_link": "https://meet.example.org/x",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                    "time_zone": "Europe/Rome",
                    "visibility": "members",
                },
            )
            assert scheduled.status_code == 201, scheduled.text
            gatherings.append(scheduled.json()["id"])

        async def rsvp_then_read(member: Member, gathering_id: str) -> None:
            me = session(member)
            answered = await me.call(
                "PUT", f"/api/v1/events/{gathering_id}/rsvp", json={"answer": "going"}
            )
            assert answered.status_code in (200, 201), answered.text
            mine = await me.call("GET", "/api/v1/me/events", params={"limit": 50})
            listed = mine.status_code == 200 and any(
                e["id"] == gathering_id and e["my_status"] == "going" for e in mine.json()["items"]
            )
            tallies["rsvp"].count(mine if listed else _refusal(mine), 200)

        await bounded([lambda m=m, g=g: rsvp_then_read(m, g) for g in gatherings for m in others])
    if os.environ.get("CERCHIA_PRINT_FALSE_REFUSALS"):
        print(f"echo={echo}: {len(retried)} answers were 503 not-yet-consistent, then retried")
    return tallies


def _refusal(response: httpx.Response) -> httpx.Response:
    # "Going" not visible yet counts as a false refusal of the read.
    return httpx.Response(409, request=response.request, text=response.text)


async def test_a_client_echoing_the_token_never_sees_a_false_refusal(
    platform: Platform, people: list[Member]
) -> None:
    if os.environ.get("CERCHIA_PRINT_FALSE_REFUSALS"):
        without = await flows(platform, people, echo=False)
        print("without the token:", {n: (t.ok, t.refused) for n, t in without.items()})
    tallies = await flows(platform, people, echo=True)
    if os.environ.get("CERCHIA_PRINT_FALSE_REFUSALS"):
        print("with the token:", {n: (t.ok, t.refused) for n, t in tallies.items()})
    for name, tally in tallies.items():
        assert tally.ok >= TRIALS * 0.9, (name, tally)
        assert tally.false_refusals == 0, (name, tally.refused)
