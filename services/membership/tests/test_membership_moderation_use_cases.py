"""Moderation use cases over in-memory ports: removals, bans and lifting them, roles, audit."""

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, Invalid, NotFound
from cerchia_contracts.events import membership as ev
from membership.service import moderation as use
from membership.service.admission import join
from services.membership.tests.community_world import World, found, seat, world

pytestmark = pytest.mark.unit


@pytest.fixture
def w() -> World:
    return world()


async def crew(w: World, capacity: int = 10) -> str:
    """ada owns, mo moderates, bo and cy are members."""
    community = await found(w, "ada", capacity=capacity)
    await seat(w, community, "mo", "bo", "cy")
    await use.change_role(community.id, "mo", role="moderator", actor_id="ada", ports=w.ports)
    w.emitted()
    return community.id


async def test_who_may_remove_whom(w: World) -> None:
    cid = await crew(w)
    before = w.state()
    for actor, target, refusal in [
        ("bo", "cy", "moderator-required"),  # a plain member
        ("mo", "ada", "owner-protected"),
        ("mo", "mo", "not-on-yourself"),
        ("stranger", "cy", "moderator-required"),
    ]:
        with pytest.raises((Forbidden, Conflict)) as refused:
            await use.remove_member(cid, target, reason="Because.", actor_id=actor, ports=w.ports)
        assert refused.value.code == refusal
    with pytest.raises(Invalid):
        await use.remove_member(cid, "bo", reason="  ", actor_id="mo", ports=w.ports)
    assert w.state() == before

    gone = await use.remove_member(
        cid, "bo", reason="Self-promotion.", actor_id="mo", ports=w.ports
    )
    assert (gone.state, gone.reason) == ("former", "Self-promotion.")
    assert w.emitted() == [ev.MemberRemovedV1]
    assert w.community(cid).seats.members == 3
    entry = w.store.audit[-1]
    assert (entry.action, entry.actor_id, entry.subject_id) == ("member_removed", "mo", "bo")
    # Only the owner acts on a moderator.
    await use.change_role(cid, "cy", role="moderator", actor_id="ada", ports=w.ports)
    with pytest.raises(Forbidden) as refused:
        await use.remove_member(cid, "cy", reason="Rival.", actor_id="mo", ports=w.ports)
    assert refused.value.code == "owner-required"


async def test_a_ban_frees_the_seat_for_the_next_in_line(w: World) -> None:
    cid = await crew(w, capacity=4)
    await join(cid, user_id="next", code_version=1, ports=w.ports)
    w.emitted()
    banned = await use.ban(cid, "bo", reason="Harassment.", actor_id="mo", ports=w.ports)
    assert banned.state == "banned"
    assert w.emitted() == [ev.MemberBannedV1, ev.SeatOfferedV1]
    assert w.last(ev.SeatOfferedV1).data.user_id == "next"
    assert w.standing(cid, "next").state == "offered"
    with pytest.raises(Conflict) as refused:
        await use.ban(cid, "bo", reason="Again.", actor_id="mo", ports=w.ports)
    assert refused.value.code == "already-banned"
    with pytest.raises(Forbidden):
        await join(cid, user_id="bo", code_version=1, ports=w.ports)


async def test_a_stranger_can_be_banned_before_ever_joining(w: World) -> None:
    cid = await crew(w)
    await use.ban(cid, "troll", reason="Known spammer.", actor_id="ada", ports=w.ports)
    assert w.emitted() == [ev.MemberBannedV1]  # no seat changed hands
    assert w.community(cid).seats.members == 4


async def test_lifting_a_ban_is_audited_announced_and_reopens_the_door(w: World) -> None:
    cid = await crew(w)
    await use.ban(cid, "bo", reason="Harassment.", actor_id="mo", ports=w.ports)
    w.emitted()
    before = w.state()
    with pytest.raises(Forbidden):
        await use.lift_ban(cid, "bo", reason="Friend of mine.", actor_id="cy", ports=w.ports)
    with pytest.raises(Invalid):
        await use.lift_ban(cid, "bo", reason=" ", actor_id="mo", ports=w.ports)
    with pytest.raises(NotFound):
        await use.lift_ban(cid, "nobody", reason="Why not.", actor_id="mo", ports=w.ports)
    with pytest.raises(Conflict) as refused:
        await use.lift_ban(cid, "cy", reason="Why not.", actor_id="mo", ports=w.ports)
    assert refused.value.code == "not-banned"
    assert w.state() == before

    lifted = await use.lift_ban(
        cid, "bo", reason=" Apologised; a second chance. ", actor_id="mo", ports=w.ports
    )
    assert (lifted.state, lifted.role) == ("former", None)  # free to come back, not back
    assert w.emitted() == [ev.MemberUnbannedV1]
    event = w.last(ev.MemberUnbannedV1)
    assert (event.data.user_id, event.data.actor_id) == ("bo", "mo")
    assert event.data.reason == "Apologised; a second chance."
    entry = w.store.audit[-1]
    assert (entry.action, entry.subject_id, entry.reason) == (
        "ban_lifted",
        "bo",
        "Apologised; a second chance.",
    )
    rejoined = await join(cid, user_id="bo", code_version=1, ports=w.ports)
    assert rejoined.membership.state == "member"


async def test_only_the_owner_changes_roles_and_a_transfer_keeps_one_owner(w: World) -> None:
    cid = await crew(w)
    before = w.state()
    with pytest.raises(Forbidden):
        await use.change_role(cid, "bo", role="moderator", actor_id="mo", ports=w.ports)
    with pytest.raises(NotFound):
        await use.change_role(cid, "stranger", role="moderator", actor_id="ada", ports=w.ports)
    assert w.state() == before

    changed = await use.change_role(cid, "bo", role="owner", actor_id="ada", ports=w.ports)
    assert [(m.user_id, m.role) for m in changed] == [("bo", "owner"), ("ada", "moderator")]
    assert w.emitted() == [
        ev.MemberRoleChangedV1,
        ev.MemberRoleChangedV1,
        ev.CommunityUpdatedV1,
    ]
    assert w.community(cid).owner_id == "bo"
    owners = [m for m in w.store.memberships.values() if m.role == "owner"]
    assert [m.user_id for m in owners] == ["bo"]


async def test_the_audit_trail_is_for_moderators_newest_first(w: World) -> None:
    cid = await crew(w)
    await use.remove_member(cid, "cy", reason="Spam.", actor_id="ada", ports=w.ports)
    with pytest.raises(Forbidden):
        await use.audit_trail(cid, cursor=None, limit=10, viewer_id="bo", ports=w.ports)
    trail = await use.audit_trail(cid, cursor=None, limit=10, viewer_id="mo", ports=w.ports)
    assert [e.action for e in trail.items] == ["member_removed", "role_changed"]
