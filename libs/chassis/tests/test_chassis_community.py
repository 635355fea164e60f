"""The shared projection of membership's communities: facts apply by the time they happened."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from cerchia_chassis.community_projection import CommunityProjection
from cerchia_chassis.domain.community import MemberChange, Standing, changes_of
from cerchia_chassis.mongo import Transactions, ensure_indexes
from cerchia_contracts.events import membership as m

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def joined(community: str, user: str, when: datetime, role: str = "member") -> m.MemberJoinedV1:
    return m.MemberJoinedV1.new(
        subject=community,
        time=when,
        data=m.MemberJoined(
            community_id=community,
            actor_id=user,
            user_id=user,
            role=role,
            via="open",
            code_of_conduct_version=1,
        ),
    )


def left(community: str, user: str, when: datetime) -> m.MemberLeftV1:
    return m.MemberLeftV1.new(
        subject=community,
        time=when,
        data=m.MemberLeft(community_id=community, actor_id=user, user_id=user),
    )


def created(community: str, when: datetime, visibility: str = "public") -> m.CommunityCreatedV1:
    return m.CommunityCreatedV1.new(
        subject=community,
        time=when,
        data=m.CommunityCreated(
            community_id=community,
            actor_id="ada",
            slug=f"s-{community}",
            name="Python a Bologna",
            purpose="Grow.",
            audience="Developers.",
            language="it",
            visibility=visibility,  # type: ignore[arg-type]
            join_policy="open",
            capacity=10,
            owner_id="ada",
            code_of_conduct_version=1,
        ),
    )


@pytest.mark.unit
def test_a_replayed_join_does_not_undo_a_later_leave() -> None:
    (join,) = changes_of(joined("c", "bo", at(1)))
    (leave,) = changes_of(left("c", "bo", at(2)))
    assert isinstance(join, MemberChange)
    assert isinstance(leave, MemberChange)
    after_leave = leave.applied_to(join.applied_to(None))
    assert after_leave.standing is Standing.LEFT
    # The join re-driven from a dead-letter topic after the leave: nothing changes.
    assert join.applied_to(after_leave) == after_leave
    # A join that happened after the leave does apply.
    (rejoin,) = changes_of(joined("c", "bo", at(3)))
    assert rejoin.applied_to(after_leave).standing is Standing.ACTIVE


@pytest.mark.unit
def test_code_versions_only_grow_and_an_archive_sticks() -> None:
    (acceptance,) = changes_of(
        m.CodeOfConductAcceptedV1.new(
            subject="c",
            time=at(5),
            data=m.CodeOfConductAccepted(community_id="c", actor_id="bo", user_id="bo", version=2),
        )
    )
    # Known before the join: remembered, without making anyone a member.
    early = acceptance.applied_to(None)
    assert (early.standing, early.accepted_code_of_conduct_version) == (Standing.LEFT, 2)
    (join,) = changes_of(joined("c", "bo", at(1)))
    assert join.applied_to(early).accepted_code_of_conduct_version == 2
    (archive,) = changes_of(
        m.CommunityArchivedV1.new(
            subject="c", time=at(1), data=m.CommunityArchived(community_id="c", actor_id="ada")
        )
    )
    (description,) = changes_of(created("c", at(0)))
    archived = description.applied_to(archive.applied_to(None))
    assert archived.archived
    assert archived.name == "Python a Bologna"


@pytest.fixture
async def projection(mongo_uri: str) -> AsyncIterator[tuple[CommunityProjection, Transactions]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    db = client[f"projection_{uuid.uuid4().hex[:10]}"]
    await ensure_indexes(db, CommunityProjection.indexes)
    yield CommunityProjection(db), Transactions(client)
    await client.drop_database(db.name)
    await client.close()


@pytest.mark.integration
async def test_the_projection_folds_events_in_any_order_into_the_same_state(
    projection: tuple[CommunityProjection, Transactions],
) -> None:
    view, transactions = projection
    events = [
        created("c1", at(0)),
        joined("c1", "ada", at(0), role="owner"),
        joined("c1", "bo", at(1)),
        left("c1", "bo", at(2)),
        joined("c1", "cy", at(3)),
    ]
    for event in [*events, events[2]]:  # the join of bo replayed last
        await transactions.run(lambda s, e=event: view.apply(e, s))
    community = await view.community("c1")
    assert community is not None
    assert (community.visibility, community.owner_id) == ("public", "ada")
    bo = await view.member("c1", "bo")
    assert bo is not None
    assert bo.standing is Standing.LEFT
    assert [x.user_id for x in await view.members("c1")] == ["ada", "cy"]
    assert [x.user_id for x in await view.members("c1", roles={"owner"})] == ["ada"]
    assert await view.roles("c1", ["ada", "bo", "cy"]) == {"ada": "owner", "cy": "member"}
    assert [x.community_id for x in await view.memberships_of("cy")] == ["c1"]
    await transactions.run(lambda s: view.forget_user("cy", s))
    assert await view.memberships_of("cy") == []
