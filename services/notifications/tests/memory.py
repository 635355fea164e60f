"""In-memory ports of the notifications use cases, with every state on one ``MemoryStore``.

``FakeTransactions`` (the chassis's) restores the whole store when a unit of work raises, so a
test can prove that a refused or failed command wrote nothing. Each fake records the round trips
it was asked for in ``calls`` (outside the store: a rollback does not undo what was asked).
"""

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.domain.community import (
    CommunityState,
    MemberState,
    Standing,
)
from cerchia_chassis.sealing import Opener, OpeningKey
from cerchia_chassis.testing import (
    CommunityStore,
    FakeCommunityProjection,
    FakeInbox,
    FakeOutbox,
    FakeTransactions,
)
from notifications.adapters.messages import Copy
from notifications.domain.deliveries import Channel, Delivery, DeliveryStatus, Failure
from notifications.domain.feed import FeedItem
from notifications.domain.preferences import Preferences
from notifications.domain.webhooks import WebhookSubscription
from notifications.service.log_ports import DeliveryFilter, DeliveryRecord, LogPosition
from notifications.service.ports import (
    Contact,
    DigestEntry,
    DueDigest,
    FanoutPorts,
    Ports,
    PushSubscription,
    Sender,
    SendingPorts,
)

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@dataclass
class Memory(CommunityStore):
    """Every collection of the notifications service (with the chassis's: events, inbox
    records, the community projection)."""

    users: dict[str, Contact] = field(default_factory=dict)
    preferences: dict[str, Preferences] = field(default_factory=dict)
    browsers: dict[str, list[PushSubscription]] = field(default_factory=dict)
    feed: list[FeedItem] = field(default_factory=list)
    queue: dict[str, Delivery] = field(default_factory=dict)
    status: dict[str, DeliveryStatus] = field(default_factory=dict)
    #: Keys a sender claimed and has not settled yet.
    claimed: set[str] = field(default_factory=set)
    #: Delivery key -> the session it was marked sent in.
    sent: dict[str, Any] = field(default_factory=dict)
    #: Delivery key -> (retry time, session) of its failure.
    failed: dict[str, tuple[datetime | None, Any]] = field(default_factory=dict)
    #: The last error of each delivery and its category, as the delivery log keeps them.
    errors: dict[str, tuple[str, Failure]] = field(default_factory=dict)
    postponed: dict[str, datetime] = field(default_factory=dict)
    unparked: list[Contact] = field(default_factory=list)
    digest: list[DigestEntry] = field(default_factory=list)
    digest_due: dict[tuple[str, str | None], datetime] = field(default_factory=dict)
    due_digests: list[DueDigest] = field(default_factory=list)
    postponed_digests: list[tuple[DueDigest, datetime]] = field(default_factory=list)
    webhooks: dict[str, WebhookSubscription] = field(default_factory=dict)

    def join(self, community_id: str, user_id: str, role: str = "member") -> None:
        """A member as the projection holds them."""
        self.memberships[(community_id, user_id)] = MemberState(
            community_id, user_id, role=role, standing=Standing.ACTIVE
        )


class Calls(list[str]):
    """The round trips the ports were asked for, in order."""


class _Fake:
    def __init__(self, store: Memory, calls: Calls | None = None) -> None:
        self.store = store
        self.calls = calls if calls is not None else Calls()

    def _call(self, name: str) -> None:
        self.calls.append(name)


class MemoryUsers(_Fake):
    async def upsert(self, contact: Contact, session: Any) -> None:
        self._call("users.upsert")
        self.store.users[contact.user_id] = contact

    async def contacts(self, user_ids: Sequence[str], session: Any) -> dict[str, Contact]:
        self._call("users.contacts")
        return {u: self.store.users[u] for u in user_ids if u in self.store.users}

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.users.pop(user_id, None)


class MemoryCommunities(FakeCommunityProjection):
    """The chassis's in-memory projection, counting the round trips fan-out asks of it."""

    def __init__(self, store: Memory, calls: Calls) -> None:
        super().__init__(store)
        self.calls = calls

    async def community(self, community_id: str, session: Any = None) -> CommunityState | None:
        self.calls.append("communities.community")
        return await super().community(community_id, session)

    async def member(
        self, community_id: str, user_id: str, session: Any = None
    ) -> MemberState | None:
        self.calls.append("communities.member")
        return await super().member(community_id, user_id, session)

    async def members(
        self, community_id: str, *, roles: Iterable[str] | None = None, session: Any = None
    ) -> list[MemberState]:
        self.calls.append("communities.members")
        return await super().members(community_id, roles=roles, session=session)


class MemoryPreferences(_Fake):
    async def get(self, user_id: str) -> Preferences:
        return self.store.preferences.get(user_id, Preferences())

    async def many(self, user_ids: Sequence[str], session: Any) -> dict[str, Preferences]:
        self._call("preferences.many")
        return {u: self.store.preferences[u] for u in user_ids if u in self.store.preferences}

    async def put(self, user_id: str, preferences: Preferences) -> None:
        self.store.preferences[user_id] = preferences

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.preferences.pop(user_id, None)


class MemoryPush(_Fake):
    """Browsers' subscriptions: what fan-out asks and what people manage."""

    async def users_with_push(self, user_ids: Sequence[str], session: Any) -> set[str]:
        self._call("push.users_with_push")
        return {u for u in user_ids if self.store.browsers.get(u)}

    async def save(self, user_id: str, subscription: PushSubscription) -> None:
        mine = self.store.browsers.setdefault(user_id, [])
        mine[:] = [s for s in mine if s.endpoint != subscription.endpoint] + [subscription]

    async def remove(self, user_id: str, endpoint: str) -> bool:
        mine = self.store.browsers.get(user_id, [])
        kept = [s for s in mine if s.endpoint != endpoint]
        self.store.browsers[user_id] = kept
        return len(kept) < len(mine)

    async def of_many(self, user_ids: Sequence[str]) -> dict[str, list[PushSubscription]]:
        return {u: list(self.store.browsers[u]) for u in user_ids if self.store.browsers.get(u)}

    async def forget_endpoint(self, endpoint: str) -> None:
        for user in self.store.browsers:
            self.store.browsers[user] = [
                s for s in self.store.browsers[user] if s.endpoint != endpoint
            ]

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.browsers.pop(user_id, None)


class MemoryFeed(_Fake):
    """Items get ids in insertion order (24 hex digits, like the ObjectIds of the real feed)."""

    async def add(self, items: Sequence[FeedItem], session: Any) -> None:
        self._call("feed.add")
        start = len(self.store.feed)
        self.store.feed.extend(
            replace(item, id=f"{start + n + 1:024x}") for n, item in enumerate(items)
        )

    async def page(self, user_id: str, *, before: str | None, limit: int) -> list[FeedItem]:
        mine = [i for i in reversed(self.store.feed) if i.user_id == user_id]
        if before is not None:
            mine = [i for i in mine if i.id < before]
        return mine[:limit]

    def follow(self, user_id: str, last_id: str | None) -> AsyncIterator[FeedItem]:
        raise NotImplementedError("the live stream needs the real feed")

    async def unread_count(self, user_id: str) -> int:
        return sum(1 for i in self.store.feed if i.user_id == user_id and i.read_at is None)

    async def mark_read(self, user_id: str, item_id: str, *, now: datetime) -> bool:
        for n, item in enumerate(self.store.feed):
            if item.id == item_id and item.user_id == user_id:
                self.store.feed[n] = replace(item, read_at=item.read_at or now)
                return True
        return False

    async def mark_all_read(self, user_id: str, *, now: datetime) -> int:
        unread = [
            n for n, i in enumerate(self.store.feed) if i.user_id == user_id and not i.read_at
        ]
        for n in unread:
            self.store.feed[n] = replace(self.store.feed[n], read_at=now)
        return len(unread)

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.feed = [i for i in self.store.feed if user_id not in (i.user_id, i.actor_id)]


class MemoryQueue(_Fake):
    """The delivery queue; ``wakes`` counts the sender's wake-ups (not state)."""

    def __init__(self, store: Memory, calls: Calls | None = None) -> None:
        super().__init__(store, calls)
        self.wakes = 0

    async def enqueue(self, deliveries: Sequence[Delivery], session: Any) -> None:
        self._call("deliveries.enqueue")
        for delivery in deliveries:
            self.store.queue.setdefault(delivery.key, delivery)
            self.store.status.setdefault(delivery.key, DeliveryStatus.PENDING)

    async def claim_due(
        self, *, limit: int, now: datetime, channels: Sequence[Channel] | None = None
    ) -> list[Delivery]:
        due = [
            d
            for key, d in self.store.queue.items()
            if (channels is None or d.channel in channels)
            and self.store.status[key] is DeliveryStatus.PENDING
            and key not in self.store.claimed
            and (d.due_at or now) <= now
        ][:limit]
        self.store.claimed.update(d.key for d in due)
        return due

    async def mark_sent(
        self, deliveries: Sequence[Delivery], *, now: datetime, session: Any
    ) -> None:
        for delivery in deliveries:
            self.store.claimed.discard(delivery.key)
            self.store.status[delivery.key] = DeliveryStatus.SENT
            self.store.errors.pop(delivery.key, None)
            self.store.sent[delivery.key] = session

    async def mark_failed(
        self,
        delivery: Delivery,
        *,
        error: str,
        failure: Failure = Failure.ERROR,
        retry_at: datetime | None,
        session: Any = None,
    ) -> None:
        self.store.claimed.discard(delivery.key)
        final = DeliveryStatus.FAILED if retry_at is None else DeliveryStatus.PENDING
        self.store.status[delivery.key] = final
        self.store.failed[delivery.key] = (retry_at, session)
        self.store.errors[delivery.key] = (error, failure)

    async def postpone(self, delivery: Delivery, *, until: datetime) -> None:
        self.store.claimed.discard(delivery.key)
        self.store.postponed[delivery.key] = until

    async def unpark(self, contact: Contact, *, now: datetime, session: Any) -> int:
        self.store.unparked.append(contact)
        return 1

    async def erase(self, user_id: str, session: Any, *, webhooks: Sequence[str] = ()) -> None:
        gone = {user_id, *webhooks}
        for key in [k for k, d in self.store.queue.items() if d.recipient_id in gone]:
            del self.store.queue[key]
            del self.store.status[key]

    def wake(self) -> None:
        self.wakes += 1


class MemoryDigests(_Fake):
    async def add(
        self,
        entries: Sequence[DigestEntry],
        due: Mapping[tuple[str, str | None], datetime],
        session: Any,
    ) -> None:
        self._call("digests.add")
        self.store.digest.extend(entries)
        self.store.digest_due.update(due)

    async def claim_due(self, *, now: datetime, limit: int) -> list[DueDigest]:
        return [d for d in self.store.due_digests if d.due_at <= now][:limit]

    async def take(self, due: DueDigest, session: Any) -> list[DigestEntry]:
        mine = [
            e
            for e in self.store.digest
            if (e.user_id, e.community_id) == (due.user_id, due.community_id)
        ]
        self.store.digest = [e for e in self.store.digest if e not in mine]
        return mine

    async def postpone(self, due: DueDigest, *, until: datetime) -> None:
        self.store.postponed_digests.append((due, until))

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.digest = [e for e in self.store.digest if e.user_id != user_id]


class MemoryWebhooks(_Fake):
    """Integrators' subscriptions: what fan-out matches and what owners manage."""

    async def matching(
        self, community_id: str, event_type: str, session: Any
    ) -> list[WebhookSubscription]:
        self._call("webhooks.matching")
        return [
            s
            for s in self.store.webhooks.values()
            if s.community_id == community_id and s.active and s.wants(event_type)
        ]

    async def remove_owned_by(self, owner_id: str, session: Any) -> list[str]:
        owned = [s.id for s in self.store.webhooks.values() if s.owner_id == owner_id]
        for subscription_id in owned:
            del self.store.webhooks[subscription_id]
        return owned

    async def add(self, subscription: WebhookSubscription) -> None:
        self.store.webhooks[subscription.id] = subscription

    async def get(self, subscription_id: str) -> WebhookSubscription | None:
        return self.store.webhooks.get(subscription_id)

    async def of_community(self, community_id: str) -> list[WebhookSubscription]:
        return [s for s in self.store.webhooks.values() if s.community_id == community_id]

    async def delete(self, subscription_id: str) -> None:
        self.store.webhooks.pop(subscription_id, None)

    async def set_secret(self, subscription_id: str, secret: str) -> None:
        self.store.webhooks[subscription_id] = replace(
            self.store.webhooks[subscription_id], secret=secret
        )

    async def record_outcome(
        self, subscription_id: str, *, ok: bool, disable_after: int, session: Any
    ) -> bool:
        current = self.store.webhooks[subscription_id]
        failures = 0 if ok else current.consecutive_failures + 1
        disabled = current.active and failures >= disable_after
        self.store.webhooks[subscription_id] = replace(
            current, consecutive_failures=failures, active=current.active and not disabled
        )
        return disabled

    async def enable(self, subscription_id: str) -> None:
        self.store.webhooks[subscription_id] = replace(
            self.store.webhooks[subscription_id], active=True, consecutive_failures=0
        )


class MemoryBudget(_Fake):
    """Grants every send (the budget's own rules are tested on the real store)."""

    async def reserve(self, community_id: str, *, wanted: int, now: datetime, session: Any) -> int:
        self._call("budget.reserve")
        return wanted


class MemoryLog(_Fake):
    """The delivery log over the store's queue."""

    async def page(
        self, selected: DeliveryFilter, *, after: LogPosition | None, limit: int
    ) -> list[DeliveryRecord]:
        records = sorted(
            (self._record(d) for d in self.store.queue.values()),
            key=lambda r: (r.created_at, r.key),
            reverse=True,
        )
        chosen = [
            r
            for r in records
            if (selected.recipient_id in (None, r.recipient_id))
            and (selected.status in (None, r.status))
            and (selected.channel in (None, r.channel))
            and (after is None or (r.created_at, r.key) < after)
        ]
        return chosen[:limit]

    async def get(self, key: str) -> DeliveryRecord | None:
        delivery = self.store.queue.get(key)
        return None if delivery is None else self._record(delivery)

    async def retry(self, key: str, *, now: datetime) -> DeliveryRecord | None:
        if self.store.status.get(key) is not DeliveryStatus.FAILED:
            return None
        self.store.status[key] = DeliveryStatus.PENDING
        return self._record(self.store.queue[key])

    async def replay(self, recipient_id: str, **kwargs: Any) -> int:
        return 0

    def wake(self) -> None:
        pass

    def _record(self, d: Delivery) -> DeliveryRecord:
        return DeliveryRecord(
            key=d.key,
            event_id=d.event_id,
            recipient_id=d.recipient_id,
            channel=d.channel,
            kind=d.template,
            category=d.category_label,
            urgency=d.urgency.value,
            community_id=d.community_id,
            status=self.store.status[d.key],
            attempts=d.attempts,
            created_at=d.created_at,
            due_at=d.due_at,
            last_error=self.store.errors.get(d.key, (None, None))[0],
            failure=self.store.errors.get(d.key, (None, None))[1],
        )


class AnyUrl:
    """A guard that lets every URL through."""

    async def check(self, url: str) -> None:
        return None


class NoTokens:
    """Unsubscribe tokens that never verify."""

    def issue(self, user_id: str, scope: str) -> str:
        return f"{user_id}:{scope}"

    def read(self, token: str) -> tuple[str, str] | None:
        return None


class FixedKey:
    async def public_key(self) -> str:
        return "BAKEY"


@dataclass
class World:
    """A store and the fakes over it, for any area's use cases."""

    store: Memory = field(default_factory=Memory)
    calls: Calls = field(default_factory=Calls)

    def __post_init__(self) -> None:
        self.transactions = FakeTransactions(self.store)
        self.outbox = FakeOutbox(self.store)
        self.inbox = FakeInbox(self.store, self.transactions)
        self.users = MemoryUsers(self.store, self.calls)
        self.communities = MemoryCommunities(self.store, self.calls)
        self.preferences = MemoryPreferences(self.store, self.calls)
        self.push = MemoryPush(self.store, self.calls)
        self.feed = MemoryFeed(self.store, self.calls)
        self.queue = MemoryQueue(self.store, self.calls)
        self.digests = MemoryDigests(self.store, self.calls)
        self.webhooks = MemoryWebhooks(self.store, self.calls)
        self.log = MemoryLog(self.store, self.calls)

    def fanout(self, opener: Opener | None = None) -> FanoutPorts:
        return FanoutPorts(
            inbox=self.inbox,
            outbox=self.outbox,
            opener=opener or Opener([OpeningKey.generate()]),
            users=self.users,
            communities=self.communities,
            preferences=self.preferences,
            push=self.push,
            feed=self.feed,
            deliveries=self.queue,
            digests=self.digests,
            webhooks=self.webhooks,
            budget=MemoryBudget(self.store, self.calls),
            copy=Copy(),
            clock=lambda: NOW,
        )

    def sending(self, senders: Mapping[Channel, Sender], **options: Any) -> SendingPorts:
        return SendingPorts(
            transactions=self.transactions,
            outbox=self.outbox,
            deliveries=self.queue,
            senders=senders,
            digests=self.digests,
            users=self.users,
            communities=self.communities,
            **{"clock": lambda: NOW, **options},
        )

    def api(self, **options: Any) -> Ports:
        return Ports(
            feed=self.feed,
            preferences=self.preferences,
            unsubscribe_tokens=NoTokens(),
            devices=self.push,
            server_key=FixedKey(),
            communities=self.communities,
            webhooks=self.webhooks,
            guard=AnyUrl(),
            log=self.log,
            **{"clock": lambda: NOW, **options},
        )
