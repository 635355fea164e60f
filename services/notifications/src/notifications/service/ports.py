"""What the notifications use cases need from the outside world, and the bundles of ports the
composition root hands them (one per area: the API, fan-out, sending).

The ports every service shares (``Session``, ``Transactions``, ``EventOutbox``, ``Inbox``) are the
chassis's; the projection of communities is the chassis's ``CommunityProjection``.
"""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cerchia_chassis.ports import CommunityView, EventOutbox, Inbox, Session, Transactions
from cerchia_contracts.events.membership.tokens import SealedToken
from notifications.domain.deliveries import Channel, Delivery, Failure
from notifications.domain.feed import FeedItem
from notifications.domain.preferences import Preferences
from notifications.domain.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS, PushEndpointPolicy
from notifications.domain.webhooks import WebhookSubscription
from notifications.service.log_ports import DeliveryLog

Clock = Callable[[], datetime]

#: The projection of membership's communities this service reads (the chassis's).
Communities = CommunityView


def utc_now() -> datetime:
    """The current time (UTC): every bundle's clock unless a test sets one."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Contact:
    """A user as the users projection knows them."""

    user_id: str
    email: str
    display_name: str
    locale: str
    timezone: str | None = None


@dataclass(frozen=True)
class DigestEntry:
    """A notification set aside for a person's next digest."""

    key: str
    user_id: str
    community_id: str | None
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime


@dataclass(frozen=True)
class DueDigest:
    """A person's digest of one community (None: of what belongs to no community), due now."""

    user_id: str
    community_id: str | None
    due_at: datetime


class TokenOpener(Protocol):
    """Opens a single-use token sealed to this service's key (raises when it cannot)."""

    def open(self, sealed: SealedToken, *, context: str) -> str: ...


class UserDirectory(Protocol):
    """The local projection of users built from membership events."""

    async def upsert(self, contact: Contact, session: Session) -> None: ...

    async def contacts(self, user_ids: Sequence[str], session: Session) -> dict[str, Contact]: ...

    async def erase(self, user_id: str, session: Session) -> None: ...


class PreferenceStore(Protocol):
    """People's notification preferences."""

    async def get(self, user_id: str) -> Preferences: ...

    async def many(self, user_ids: Sequence[str], session: Session) -> dict[str, Preferences]: ...

    async def put(self, user_id: str, preferences: Preferences) -> None: ...

    async def erase(self, user_id: str, session: Session) -> None: ...


class Feed(Protocol):
    """The in-app feeds."""

    async def add(self, items: Sequence[FeedItem], session: Session) -> None: ...

    async def page(self, user_id: str, *, before: str | None, limit: int) -> list[FeedItem]:
        """Up to ``limit`` items newest first, older than the item ``before`` (an item id)."""
        ...

    def follow(self, user_id: str, last_id: str | None) -> AsyncIterator[FeedItem]:
        """Items after ``last_id`` (none of the past when it is None), then new ones."""
        ...

    async def unread_count(self, user_id: str) -> int: ...

    async def mark_read(self, user_id: str, item_id: str, *, now: datetime) -> bool: ...

    async def mark_all_read(self, user_id: str, *, now: datetime) -> int: ...

    async def erase(self, user_id: str, session: Session) -> None: ...


class DeliveryQueue(Protocol):
    """Deliveries waiting to be sent, claimed one worker at a time."""

    async def enqueue(self, deliveries: Sequence[Delivery], session: Session) -> None: ...

    async def claim_due(
        self, *, limit: int, now: datetime, channels: Sequence[Channel] | None = None
    ) -> list[Delivery]: ...

    async def mark_sent(
        self, deliveries: Sequence[Delivery], *, now: datetime, session: Session
    ) -> None: ...

    async def mark_failed(
        self,
        delivery: Delivery,
        *,
        error: str,
        failure: Failure = Failure.ERROR,
        retry_at: datetime | None,
        session: Session | None = None,
    ) -> None: ...

    async def postpone(self, delivery: Delivery, *, until: datetime) -> None: ...

    async def unpark(self, contact: Contact, *, now: datetime, session: Session) -> int: ...

    async def erase(
        self, user_id: str, session: Session, *, webhooks: Sequence[str] = ()
    ) -> None: ...

    def wake(self) -> None: ...


class Digests(Protocol):
    """Notifications set aside for digests, and when each person's next digest is due."""

    async def add(
        self,
        entries: Sequence[DigestEntry],
        due: Mapping[tuple[str, str | None], datetime],
        session: Session,
    ) -> None: ...

    async def claim_due(self, *, now: datetime, limit: int) -> list[DueDigest]: ...

    async def take(self, due: DueDigest, session: Session) -> list[DigestEntry]: ...

    async def postpone(self, due: DueDigest, *, until: datetime) -> None: ...

    async def erase(self, user_id: str, session: Session) -> None: ...


class PushSubscriptions(Protocol):
    """Browsers' push subscriptions per person."""

    async def users_with_push(self, user_ids: Sequence[str], session: Session) -> set[str]: ...

    async def erase(self, user_id: str, session: Session) -> None: ...


class Webhooks(Protocol):
    """Integrators' webhook subscriptions."""

    async def matching(
        self, community_id: str, event_type: str, session: Session
    ) -> list[WebhookSubscription]: ...

    async def remove_owned_by(self, owner_id: str, session: Session) -> list[str]:
        """Delete the endpoints ``owner_id`` registered; their ids."""
        ...


class FanoutBudget(Protocol):
    """Provider sends a community may still trigger in the current window."""

    async def reserve(
        self, community_id: str, *, wanted: int, now: datetime, session: Session
    ) -> int: ...


class Copy(Protocol):
    """Short localized texts (title, body) for the feed, push and digests."""

    def notice(self, kind: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]: ...


class Sender(Protocol):
    """Hands one delivery to its provider; the idempotency key travels with it.

    Raises ``TransientDeliveryError`` to be retried, ``PermanentDeliveryError`` otherwise.
    """

    @property
    def provider(self) -> str:
        """Who the sender hands deliveries to, for the logs (a host, never a URL with a token)."""
        ...

    async def send(self, delivery: Delivery) -> None: ...


@dataclass(frozen=True)
class PushSubscription:
    """A browser's ``PushSubscription``: where to POST and the keys to encrypt for."""

    endpoint: str
    p256dh: str
    auth: str
    expiration_time: int | None = None


class PushDevices(Protocol):
    """Managing one person's push subscriptions."""

    async def save(self, user_id: str, subscription: PushSubscription) -> None: ...

    async def remove(self, user_id: str, endpoint: str) -> bool: ...

    async def of_many(self, user_ids: Sequence[str]) -> dict[str, list[PushSubscription]]:
        """The subscriptions of several people (one query); nobody absent has none."""
        ...

    async def forget_endpoint(self, endpoint: str) -> None: ...


class WebhookRegistry(Protocol):
    """Managing webhook subscriptions."""

    async def add(self, subscription: WebhookSubscription) -> None: ...

    async def get(self, subscription_id: str) -> WebhookSubscription | None: ...

    async def of_community(self, community_id: str) -> list[WebhookSubscription]: ...

    async def delete(self, subscription_id: str) -> None: ...

    async def set_secret(self, subscription_id: str, secret: str) -> None: ...

    async def record_outcome(
        self, subscription_id: str, *, ok: bool, disable_after: int, session: Session
    ) -> bool: ...

    async def enable(self, subscription_id: str) -> None: ...


class UrlGuard(Protocol):
    """Refuses webhook URLs that point inside the platform's network."""

    async def check(self, url: str) -> None: ...


class WebhookOutcomes(Protocol):
    """Keeps count of an endpoint's failures (and tells its owner when it is disabled)."""

    async def record(self, subscription: WebhookSubscription, *, ok: bool) -> None: ...


class UnsubscribeTokens(Protocol):
    """Signed, tamper-proof unsubscribe tokens."""

    def issue(self, user_id: str, scope: str) -> str: ...

    def read(self, token: str) -> tuple[str, str] | None: ...


class ServerKey(Protocol):
    """The key browsers subscribe to push with (VAPID, RFC 8292)."""

    async def public_key(self) -> str:
        """``applicationServerKey``: base64url of the uncompressed P-256 point."""
        ...


@dataclass(frozen=True)
class Ports:
    """What the API's use cases use: people's feeds, preferences and browsers; integrators'
    webhooks; the delivery log."""

    feed: Feed
    preferences: PreferenceStore
    unsubscribe_tokens: UnsubscribeTokens
    devices: PushDevices
    server_key: ServerKey
    communities: Communities
    webhooks: WebhookRegistry
    guard: UrlGuard
    log: DeliveryLog
    #: User ids of the operations team (they read every delivery and replay failed ones).
    operators: frozenset[str] = frozenset()
    #: Most deliveries one webhook replay sends again.
    replay_max: int = 1_000
    #: Whether webhooks may be registered with plain http URLs (only with the local-development
    #: switch that also lets them reach private addresses).
    webhook_allow_http: bool = False
    #: Which push services browsers' subscriptions may point at.
    push_endpoints: PushEndpointPolicy = field(
        default_factory=lambda: PushEndpointPolicy(hosts=DEFAULT_PUSH_SERVICE_HOSTS)
    )
    #: Refuses push endpoints that resolve to non-public addresses.
    push_guard: UrlGuard | None = None
    clock: Clock = utc_now


@dataclass(frozen=True)
class FanoutPorts:
    """What handling a consumed event uses: the projections, and everything fan-out writes in
    the event's transaction."""

    inbox: Inbox
    #: Where erasure destroys this service's keys to the person's data on Kafka.
    outbox: EventOutbox
    #: Opens the single-use tokens membership seals to this service's key.
    opener: TokenOpener
    users: UserDirectory
    communities: Communities
    preferences: PreferenceStore
    push: PushSubscriptions
    feed: Feed
    deliveries: DeliveryQueue
    digests: Digests
    webhooks: Webhooks
    budget: FanoutBudget
    copy: Copy
    #: How long an email to someone not projected here yet waits for their address.
    park_timeout: timedelta = timedelta(days=1)
    clock: Clock = utc_now


@dataclass(frozen=True)
class SendingPorts:
    """What the background senders use: the delivery queue, each channel's provider, the
    digests and what addresses them."""

    transactions: Transactions
    outbox: EventOutbox
    deliveries: DeliveryQueue
    senders: Mapping[Channel, Sender]
    digests: Digests
    users: UserDirectory
    communities: Communities
    #: Attempts before a delivery fails for good.
    max_attempts: int = 8
    #: Deliveries sent at once (a crash resends at most this many).
    concurrency: int = 16
    clock: Clock = utc_now
