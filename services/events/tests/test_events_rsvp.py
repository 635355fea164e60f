"""Capacity under concurrency, the FIFO waitlist and promotion, on the real events process."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.catalog import EVENTS_GATHERINGS
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events.membership import (
    MemberJoined,
    MemberJoinedV1,
    MemberLeft,
    MemberLeftV1,
)
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)
async def test_capacity_is_never_exceeded_under_100_concurrent_rsvps(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    topic_events: Callable[..., Awaitable[list[Any]]],
    mongo_uri: str,
) -> None:
    database = f"events_{uuid.uuid4().hex[:8]}"
    events = await service_process("events", database=database)
    community = await seed(events.url, members=100)
    host = community.members[0]
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=events.url, timeout=240, limits=limits) as client:
        created = await client.post(
            f"/api/v1/communities/{community.id}/events",
            json=body(capacity=10),
            headers=auth_keys.headers(host),
        )
        event_id = created.json()["id"]

        async def going(user: str) -> httpx.Response:
            return await client.put(
                f"/api/v1/events/{event_id}/rsvp",
                json={"answer": "going"},
                headers=auth_keys.headers(user),
            )

        answers = await asyncio.gather(*(going(user) for user in community.members))
        assert all(r.status_code == 200 for r in answers), [r.text for r in answers][:3]
        statuses = Counter(r.json()["status"] for r in answers)
        assert statuses == {"going": 10, "waitlisted": 90}
        positions = sorted(
            r.json()["waitlist_position"] for r in answers if r.json()["status"] == "waitlisted"
        )
        assert positions == list(range(1, 91))

        event = await client.get(f"/api/v1/events/{event_id}", headers=auth_keys.headers(host))
        assert event.json()["going_count"] == 10
        assert event.json()["waitlist_count"] == 90
        assert event.json()["seats_left"] == 0
        waitlist = await client.get(
            f"/api/v1/events/{event_id}/waitlist", headers=auth_keys.headers(host)
        )
        assert [e["position"] for e in waitlist.json()["items"]] == list(range(1, 91))

    client_db: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        rsvps = client_db[database]["rsvps"]
        assert await rsvps.count_documents({"gathering_id": event_id, "status": "going"}) == 10
    finally:
        await client_db.close()

    def complete(seen: list[Any]) -> bool:
        return len(seen) >= 101

    published = await topic_events(EVENTS_GATHERINGS, complete, subject={event_id}, settle=1.0)
    kinds = Counter(type(e) for e in published)
    assert kinds[g.RsvpConfirmedV1] == 10
    assert kinds[g.RsvpWaitlistedV1] == 90
    assert kinds[g.GatheringScheduledV1] == 1


async def test_waitlist_is_fifo_and_a_freed_seat_promotes_the_first_in_line(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    announce: Callable[..., Awaitable[None]],
    body: Callable[..., dict[str, Any]],
    topic_events: Callable[..., Awaitable[list[Any]]],
    poll: Callable[..., Awaitable[None]],
) -> None:
    events = await service_process("events", database=f"events_{uuid.uuid4().hex[:8]}")
    community = await seed(events.url, members=6)
    host, a, b, c, d, e = community.members
    h = auth_keys.headers
    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        event_id = (
            await client.post(
                f"/api/v1/communities/{community.id}/events",
                json=body(capacity=2),
                headers=h(host),
            )
        ).json()["id"]

        async def answer(user: str, what: str) -> dict[str, Any]:
            r = await client.put(
                f"/api/v1/events/{event_id}/rsvp", json={"answer": what}, headers=h(user)
            )
            assert r.status_code == 200, r.text
            result: dict[str, Any] = r.json()
            return result

        assert (await answer(a, "going"))["status"] == "going"
        assert (await answer(b, "going"))["status"] == "going"
        assert (await answer(c, "going"))["waitlist_position"] == 1
        assert (await answer(d, "going"))["waitlist_position"] == 2
        assert (await answer(e, "going"))["waitlist_position"] == 3
        assert (await answer(d, "going"))["waitlist_position"] == 2  # asking again keeps the place
        assert (await answer(host, "interested"))["status"] == "interested"

        # a withdraws: c (first in line) gets the seat; d and e move up.
        withdrawn = await answer(a, "not_going")
        assert withdrawn["status"] == "not_going"
        assert withdrawn["going_count"] == 2
        mine = (await client.get(f"/api/v1/events/{event_id}", headers=h(c))).json()
        assert mine["my_rsvp"]["status"] == "going"
        assert mine["online_link"] is not None
        d_view = (await client.get(f"/api/v1/events/{event_id}", headers=h(d))).json()
        assert d_view["my_rsvp"] == {
            "status": "waitlisted",
            "waitlist_position": 1,
            "checked_in_at": None,
        }

        # Raising the capacity promotes the next in line too.
        raised = await client.patch(
            f"/api/v1/events/{event_id}", json={"capacity": 3}, headers=h(host)
        )
        assert raised.json()["going_count"] == 3
        assert raised.json()["waitlist_count"] == 1

        # A member who leaves the community frees their seat: e is promoted.
        await announce(
            MemberLeftV1.new(
                subject=community.id,
                data=MemberLeft(community_id=community.id, actor_id=b, user_id=b),
            )
        )

        async def e_promoted() -> bool:
            r = await client.get(f"/api/v1/events/{event_id}", headers=h(e))
            return bool(r.json()["my_rsvp"]["status"] == "going")

        await poll(e_promoted, what="promotion after a member left")

        # A join re-driven from the DLQ after the person's later departure leaves them out.
        late, probe = str(uuid.uuid4()), str(uuid.uuid4())
        departed_at = datetime.now(UTC)
        await announce(
            MemberLeftV1.new(
                subject=community.id,
                data=MemberLeft(community_id=community.id, actor_id=late, user_id=late),
                time=departed_at,
            )
        )
        for user, at in ((late, departed_at - timedelta(minutes=5)), (probe, None)):
            joined = MemberJoined(
                community_id=community.id,
                actor_id=user,
                user_id=user,
                role="member",
                via="open",
                code_of_conduct_version=1,
            )
            await announce(MemberJoinedV1.new(subject=community.id, data=joined, time=at))

        async def probe_known() -> bool:  # events of one community are applied in order
            r = await client.put(
                f"/api/v1/events/{event_id}/rsvp", json={"answer": "interested"}, headers=h(probe)
            )
            return r.status_code == 200

        await poll(probe_known, what="the projection after the replayed join")
        refused = await client.put(
            f"/api/v1/events/{event_id}/rsvp", json={"answer": "interested"}, headers=h(late)
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/not-a-member")
        attendees = await client.get(f"/api/v1/events/{event_id}/attendees", headers=h(c))
        assert sorted(x["user_id"] for x in attendees.json()["items"]) == sorted([c, d, e])

    def complete(seen: list[Any]) -> bool:
        return sum(isinstance(x, g.WaitlistPromotedV1) for x in seen) >= 3

    published = await topic_events(EVENTS_GATHERINGS, complete, subject={event_id})
    promoted = [x.data.user_id for x in published if isinstance(x, g.WaitlistPromotedV1)]
    assert promoted == [c, d, e]
    cancelled = [x for x in published if isinstance(x, g.RsvpCancelledV1)]
    assert [(x.data.user_id, x.data.previous_status) for x in cancelled] == [
        (a, "going"),
        (b, "going"),
    ]
    changed = next(x for x in published if isinstance(x, g.GatheringChangedV1))
    assert changed.data.changed == ("capacity",)
    assert changed.data.critical is False
    promotion = next(x for x in published if isinstance(x, g.WaitlistPromotedV1))
    assert promotion.data.community_id == community.id
    assert promotion.data.title == "Reading circle"
    assert promotion.data.time_zone == "Europe/Rome"
