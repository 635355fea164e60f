"""The notifications composition root: every adapter built once from settings, handed to the use
cases as one bundle of ports per area (the API, fan-out, sending)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.community_projection import CommunityProjection
from cerchia_chassis.exports import ExportContributor
from cerchia_chassis.mongo import Document
from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.rate_limits import RateLimiter
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.sealing import Opener
from cerchia_contracts.events.exports import NotificationsExportPartV1
from notifications.adapters.budget import MongoFanoutBudget
from notifications.adapters.deliveries import MongoDeliveryQueue
from notifications.adapters.delivery_log import MongoDeliveryLog
from notifications.adapters.digests import MongoDigests
from notifications.adapters.export import FILES as EXPORT_FILES
from notifications.adapters.feed import MongoFeed
from notifications.adapters.messages import Copy
from notifications.adapters.metrics import measured
from notifications.adapters.preferences import MongoPreferences
from notifications.adapters.provider_rates import ProviderRate
from notifications.adapters.push import WebPushSender
from notifications.adapters.push_subscriptions import MongoPushSubscriptions
from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.unsubscribe_tokens import SignedUnsubscribeTokens
from notifications.adapters.url_guard import NetworkUrlGuard
from notifications.adapters.users import MongoUserDirectory
from notifications.adapters.vapid_keys import VapidKeys
from notifications.adapters.webhook_sender import WebhookSender
from notifications.adapters.webhooks import MongoWebhooks
from notifications.domain.deliveries import Channel
from notifications.domain.push_endpoints import PushEndpointPolicy
from notifications.service.digests import send_due_digests
from notifications.service.dispatch import dispatch_due
from notifications.service.ports import FanoutPorts, Ports, Sender, SendingPorts
from notifications.service.webhook_health import WebhookHealth
from notifications.settings import NotificationsSettings

#: What the people's sender loop sends (webhooks have a loop of their own).
PEOPLE_CHANNELS = (Channel.EMAIL, Channel.PUSH, Channel.IN_APP)

#: Every collection's indexes, created when the chassis starts.
INDEXES = [
    *MongoUserDirectory.indexes,
    *CommunityProjection.indexes,
    *MongoPreferences.indexes,
    *MongoFeed.indexes,
    *MongoDeliveryQueue.indexes,
    *MongoDigests.indexes,
    *MongoPushSubscriptions.indexes,
    *MongoWebhooks.indexes,
    *MongoFanoutBudget.indexes,
    *VapidKeys.indexes,
]


#: Expired deliveries deleted per round of the retention loop (a full round runs again at once).
RETENTION_BATCH = 500


@dataclass(frozen=True)
class Container:
    """The running service: its chassis and the ports each area's use cases take."""

    settings: NotificationsSettings
    chassis: Chassis
    #: What the API's use cases take.
    ports: Ports
    #: What handling a consumed event takes.
    fanout: FanoutPorts
    #: What the background senders take.
    sending: SendingPorts
    #: This service's part of personal-data exports.
    export: ExportContributor

    @classmethod
    def build(cls, settings: NotificationsSettings) -> "Container":
        """Wire the service and its loops; nothing connects until ``chassis.running()``."""
        chassis = Chassis(settings, indexes=INDEXES)
        storage = _Storage.of(chassis.db, settings)
        copy = Copy()
        sending = SendingPorts(
            transactions=chassis.transactions,
            outbox=chassis.outbox,
            deliveries=storage.deliveries,
            senders=_senders(settings, chassis, storage, copy),
            digests=storage.digests,
            users=storage.users,
            communities=storage.communities,
            max_attempts=settings.dispatch_max_attempts,
            concurrency=settings.dispatch_concurrency,
        )
        wake = _start_loops(chassis, settings, sending, storage.deliveries)
        return cls(
            settings=settings,
            chassis=chassis,
            ports=_api_ports(settings, chassis.db, storage, wake=wake),
            fanout=_fanout_ports(settings, chassis, storage, copy),
            sending=sending,
            export=ExportContributor(
                service="notifications",
                files=EXPORT_FILES,
                part_event=NotificationsExportPartV1,
                db=chassis.db,
                inbox=chassis.inbox,
                outbox=chassis.outbox,
            ),
        )


@dataclass(frozen=True)
class _Storage:
    """The service's MongoDB stores and projections, one of each."""

    users: MongoUserDirectory
    communities: CommunityProjection
    preferences: MongoPreferences
    feed: MongoFeed
    deliveries: MongoDeliveryQueue
    digests: MongoDigests
    devices: MongoPushSubscriptions
    webhooks: MongoWebhooks
    budget: MongoFanoutBudget
    vapid: VapidKeys

    @classmethod
    def of(cls, db: AsyncDatabase[Document], settings: NotificationsSettings) -> "_Storage":
        key = settings.vapid_private_key
        return cls(
            users=MongoUserDirectory(db),
            communities=CommunityProjection(db),
            preferences=MongoPreferences(db),
            feed=MongoFeed(db),
            deliveries=MongoDeliveryQueue(
                db, retention=timedelta(days=settings.delivery_retention_days)
            ),
            digests=MongoDigests(db),
            devices=MongoPushSubscriptions(db),
            webhooks=MongoWebhooks(db),
            budget=MongoFanoutBudget(db, per_hour=settings.fanout_budget_per_hour),
            vapid=VapidKeys(db, key.get_secret_value() if key else None),
        )


def _senders(
    settings: NotificationsSettings, chassis: Chassis, storage: _Storage, copy: Copy
) -> dict[Channel, Sender]:
    """One sender per channel, each within its providers' rate; their pools close with the
    chassis."""
    limiter = RateLimiter()
    connections = SmtpConnections(settings, size=settings.smtp_connections)
    chassis.add_closer(connections.close)
    push = WebPushSender(
        keys=storage.vapid,
        subject=settings.vapid_subject,
        devices=storage.devices,
        base_url=settings.public_base_url,
        ttl_s=settings.push_ttl_s,
        endpoints=_push_endpoints(settings),
        guard=_push_guard(settings),
        timeout_s=settings.push_timeout_s,
        limits=ProviderRate(limiter, "push", settings.push_rate),
    )
    chassis.add_closer(push.close)
    email = SmtpEmailSender(
        settings,
        EmailTemplates(base_url=settings.public_base_url, copy=copy),
        _unsubscribe_tokens(settings),
        connections,
        ProviderRate(limiter, "smtp", settings.smtp_rate),
    )
    health = WebhookHealth(
        registry=storage.webhooks,
        feed=storage.feed,
        users=storage.users,
        communities=storage.communities,
        copy=copy,
        transactions=chassis.transactions,
        disable_after=settings.webhook_disable_after,
    )
    webhook = WebhookSender(
        registry=storage.webhooks,
        guard=_url_guard(settings),
        outcomes=health,
        timeout_s=settings.webhook_timeout_s,
        max_response_bytes=settings.webhook_max_response_bytes,
        limits=ProviderRate(limiter, "webhook", settings.webhook_rate),
    )
    chassis.add_closer(webhook.close)
    return measured({Channel.EMAIL: email, Channel.PUSH: push, Channel.WEBHOOK: webhook})


def _start_loops(
    chassis: Chassis,
    settings: NotificationsSettings,
    sending: SendingPorts,
    queue: MongoDeliveryQueue,
) -> Callable[[], None]:
    """The delivery senders (people's channels; webhooks), woken by every enqueue, and the
    digest scheduler; returns what wakes both senders."""

    async def dispatch() -> int:
        return await dispatch_due(
            batch_size=settings.dispatch_batch_size, ports=sending, channels=PEOPLE_CHANNELS
        )

    async def dispatch_webhooks() -> int:
        return await dispatch_due(
            batch_size=settings.dispatch_batch_size,
            ports=sending,
            channels=(Channel.WEBHOOK,),
            concurrency=settings.webhook_concurrency,
        )

    async def digest() -> int:
        return await send_due_digests(limit=settings.digest_batch_size, ports=sending)

    dispatcher = WakeablePoller(
        "delivery-dispatch",
        dispatch,
        interval=settings.dispatch_poll_interval_s,
        batch_size=settings.dispatch_batch_size,
    )
    # Webhooks have their own loop: an integrator's slow endpoint holds up only webhooks.
    webhooks = WakeablePoller(
        "webhook-dispatch",
        dispatch_webhooks,
        interval=settings.dispatch_poll_interval_s,
        batch_size=settings.dispatch_batch_size,
    )

    def wake() -> None:
        dispatcher.wake()
        webhooks.wake()

    queue.on_enqueue(wake)
    chassis.add_loop(dispatcher)
    chassis.add_loop(webhooks)

    async def purge() -> int:
        return await queue.purge_expired(datetime.now(UTC), limit=RETENTION_BATCH)

    chassis.add_loop(
        WakeablePoller("delivery-retention", purge, interval=300.0, batch_size=RETENTION_BATCH)
    )
    chassis.add_loop(
        WakeablePoller(
            "digest-scheduler",
            digest,
            interval=settings.digest_poll_interval_s,
            batch_size=settings.digest_batch_size,
        )
    )
    return wake


def _api_ports(
    settings: NotificationsSettings,
    db: AsyncDatabase[Document],
    storage: _Storage,
    *,
    wake: Callable[[], None],
) -> Ports:
    return Ports(
        feed=storage.feed,
        preferences=storage.preferences,
        unsubscribe_tokens=_unsubscribe_tokens(settings),
        devices=storage.devices,
        server_key=storage.vapid,
        communities=storage.communities,
        webhooks=storage.webhooks,
        guard=_url_guard(settings),
        log=MongoDeliveryLog(db, wake=wake),
        operators=settings.operator_ids,
        replay_max=settings.webhook_replay_max,
        webhook_allow_http=settings.webhook_allow_private_networks,
        push_endpoints=_push_endpoints(settings),
        push_guard=_push_guard(settings),
    )


def _fanout_ports(
    settings: NotificationsSettings, chassis: Chassis, storage: _Storage, copy: Copy
) -> FanoutPorts:
    return FanoutPorts(
        inbox=chassis.inbox,
        outbox=chassis.outbox,
        opener=_opener(settings),
        users=storage.users,
        communities=storage.communities,
        preferences=storage.preferences,
        push=storage.devices,
        feed=storage.feed,
        deliveries=storage.deliveries,
        digests=storage.digests,
        webhooks=storage.webhooks,
        budget=storage.budget,
        copy=copy,
        park_timeout=timedelta(seconds=settings.park_timeout_s),
    )


def _unsubscribe_tokens(settings: NotificationsSettings) -> SignedUnsubscribeTokens:
    return SignedUnsubscribeTokens(settings.unsubscribe_secret.get_secret_value())


def _url_guard(settings: NotificationsSettings) -> NetworkUrlGuard:
    return NetworkUrlGuard(allow_private=settings.webhook_allow_private_networks)


def _push_endpoints(settings: NotificationsSettings) -> PushEndpointPolicy:
    return PushEndpointPolicy(
        hosts=settings.push_service_hosts, allow_http=settings.push_allow_private_networks
    )


def _push_guard(settings: NotificationsSettings) -> NetworkUrlGuard:
    return NetworkUrlGuard(allow_private=settings.push_allow_private_networks)


def _opener(settings: NotificationsSettings) -> Opener:
    keys = settings.token_opening_keys
    if keys is None:
        raise ValueError(
            "NOTIFICATIONS_TOKEN_OPENING_KEYS is not set: the private key that opens the tokens "
            "membership seals to this service (python -m cerchia_chassis.sealing)"
        )
    return Opener.from_text(keys.get_secret_value())
