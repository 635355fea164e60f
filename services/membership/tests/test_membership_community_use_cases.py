"""Community use cases over in-memory ports: founding, settings, archive, code of conduct."""

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_contracts.events import membership as ev
from membership.service import communities as use
from membership.service.admission import apply
from services.membership.tests.community_world import World, found, seat, world

pytestmark = pytest.mark.unit


@pytest.fixture
def w() -> World:
    return world()


async def test_founding_seats_the_owner_and_announces_both_facts(w: World) -> None:
    community = await found(w, "ada", capacity=3)
    assert [type(e) for e in w.store.events] == [ev.CommunityCreatedV1, ev.MemberJoinedV1]
    joined = w.last(ev.MemberJoinedV1)
    assert (joined.data.user_id, joined.data.role, joined.data.via) == ("ada", "owner", "founder")
    assert w.standing(community.id, "ada").role == "owner"
    assert w.community(community.id).seats.free == 2
    assert w.outbox.commits == 1


async def test_a_taken_slug_writes_nothing(w: World) -> None:
    first = await found(w, "ada")
    before = w.state()
    founding = use.Founding(
        details=first.details, capacity=5, code_of_conduct="Be kind always.", questions=()
    )
    with pytest.raises(Conflict) as refused:
        await use.create_community(founding, founder_id="bo", ports=w.ports)
    assert refused.value.code == "slug-taken"
    assert w.state() == before
    assert w.emitted() == []


async def test_only_the_owner_changes_settings(w: World) -> None:
    community = await found(w, "ada")
    await seat(w, community, "bo")
    before = w.state()
    for outsider in ("bo", "stranger"):
        with pytest.raises(Forbidden):
            await use.update_community(
                community.id, use.Changes(name="Taken over"), actor_id=outsider, ports=w.ports
            )
    assert w.state() == before

    changed, _ = await use.update_community(
        community.id,
        use.Changes(purpose="Review code, and ship it."),
        actor_id="ada",
        ports=w.ports,
    )
    assert changed.details.purpose == "Review code, and ship it."
    assert w.emitted() == [ev.CommunityUpdatedV1]


async def test_raising_the_capacity_offers_the_new_seats_in_line_order(w: World) -> None:
    community = await found(w, "ada", capacity=2)
    await seat(w, community, "bo", "cy", "di", "ed")  # bo seated; cy, di, ed wait in order
    await use.update_community(community.id, use.Changes(capacity=4), actor_id="ada", ports=w.ports)
    assert w.emitted() == [ev.CommunityUpdatedV1, ev.SeatOfferedV1, ev.SeatOfferedV1]
    assert [w.standing(community.id, u).state for u in ("cy", "di", "ed")] == [
        "offered",
        "offered",
        "waitlisted",
    ]
    assert w.community(community.id).seats.free == 0  # held for the offers

    with pytest.raises(Conflict) as refused:
        await use.update_community(
            community.id, use.Changes(capacity=3), actor_id="ada", ports=w.ports
        )
    assert refused.value.code == "capacity-below-members"


async def test_private_communities_are_not_found_by_outsiders(w: World) -> None:
    community = await found(w, "ada", visibility="private", join_policy="invite_only")
    with pytest.raises(NotFound):
        await use.read_community(community.id, viewer_id="stranger", ports=w.ports)
    seen, standing = await use.read_community(
        community.details.slug, viewer_id="ada", ports=w.ports
    )
    assert seen.id == community.id
    assert standing is not None
    assert standing.role == "owner"
    listed = await use.list_communities(
        cursor=None, limit=10, tag=None, language=None, ports=w.ports
    )
    assert listed.items == []


async def test_archiving_is_the_owners_and_closes_pending_applications(w: World) -> None:
    community = await found(w, "ada", join_policy="application")
    await seat(w, community, "mo")
    application = await apply(community.id, user_id="cy", answers={}, code_version=1, ports=w.ports)
    w.emitted()
    with pytest.raises(Forbidden):
        await use.archive_community(community.id, actor_id="mo", ports=w.ports)

    archived = await use.archive_community(community.id, actor_id="ada", ports=w.ports)
    assert archived.archived
    assert w.emitted() == [ev.CommunityArchivedV1, ev.ApplicationClosedV1]
    closed = w.last(ev.ApplicationClosedV1)
    assert (closed.data.applicant_id, closed.data.cause) == ("cy", "community_archived")
    assert w.store.applications[application.id].status == "closed"
    assert w.standing(community.id, "cy").state == "former"
    assert w.store.audit[-1].action == "community_archived"
    with pytest.raises(Conflict) as refused:
        await use.archive_community(community.id, actor_id="ada", ports=w.ports)
    assert refused.value.code == "community-archived"


async def test_a_new_code_of_conduct_must_be_accepted_again_by_members(w: World) -> None:
    community = await found(w, "ada")
    await seat(w, community, "bo")
    with pytest.raises(Forbidden):
        await use.publish_code_of_conduct(
            community.id, "New rules for everyone.", actor_id="bo", ports=w.ports
        )
    published, _ = await use.publish_code_of_conduct(
        community.id, "New rules for everyone.", actor_id="ada", ports=w.ports
    )
    assert published.code_of_conduct.version == 2
    assert w.emitted() == [ev.CodeOfConductPublishedV1, ev.CodeOfConductAcceptedV1]
    assert not w.standing(community.id, "ada").needs_code_acceptance(2)  # publishing is accepting
    assert w.standing(community.id, "bo").needs_code_acceptance(2)

    before = w.state()
    with pytest.raises(Conflict) as refused:
        await use.accept_code_of_conduct(community.id, 1, user_id="bo", ports=w.ports)
    assert refused.value.code == "code-of-conduct-outdated"
    assert w.state() == before
    accepted = await use.accept_code_of_conduct(community.id, 2, user_id="bo", ports=w.ports)
    assert accepted.code_version == 2
    assert w.emitted() == [ev.CodeOfConductAcceptedV1]
    assert w.last(ev.CodeOfConductAcceptedV1).data.version == 2
    with pytest.raises(Forbidden):
        await use.accept_code_of_conduct(community.id, 2, user_id="stranger", ports=w.ports)
