"""Fan-out use case with in-memory ports: bulk writes, once per event, erasure."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cerchia_chassis.sealing import Opener, OpeningKey
from cerchia_chassis.testing import InMemoryInbox
from cerchia_contracts.events import membership as m
from notifications.adapters.messages import Copy
from notifications.domain.deliveries import Channel, Delivery
from notifications.domain.feed import FeedItem
from notifications.domain.preferences import Preferences
from notifications.service.events import EventHandler
from notifications.service.fanout import Fanout
from notifications.service.ports import Contact, DigestEntry

pytestmark = pytest.mark.unit

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


class Calls:
    def __init__(self) -> None:
        self.log: list[str] = []


class Store:
    """Every port at once, recording each round trip."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.users: dict[str, Contact] = {}
        self.roles: dict[str, dict[str, str]] = {}
        self.feed: list[FeedItem] = []
        self.deliveries: list[Delivery] = []
        self.digest: list[DigestEntry] = []
        self.digest_due: dict[tuple[str, str | None], datetime] = {}
        self.unparked: list[Contact] = []
        self.wakes = 0

    def _call(self, name: str) -> None:
        self.calls.log.append(name)

    # users
    async def upsert(self, **kw: Any) -> None:
        self._call("users.upsert")
        self.users[kw["user_id"]] = Contact(
            kw["user_id"], kw["email"], kw["display_name"], kw["locale"], kw.get("timezone")
        )

    async def contacts(self, ids: Sequence[str], session: Any) -> dict[str, Contact]:
        self._call("users.contacts")
        return {i: self.users[i] for i in ids if i in self.users}

    async def erase(self, user_id: str, session: Any) -> None:
        self._call("erase")
        self.users.pop(user_id, None)
        self.feed = [f for f in self.feed if f.user_id != user_id]

    # communities
    async def set_member(self, cid: str, uid: str, *, role: str, session: Any) -> None:
        self.roles.setdefault(cid, {})[uid] = role

    async def remove_member(self, cid: str, uid: str, session: Any) -> None:
        self.roles.get(cid, {}).pop(uid, None)

    async def community_roles(self, cid: str, session: Any = None) -> dict[str, str]:
        self._call("communities.roles")
        return dict(self.roles.get(cid, {}))

    async def name(self, cid: str, session: Any = None) -> str | None:
        self._call("communities.name")
        return "Lettori"

    async def erase_user(self, user_id: str, session: Any) -> None:
        for members in self.roles.values():
            members.pop(user_id, None)

    # preferences, push, webhooks, budget
    async def many(self, ids: Sequence[str], session: Any) -> dict[str, Preferences]:
        self._call("preferences.many")
        return {}

    async def users_with_push(self, ids: Sequence[str], session: Any) -> set[str]:
        self._call("push.users_with_push")
        return set()

    async def matching(self, cid: str, event_type: str, session: Any) -> list[Any]:
        self._call("webhooks.matching")
        return []

    async def reserve(self, cid: str, *, wanted: int, now: datetime, session: Any) -> int:
        self._call("budget.reserve")
        return wanted

    # writes
    async def add_feed(self, items: Sequence[FeedItem], session: Any) -> None:
        self._call("feed.add")
        self.feed.extend(items)

    async def enqueue(self, deliveries: Sequence[Delivery], session: Any) -> None:
        self._call("deliveries.enqueue")
        self.deliveries.extend(deliveries)

    async def add_digest(
        self,
        entries: Sequence[DigestEntry],
        due: Mapping[tuple[str, str | None], datetime],
        session: Any,
    ) -> None:
        self._call("digests.add")
        self.digest.extend(entries)
        self.digest_due.update(due)

    async def unpark(self, contact: Contact, *, now: datetime, session: Any) -> int:
        self.unparked.append(contact)
        return 1

    def wake(self) -> None:
        self.wakes += 1


class Port:
    """Adapts ``Store`` methods to one port's method names."""

    def __init__(self, **methods: Any) -> None:
        self.__dict__.update(methods)


def handler(store: Store) -> EventHandler:
    async def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    fanout = Fanout(
        users=Port(upsert=store.upsert, contacts=store.contacts, erase=store.erase),  # type: ignore[arg-type]
        communities=Port(  # type: ignore[arg-type]
            upsert=nothing,
            set_member=store.set_member,
            remove_member=store.remove_member,
            roles=store.community_roles,
            name=store.name,
            erase_user=store.erase_user,
        ),
        preferences=Port(many=store.many, erase=nothing),  # type: ignore[arg-type]
        push=Port(users_with_push=store.users_with_push, erase=nothing),  # type: ignore[arg-type]
        feed=Port(add=store.add_feed, erase=nothing),  # type: ignore[arg-type]
        deliveries=Port(  # type: ignore[arg-type]
            enqueue=store.enqueue, erase=nothing, wake=store.wake, unpark=store.unpark
        ),
        digests=Port(add=store.add_digest, erase=nothing),  # type: ignore[arg-type]
        webhooks=Port(matching=store.matching),  # type: ignore[arg-type]
        budget=Port(reserve=store.reserve),  # type: ignore[arg-type]
        copy=Copy(),
    )
    return EventHandler(
        inbox=InMemoryInbox(),
        fanout=fanout,
        opener=Opener([OpeningKey.generate()]),
        clock=lambda: NOW,
    )


def community(store: Store, size: int) -> None:
    members = {f"u{i}": "member" for i in range(size)}
    members["u0"] = "owner"
    store.roles["c"] = members
    for user in members:
        store.users[user] = Contact(user, f"{user}@example.org", user.upper(), "it")


def code_of_conduct(actor: str = "u0") -> m.CodeOfConductPublishedV1:
    return m.CodeOfConductPublishedV1.new(
        subject="c",
        data=m.CodeOfConductPublished(community_id="c", actor_id=actor, version=2),
    )


async def test_a_150_member_community_is_fanned_out_in_a_constant_number_of_round_trips() -> None:
    calls = Calls()
    store = Store(calls)
    community(store, 150)
    assert await handler(store).handle(code_of_conduct())
    assert len(store.feed) == 149  # everyone but the owner who published it
    assert len(store.deliveries) == 149
    assert {d.channel for d in store.deliveries} == {Channel.EMAIL}
    assert "u0" not in {f.user_id for f in store.feed}
    assert sorted(calls.log) == sorted(
        [
            "communities.roles",
            "users.contacts",
            "preferences.many",
            "push.users_with_push",
            "budget.reserve",
            "communities.name",
            "feed.add",
            "deliveries.enqueue",
            "webhooks.matching",
        ]
    )
    titles = {f.title for f in store.feed}
    assert titles == {"Nuovo codice di condotta in Lettori"}
    assert store.wakes == 1


async def test_a_redelivered_event_has_no_second_effect() -> None:
    store = Store(Calls())
    community(store, 5)
    events = handler(store)
    event = code_of_conduct()
    assert await events.handle(event)
    assert not await events.handle(event)
    assert len(store.feed) == 4
    assert len({d.key for d in store.deliveries}) == len(store.deliveries) == 4


async def test_erasure_forgets_the_person_and_later_events_skip_them() -> None:
    store = Store(Calls())
    community(store, 3)
    events = handler(store)
    await events.handle(code_of_conduct())
    await events.handle(m.UserErasedV1.new(subject="u1", data=m.UserErased(user_id="u1")))
    assert "u1" not in store.users
    assert all(f.user_id != "u1" for f in store.feed)
    store.deliveries.clear()
    await events.handle(code_of_conduct())
    assert {d.recipient_id for d in store.deliveries} == {"u2"}


async def test_someone_not_projected_yet_is_in_the_feed_now_and_their_email_waits() -> None:
    store = Store(Calls())
    community(store, 3)
    store.roles["c"]["ghost"] = "member"  # joined, but their account is not projected yet
    events = handler(store)
    await events.handle(code_of_conduct())
    assert "ghost" in {f.user_id for f in store.feed}
    (parked,) = [d for d in store.deliveries if d.recipient_id == "ghost"]
    assert parked.channel is Channel.EMAIL
    assert parked.address == ""
    assert parked.park_until == NOW + timedelta(days=1)
    assert all(d.park_until is None for d in store.deliveries if d.recipient_id != "ghost")

    registered = m.UserRegisteredV1.new(
        subject="ghost",
        data=m.UserRegistered(
            user_id="ghost", email="ghost@example.org", display_name="Gina", locale="en"
        ),
    )
    await events.handle(registered)
    (contact,) = store.unparked
    assert (contact.user_id, contact.email, contact.locale) == ("ghost", "ghost@example.org", "en")
    assert store.users["ghost"].display_name == "Gina"


async def test_discussions_wait_for_each_communitys_own_digest() -> None:
    from cerchia_contracts.events import content as c

    store = Store(Calls())
    community(store, 3)
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
    await handler(store).handle(thread)
    assert {e.user_id for e in store.digest} == {"u0", "u2"}
    assert set(store.digest_due) == {("u0", "c"), ("u2", "c")}
    assert all(e.community_id == "c" for e in store.digest)
    assert not [d for d in store.deliveries if d.channel is Channel.EMAIL]
