"""Waitlist use cases over in-memory ports: leaving, seat offers, their expiry, the line."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_contracts.events import membership as ev
from membership.service import waitlist as use
from membership.service.communities import publish_code_of_conduct
from membership.service.directory import my_communities
from services.membership.tests.community_world import World, found, seat, world

pytestmark = pytest.mark.unit


@pytest.fixture
def w() -> World:
    return world()


async def full(w: World) -> str:
    """Two seats: ada and bo are members; cy, di and ed wait in that order."""
    community = await found(w, "ada", capacity=2)
    await seat(w, community, "bo", "cy", "di", "ed")
    return community.id


async def test_a_member_leaving_offers_the_seat_to_the_head_of_the_line(w: World) -> None:
    cid = await full(w)
    gone = await use.leave(cid, user_id="bo", ports=w.ports)
    assert gone.state == "former"
    assert w.emitted() == [ev.MemberLeftV1, ev.SeatOfferedV1]
    assert w.last(ev.SeatOfferedV1).data.user_id == "cy"
    assert (w.community(cid).seats.members, w.community(cid).seats.free) == (1, 0)
    with pytest.raises(Conflict) as refused:
        await use.leave(cid, user_id="ada", ports=w.ports)
    assert refused.value.code == "owner-cannot-leave"


async def test_leaving_the_line_moves_the_others_up(w: World) -> None:
    cid = await full(w)
    await use.leave(cid, user_id="cy", ports=w.ports)
    assert w.emitted() == [ev.WaitlistLeftV1]
    mine = await my_communities(user_id="ed", ports=w.ports)
    assert [m.position for m in mine] == [2]


async def test_an_accepted_offer_seats_the_person_on_the_current_code(w: World) -> None:
    cid = await full(w)
    await use.leave(cid, user_id="bo", ports=w.ports)
    await publish_code_of_conduct(cid, "Stricter rules now.", actor_id="ada", ports=w.ports)
    w.emitted()
    assert (await use.my_offer(cid, user_id="cy", ports=w.ports)).offer is not None
    with pytest.raises(NotFound):
        await use.my_offer(cid, user_id="di", ports=w.ports)
    before = w.state()
    with pytest.raises(Conflict) as refused:
        await use.accept_offer(cid, user_id="cy", code_version=1, ports=w.ports)
    assert refused.value.code == "code-of-conduct-outdated"
    with pytest.raises(Conflict):
        await use.accept_offer(cid, user_id="di", code_version=2, ports=w.ports)
    assert w.state() == before

    member = await use.accept_offer(cid, user_id="cy", code_version=2, ports=w.ports)
    assert (member.state, member.code_version) == ("member", 2)
    assert w.emitted() == [ev.MemberJoinedV1]
    assert w.last(ev.MemberJoinedV1).data.via == "waitlist"
    assert (w.community(cid).seats.members, w.community(cid).seats.free) == (2, 0)


async def test_a_declined_offer_passes_to_the_next_in_line(w: World) -> None:
    cid = await full(w)
    await use.leave(cid, user_id="bo", ports=w.ports)
    w.emitted()
    await use.decline_offer(cid, user_id="cy", ports=w.ports)
    assert w.emitted() == [ev.SeatOfferDeclinedV1, ev.SeatOfferedV1]
    assert w.last(ev.SeatOfferedV1).data.user_id == "di"
    assert w.standing(cid, "cy").state == "former"


async def test_lapsed_offers_expire_and_move_on_while_live_ones_stay(w: World) -> None:
    cid = await full(w)
    await use.leave(cid, user_id="bo", ports=w.ports)
    w.emitted()
    assert await use.expire_offers(ports=w.ports, limit=10) == 0  # 48 h to answer
    assert w.emitted() == []

    cy = w.standing(cid, "cy")
    assert cy.offer is not None
    lapsed = replace(cy.offer, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    await w.ports.memberships.put(replace(cy, offer=lapsed), object())
    assert await use.expire_offers(ports=w.ports, limit=10) == 1
    assert w.emitted() == [ev.SeatOfferExpiredV1, ev.SeatOfferedV1]
    assert w.standing(cid, "cy").state == "former"
    assert w.standing(cid, "di").state == "offered"
    assert await use.expire_offers(ports=w.ports, limit=10) == 0  # closed once


async def test_the_line_is_for_moderators(w: World) -> None:
    cid = await full(w)
    with pytest.raises(Forbidden):
        await use.waitlist_of(cid, viewer_id="bo", ports=w.ports)
    line = await use.waitlist_of(cid, viewer_id="ada", ports=w.ports)
    assert [m.user_id for m in line] == ["cy", "di", "ed"]
