"""Networking and privacy use cases over in-memory ports: introductions, directory, erasure."""

import pytest

from cerchia_chassis.domain.errors import Conflict, NotFound
from cerchia_contracts.events import membership as ev
from membership.domain.directory import DirectoryQuery
from membership.domain.public_profiles import PublicProfile
from membership.service import introductions as use
from membership.service.admission import apply
from membership.service.community_privacy import CommunityErasure, CommunityExport
from membership.service.directory import directory
from membership.service.moderation import change_role
from services.membership.tests.community_world import World, found, seat, world

pytestmark = pytest.mark.unit


@pytest.fixture
def w() -> World:
    return world()


async def circle(w: World) -> str:
    """ada (asks for a mentor), grace (offers mentoring), bo (nothing in common) are members."""
    community = await found(w, "ada")
    await seat(w, community, "grace", "bo")
    w.profiles.profiles.update(
        {
            "ada": PublicProfile("ada", "Ada", asks=("a compilers mentor",)),
            "grace": PublicProfile("grace", "Grace", offers=("mentoring on compilers",)),
            "bo": PublicProfile("bo", "Bo", interests=("chess",)),
        }
    )
    w.profiles.emails.update({"ada": "ada@example.org", "grace": "grace@example.org"})
    return community.id


async def test_suggestions_show_reasons_and_leave_out_people_already_asked(w: World) -> None:
    cid = await circle(w)
    suggested = await use.suggestions(user_id="ada", community_id=None, limit=5, ports=w.ports)
    assert [s.profile.user_id for s in suggested] == ["grace"]
    assert "compilers" in suggested[0].reasons[0]
    with pytest.raises(NotFound):
        await use.suggestions(user_id="ada", community_id="elsewhere", limit=5, ports=w.ports)
    await use.request_introduction(
        requester_id="ada", recipient_id="grace", community_id=cid, note="Hi!", ports=w.ports
    )
    assert await use.suggestions(user_id="ada", community_id=cid, limit=5, ports=w.ports) == []


async def test_an_introduction_is_double_opt_in(w: World) -> None:
    cid = await circle(w)
    before = w.state()
    with pytest.raises(NotFound):  # not a fellow member
        await use.request_introduction(
            requester_id="ada", recipient_id="stranger", community_id=cid, note="Hi",
            ports=w.ports,
        )  # fmt: skip
    with pytest.raises(NotFound):  # not my community
        await use.request_introduction(
            requester_id="stranger", recipient_id="ada", community_id=cid, note="Hi",
            ports=w.ports,
        )  # fmt: skip
    assert w.state() == before
    asked = await use.request_introduction(
        requester_id="ada", recipient_id="grace", community_id=cid, note="An hour?", ports=w.ports
    )
    intro = asked.introduction
    assert (asked.other.user_id, asked.other_email) == ("grace", None)
    assert w.emitted() == [ev.IntroductionRequestedV1]
    with pytest.raises(Conflict):  # one per pair, whoever asks
        await use.request_introduction(
            requester_id="grace", recipient_id="ada", community_id=cid, note="Hi", ports=w.ports
        )
    assert (
        await use.read_introduction(intro.id, viewer_id="ada", ports=w.ports)
    ).other_email is None
    with pytest.raises(Conflict):  # the requester cannot answer for the recipient
        await use.answer_introduction(intro.id, user_id="ada", accept=True, ports=w.ports)
    with pytest.raises(NotFound):
        await use.read_introduction(intro.id, viewer_id="bo", ports=w.ports)

    answered = await use.answer_introduction(intro.id, user_id="grace", accept=True, ports=w.ports)
    assert answered.other_email == "ada@example.org"
    assert w.emitted() == [ev.IntroductionAcceptedV1]
    mine = await use.read_introduction(intro.id, viewer_id="ada", ports=w.ports)
    theirs = await use.read_introduction(intro.id, viewer_id="grace", ports=w.ports)
    assert (mine.other_email, theirs.other_email) == ("grace@example.org", "ada@example.org")


async def test_a_declined_introduction_shares_nothing(w: World) -> None:
    cid = await circle(w)
    intro = (
        await use.request_introduction(
            requester_id="bo", recipient_id="grace", community_id=cid, note="Chess?", ports=w.ports
        )
    ).introduction
    await use.answer_introduction(intro.id, user_id="grace", accept=False, ports=w.ports)
    assert w.emitted() == [ev.IntroductionRequestedV1, ev.IntroductionDeclinedV1]
    assert (
        await use.read_introduction(intro.id, viewer_id="bo", ports=w.ports)
    ).other_email is None


async def test_a_private_directory_is_for_members(w: World) -> None:
    community = await found(w, "ada", visibility="private", join_policy="invite_only", capacity=2)
    await seat(w, community, "grace", "waiting")
    for outsider in ("waiting", "stranger"):  # in line is not in the room
        with pytest.raises(NotFound):
            await directory(community.id, DirectoryQuery(), viewer_id=outsider, ports=w.ports)
    listed = await directory(community.id, DirectoryQuery(), viewer_id="grace", ports=w.ports)
    assert sorted(x.profile.user_id for x in listed.items) == ["ada", "grace"]


async def test_erasing_an_owner_hands_over_to_the_longest_standing_moderator(w: World) -> None:
    community = await found(w, "ada", capacity=3)
    await seat(w, community, "mo", "mu", "waiting")
    for moderator in ("mo", "mu"):
        await change_role(community.id, moderator, role="moderator", actor_id="ada", ports=w.ports)
    w.emitted()
    exported = await CommunityExport(w.ports).export("ada")
    assert [m["role"] for m in exported["memberships"]] == ["owner"]

    (warned,) = await CommunityErasure(w.ports).consequences("ada")
    assert (warned.community_id, warned.outcome, warned.new_owner_id) == (
        community.id,
        "handed_over",
        "mo",
    )
    await w.ports.transactions.run(lambda session: CommunityErasure(w.ports).erase("ada", session))
    assert w.emitted() == [
        ev.MemberRoleChangedV1,
        ev.CommunityUpdatedV1,
        ev.MemberLeftV1,
        ev.SeatOfferedV1,
        ev.CommunityHandedOverV1,
    ]
    assert w.last(ev.CommunityHandedOverV1).data.new_owner_id == "mo"
    assert w.community(community.id).owner_id == "mo"
    assert w.last(ev.SeatOfferedV1).data.user_id == "waiting"
    assert all(key[1] != "ada" for key in w.store.memberships)
    assert all("ada" not in (e.actor_id, e.subject_id) for e in w.store.audit)


async def test_erasing_an_owner_without_moderators_archives_and_closes_applications(
    w: World,
) -> None:
    community = await found(w, "ada", join_policy="application")
    await apply(community.id, user_id="cy", answers={}, code_version=1, ports=w.ports)
    w.emitted()
    (warned,) = await CommunityErasure(w.ports).consequences("ada")
    assert (warned.outcome, warned.new_owner_id) == ("archived", None)
    await w.ports.transactions.run(lambda session: CommunityErasure(w.ports).erase("ada", session))
    assert w.emitted() == [
        ev.CommunityArchivedV1,
        ev.ApplicationClosedV1,
        ev.MemberLeftV1,
        ev.CommunityHandedOverV1,
    ]
    assert w.community(community.id).archived
    assert w.community(community.id).owner_id is None
    assert w.last(ev.CommunityHandedOverV1).data.archived
    assert w.standing(community.id, "cy").state == "former"
