"""Capacity under concurrent joins and the waitlist's seat offers, on real membership processes."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, AnyEvent
from cerchia_contracts.events import membership as ev
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.verified_people import verified_people

pytestmark = pytest.mark.integration

JOIN = {"code_of_conduct_version": 1}


async def community_events(
    access: KafkaAccess,
    community_id: str,
    done: Callable[[list[AnyEvent]], bool],
    timeout: float = 40,
) -> list[AnyEvent]:
    consumer = AIOKafkaConsumer(
        MEMBERSHIP_COMMUNITIES.name,
        **access.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    events: list[AnyEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(events):
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        event = MEMBERSHIP_COMMUNITIES.decode(record.value)
                        if event.subject == community_id:
                            events.append(event)
    finally:
        await consumer.stop()
    return events


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.2)


async def create(client: httpx.AsyncClient, keys: AuthKeys, owner: str, capacity: int) -> str:
    response = await client.post(
        "/api/v1/communities",
        headers=keys.headers(owner),
        json={
            "name": "Capped",
            "slug": f"capped-{uuid.uuid4().hex[:10]}",
            "purpose": "A community with very few seats.",
            "audience": "Whoever is fastest, fairly.",
            "code_of_conduct": "Wait your turn, kindly.",
            "capacity": capacity,
        },
    )
    assert response.status_code == 201, response.text
    community_id: str = response.json()["id"]
    return community_id


async def test_concurrent_joins_never_exceed_capacity_and_queue_in_order(
    service_process: ServiceFactory, auth_keys: AuthKeys, kafka: KafkaCluster
) -> None:
    membership = await service_process("membership", database=f"seats_{uuid.uuid4().hex[:8]}")
    limits = httpx.Limits(max_connections=120)
    async with httpx.AsyncClient(base_url=membership.url, timeout=60) as registrar:
        people = await verified_people(registrar, kafka.admin, auth_keys, 107)
    # A fresh pool for the race: no kept-alive connection the server may be closing meanwhile.
    async with httpx.AsyncClient(base_url=membership.url, timeout=120, limits=limits) as client:
        owner, seated, racers = people[0], people[1:7], people[7:]
        cid = await create(client, auth_keys, owner, capacity=10)
        for user in seated:  # owner + 6 members: 3 seats left
            joined = await client.post(
                f"/api/v1/communities/{cid}/join", headers=auth_keys.headers(user), json=JOIN
            )
            assert joined.json()["state"] == "member"

        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/communities/{cid}/join", headers=auth_keys.headers(user), json=JOIN
                )
                for user in racers
            )
        )
        assert all(r.status_code == 200 for r in responses), [
            r.text for r in responses if r.status_code != 200
        ][:3]
        outcomes = {user: r.json() for user, r in zip(racers, responses, strict=True)}
        seated = [u for u, o in outcomes.items() if o["state"] == "member"]
        waiting = {u: o["waitlist_position"] for u, o in outcomes.items() if o["state"] != "member"}
        assert len(seated) == 3
        assert sorted(waiting.values()) == list(range(1, 98))

        community = (
            await client.get(f"/api/v1/communities/{cid}", headers=auth_keys.headers(owner))
        ).json()
        assert (community["member_count"], community["seats_available"]) == (10, 0)
        line = (
            await client.get(
                f"/api/v1/communities/{cid}/waitlist", headers=auth_keys.headers(owner)
            )
        ).json()["items"]
        # The line is the order in which the waitlisting transactions committed.
        assert [entry["user_id"] for entry in line] == sorted(waiting, key=lambda u: waiting[u])
        assert [entry["position"] for entry in line] == list(range(1, 98))

    events = await community_events(
        kafka.admin,
        cid,
        lambda es: (
            sum(isinstance(e, (ev.MemberJoinedV1, ev.MemberWaitlistedV1)) for e in es) >= 107
        ),
    )
    joins = [e for e in events if isinstance(e, ev.MemberJoinedV1)]
    waits = [e for e in events if isinstance(e, ev.MemberWaitlistedV1)]
    assert len(joins) == 10
    assert {e.data.user_id for e in joins} >= set(seated)
    assert [e.data.position for e in waits] == list(range(1, 98))  # relayed in commit order
    assert {e.data.user_id: e.data.position for e in waits} == waiting


async def test_freed_seats_are_offered_in_order_and_lapsed_offers_move_on(
    service_process: ServiceFactory, auth_keys: AuthKeys, kafka: KafkaCluster
) -> None:
    # Two replicas share the database and both sweep lapsed offers.
    settings = {
        "MEMBERSHIP_SEAT_OFFER_TTL": "PT2S",
        "MEMBERSHIP_SEAT_OFFER_SWEEP_INTERVAL_S": "0.3",
    }
    database = f"offers_{uuid.uuid4().hex[:8]}"
    first = await service_process("membership", database=database, env=settings)
    second = await service_process("membership", database=database, env=settings)
    async with (
        httpx.AsyncClient(base_url=first.url, timeout=30) as one,
        httpx.AsyncClient(base_url=second.url, timeout=30) as two,
    ):
        owner, a, b, c, d, e, f = await verified_people(one, kafka.admin, auth_keys, 7)

        async def call(
            client: httpx.AsyncClient, method: str, path: str, user: str, **kw: Any
        ) -> httpx.Response:
            return await client.request(
                method, f"/api/v1/communities/{cid}{path}", headers=auth_keys.headers(user), **kw
            )

        async def standing(user: str) -> dict[str, Any]:
            mine = await two.get("/api/v1/me/communities", headers=auth_keys.headers(user))
            items = [m["standing"] for m in mine.json()["items"] if m["community"]["id"] == cid]
            return items[0] if items else {"state": "none"}

        cid = await create(one, auth_keys, owner, capacity=3)
        for user in (a, b):
            assert (await call(one, "POST", "/join", user, json=JOIN)).json()["state"] == "member"
        positions = [
            (await call(two, "POST", "/join", user, json=JOIN)).json()["waitlist_position"]
            for user in (c, d, e)
        ]
        assert positions == [1, 2, 3]
        problem = await call(one, "PATCH", "", owner, json={"capacity": 2})
        assert problem.status_code == 409
        assert problem.json()["type"].endswith("/capacity-below-members")

        assert (await call(one, "POST", "/leave", a)).status_code == 200
        offer_c = await standing(c)
        assert offer_c["state"] == "offered"
        assert offer_c["seat_offer_expires_at"] is not None
        assert (await standing(d))["waitlist_position"] == 1
        assert (await call(two, "GET", "/seat-offer", c)).status_code == 200
        assert (await call(two, "GET", "/seat-offer", d)).status_code == 404
        problem = await call(one, "POST", "/seat-offer/accept", d, json=JOIN)
        assert problem.json()["type"].endswith("/no-seat-offer")  # no skipping the queue

        # c lets the offer lapse: one of the sweepers passes the seat to d.
        await eventually(lambda: _state_is(standing, d, "offered"))
        assert (await standing(c))["state"] == "none"  # out of the line: not in my communities
        assert (await call(one, "GET", "", c)).json()["my_standing"]["state"] == "former"
        late = await call(one, "POST", "/seat-offer/accept", c, json=JOIN)
        assert late.status_code == 409
        assert (await call(two, "POST", "/seat-offer/decline", d)).status_code == 200
        assert (await standing(e))["state"] == "offered"
        taken = await call(one, "POST", "/seat-offer/accept", e, json=JOIN)
        assert taken.json() == {
            "community_id": cid,
            "state": "member",
            "role": "member",
            "waitlist_position": None,
        }

        # Raising the capacity offers the new seat to the next in line at once.
        assert (await call(one, "POST", "/join", f, json=JOIN)).json()["waitlist_position"] == 1
        raised = await call(two, "PATCH", "", owner, json={"capacity": 4})
        assert raised.json()["capacity"] == 4
        assert (await standing(f))["state"] == "offered"
        community = (await call(one, "GET", "", owner)).json()
        assert (community["member_count"], community["seats_available"]) == (3, 0)

    events = await community_events(
        kafka.admin,
        cid,
        lambda es: sum(isinstance(x, ev.SeatOfferedV1) for x in es) >= 4,
    )
    # Both replicas wrote to the outbox, whose relay orders records by ObjectId: records made by
    # two processes within the same second are relayed in either order. The story is told in
    # the order of the changes (stable, so one transaction's events keep their order).
    story = [
        (type(x).__name__, x.data.user_id)
        for x in sorted(events, key=lambda x: x.time)
        if isinstance(
            x,
            (ev.SeatOfferedV1, ev.SeatOfferExpiredV1, ev.SeatOfferDeclinedV1, ev.MemberLeftV1),
        )
        or (isinstance(x, ev.MemberJoinedV1) and x.data.via == "waitlist")
    ]
    assert story == [
        ("MemberLeftV1", a),
        ("SeatOfferedV1", c),
        ("SeatOfferExpiredV1", c),  # once, though two replicas sweep
        ("SeatOfferedV1", d),
        ("SeatOfferDeclinedV1", d),
        ("SeatOfferedV1", e),
        ("MemberJoinedV1", e),
        ("SeatOfferedV1", f),
    ]


async def _state_is(
    standing: Callable[[str], Awaitable[dict[str, Any]]], user: str, state: str
) -> bool:
    return (await standing(user))["state"] == state
