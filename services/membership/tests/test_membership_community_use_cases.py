"""Community use cases over in-memory ports: founding, settings, archive, code of conduct."""

import uuid
from typing import Any

import pytest

from cerchia_chassis.domain.cursors import InvalidCursor, encode_cursor
from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_contracts.events import membership as ev
from membership.domain.communities import Community, Details
from membership.service import communities as use
from membership.service.admission import apply, join
from membership.service.communities import Founding
from membership.service.directory import my_communities
from services.membership.tests.community_world import CODE, World, found, seat, world

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
    with pytest.raises(NotFound):  # nor by anonymous visitors
        await use.read_community(community.id, viewer_id=None, ports=w.ports)
    page = await use.read_community(community.details.slug, viewer_id="ada", ports=w.ports)
    seen, standing = page.community, page.standing
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


async def found_about(
    w: World, name: str, purpose: str, tags: tuple[str, ...] = (), **details: Any
) -> Community:
    settings = Details(
        name=name,
        slug=f"c-{uuid.uuid4().hex[:8]}",
        purpose=purpose,
        audience=details.pop("audience", "Anyone curious."),
        tags=tags,
        language=details.pop("language", "en"),
        visibility=details.pop("visibility", "public"),
        join_policy="open",
    )
    founding = Founding(details=settings, capacity=10, code_of_conduct=CODE, questions=())
    community, _ = await use.create_community(founding, founder_id="ada", ports=w.ports)
    return community


async def test_discovery_finds_public_communities_by_words_most_relevant_first(w: World) -> None:
    named = await found_about(w, "Python reviewers", "We review code every month.")
    tagged = await found_about(w, "Code circle", "Monthly reviews.", tags=("python",))
    mentioned = await found_about(w, "Makers", "Hardware, and some Python scripting.")
    await found_about(w, "Jazz club", "Listening together.")
    await found_about(w, "Python secrets", "Private.", visibility="private")
    await found_about(w, "Python by link", "Unlisted.", visibility="unlisted")
    italian = await found_about(
        w, "Città lente", "Camminare per le città.", language="it", audience="Viandanti."
    )

    def search(q: str, cursor: str | None = None, limit: int = 10) -> Any:
        return use.list_communities(
            cursor=cursor, limit=limit, tag=None, language=None, q=q, ports=w.ports
        )

    hits = await search("python")
    assert [c.id for c in hits.items] == [named.id, tagged.id, mentioned.id]
    first = await search("python", limit=2)
    assert [c.id for c in first.items] == [named.id, tagged.id]
    rest = await search("python", cursor=first.next_cursor, limit=2)
    assert ([c.id for c in rest.items], rest.next_cursor) == ([mentioned.id], None)
    assert [c.id for c in (await search("CITTA")).items] == [italian.id]  # accents folded
    assert [c.id for c in (await search("viandanti")).items] == [italian.id]  # the audience
    assert (await search("reviewing")).items[0].id in {named.id, tagged.id}  # stemmed
    assert (await search("?!")).items == []
    with pytest.raises(InvalidCursor):
        await search("python", cursor=encode_cursor(("python",)))


async def test_a_public_page_is_open_to_anyone_and_shows_the_line(w: World) -> None:
    community = await found(w, "ada", capacity=2)
    await seat(w, community, "bo")
    for user in ("cy", "di"):
        await join(community.id, user_id=user, code_version=1, ports=w.ports)

    anonymous = await use.read_community(community.details.slug, viewer_id=None, ports=w.ports)
    assert (anonymous.standing, anonymous.position, anonymous.waiting) == (None, None, 2)
    mine = await use.read_community(community.id, viewer_id="di", ports=w.ports)
    assert mine.standing is not None
    assert (mine.standing.state, mine.position, mine.waiting) == ("waitlisted", 2, 2)
    (listed,) = await my_communities(user_id="di", ports=w.ports)
    assert listed.position == mine.position  # the same place in line on both pages

    unlisted = await found(w, "ada", visibility="unlisted")
    with pytest.raises(NotFound):
        await use.read_community(unlisted.id, viewer_id=None, ports=w.ports)
    assert (await use.read_community(unlisted.id, viewer_id="cy", ports=w.ports)).waiting == 0
