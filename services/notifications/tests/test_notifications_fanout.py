"""Handling events with in-memory ports: bulk fan-out, once per event, erasure, the projection
folded by time, and nothing written when the event's unit of work fails."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from cerchia_chassis.domain.community import CommunityState
from cerchia_contracts.events import content as c
from cerchia_contracts.events import membership as m
from notifications.domain.deliveries import Channel
from notifications.domain.feed import FeedItem
from notifications.service.events import CONSUMER, handle_event
from notifications.service.ports import Contact
from services.notifications.tests.memory import NOW, World

pytestmark = pytest.mark.unit


def community(world: World, size: int) -> None:
    """Community ``c`` (Lettori) with ``size`` members, ``u0`` its owner, all with an address."""
    world.store.communities["c"] = CommunityState("c", name="Lettori", described_at=NOW)
    for n in range(size):
        user = f"u{n}"
        world.store.join("c", user, "owner" if n == 0 else "member")
        world.store.users[user] = Contact(user, f"{user}@example.org", user.upper(), "it")


def code_of_conduct(actor: str = "u0") -> m.CodeOfConductPublishedV1:
    return m.CodeOfConductPublishedV1.new(
        subject="c",
        data=m.CodeOfConductPublished(community_id="c", actor_id=actor, version=2),
    )


def joined(user: str, at_minutes: int) -> m.MemberJoinedV1:
    return m.MemberJoinedV1.new(
        subject="c",
        data=m.MemberJoined(
            community_id="c",
            actor_id=user,
            user_id=user,
            role="member",
            via="application",
            code_of_conduct_version=1,
        ),
        time=NOW + timedelta(minutes=at_minutes),
    )


def left(user: str, at_minutes: int) -> m.MemberLeftV1:
    return m.MemberLeftV1.new(
        subject="c",
        data=m.MemberLeft(community_id="c", actor_id=user, user_id=user),
        time=NOW + timedelta(minutes=at_minutes),
    )


async def test_a_150_member_community_is_fanned_out_in_a_constant_number_of_round_trips() -> None:
    world = World()
    community(world, 150)
    event = code_of_conduct()
    assert await handle_event(event, ports=world.fanout())
    store = world.store
    assert len(store.feed) == 149  # everyone but the owner who published it
    assert len(store.queue) == 149
    assert {d.channel for d in store.queue.values()} == {Channel.EMAIL}
    assert "u0" not in {f.user_id for f in store.feed}
    assert sorted(world.calls) == sorted(
        [
            "communities.members",
            "users.contacts",
            "preferences.many",
            "push.users_with_push",
            "budget.reserve",
            "communities.community",
            "feed.add",
            "deliveries.enqueue",
            "webhooks.matching",
        ]
    )
    assert {f.title for f in store.feed} == {"Nuovo codice di condotta in Lettori"}
    assert world.queue.wakes == 1
    assert store.processed == {(CONSUMER, event.id)}


async def test_a_redelivered_event_has_no_second_effect() -> None:
    world = World()
    community(world, 5)
    event = code_of_conduct()
    assert await handle_event(event, ports=world.fanout())
    assert not await handle_event(event, ports=world.fanout())
    assert len(world.store.feed) == 4
    assert len(world.store.queue) == 4


async def test_erasure_forgets_the_person_and_later_events_skip_them() -> None:
    world = World()
    community(world, 3)
    ports = world.fanout()
    await handle_event(code_of_conduct(), ports=ports)
    await handle_event(
        m.UserErasedV1.new(subject="u1", data=m.UserErased(user_id="u1")), ports=ports
    )
    store = world.store
    assert "u1" not in store.users
    assert ("c", "u1") not in store.memberships
    assert all(f.user_id != "u1" for f in store.feed)
    assert all(d.recipient_id != "u1" for d in store.queue.values())
    assert store.forgotten_people == ["u1"]  # its key to their data on Kafka is destroyed
    store.queue.clear()
    await handle_event(code_of_conduct(), ports=ports)
    assert {d.recipient_id for d in store.queue.values()} == {"u2"}


async def test_a_notice_names_who_acted_by_the_rule_and_every_person_it_names() -> None:
    world = World()
    community(world, 3)
    accepted = m.IntroductionAcceptedV1.new(
        subject="i1",
        data=m.IntroductionAccepted(
            introduction_id="i1", community_id="c", requester_id="u1", recipient_id="u2"
        ),
    )
    await handle_event(accepted, ports=world.fanout())
    (delivery,) = [d for d in world.store.queue.values() if d.channel is Channel.EMAIL]
    assert delivery.recipient_id == "u1"
    # The one who accepted acted (not the requester, who is told), and erasing either of them
    # empties the message.
    assert delivery.context["actor"] == "U2"
    assert delivery.context["named_ids"] == ["u2"]


async def test_someone_not_projected_yet_is_in_the_feed_now_and_their_email_waits() -> None:
    world = World()
    community(world, 3)
    world.store.join("c", "ghost")  # joined, but their account is not projected yet
    ports = world.fanout()
    await handle_event(code_of_conduct(), ports=ports)
    store = world.store
    assert "ghost" in {f.user_id for f in store.feed}
    (parked,) = [d for d in store.queue.values() if d.recipient_id == "ghost"]
    assert parked.channel is Channel.EMAIL
    assert parked.address == ""
    assert parked.park_until == NOW + timedelta(days=1)
    assert all(d.park_until is None for d in store.queue.values() if d.recipient_id != "ghost")

    registered = m.UserRegisteredV1.new(
        subject="ghost",
        data=m.UserRegistered(
            user_id="ghost", email="ghost@example.org", display_name="Gina", locale="en"
        ),
    )
    await handle_event(registered, ports=ports)
    (contact,) = store.unparked
    assert (contact.user_id, contact.email, contact.locale) == ("ghost", "ghost@example.org", "en")
    assert store.users["ghost"].display_name == "Gina"


async def test_discussions_wait_for_each_communitys_own_digest() -> None:
    world = World()
    community(world, 3)
    thread = c.ThreadCreatedV1.new(
        subject="c",
        data=c.ThreadCreated(
            community_id="c",
            actor_id="u1",
            thread_id="t",
            thread_title="Libri d'estate",
            thread_author_id="u1",
            excerpt="Che cosa leggete?",
        ),
    )
    await handle_event(thread, ports=world.fanout())
    store = world.store
    assert {e.user_id for e in store.digest} == {"u0", "u2"}
    assert set(store.digest_due) == {("u0", "c"), ("u2", "c")}
    assert all(e.community_id == "c" for e in store.digest)
    assert not [d for d in store.queue.values() if d.channel is Channel.EMAIL]


async def test_a_join_replayed_after_a_later_departure_leaves_the_person_out() -> None:
    # A MemberJoined dead-lettered, then replayed after the member's later MemberLeft (never
    # processed before): the departure is newer, so the person stays out.
    world = World()
    community(world, 2)
    ports = world.fanout()
    world.store.users["ada"] = Contact("ada", "ada@example.org", "Ada", "it")
    await handle_event(left("ada", at_minutes=2), ports=ports)
    await handle_event(joined("ada", at_minutes=1), ports=ports)
    member = world.store.memberships[("c", "ada")]
    assert not member.active
    assert [s.user_id for s in await world.communities.members("c")] == ["u0", "u1"]

    world.store.queue.clear()
    await handle_event(code_of_conduct(), ports=ports)
    assert "ada" not in {d.recipient_id for d in world.store.queue.values()}
    # A join that is newer than the departure does count.
    await handle_event(joined("ada", at_minutes=3), ports=ports)
    assert world.store.memberships[("c", "ada")].active


class Unreachable(Exception):
    """The database went away in the middle of the unit of work."""


async def test_a_failed_unit_of_work_writes_nothing_not_even_the_projection() -> None:
    world = World()
    community(world, 3)

    async def broken(items: Sequence[FeedItem], session: Any) -> None:
        raise Unreachable

    world.feed.add = broken  # type: ignore[method-assign]
    before = world.store.snapshot()
    event = joined("newcomer", at_minutes=0)  # the owner is told in the app
    with pytest.raises(Unreachable):
        await handle_event(event, ports=world.fanout())
    assert world.store.snapshot() == before
    assert ("c", "newcomer") not in world.store.memberships
    assert world.store.feed == []
    assert world.store.processed == set()
    assert world.queue.wakes == 0
