"""The notifications composition root: every adapter built once from settings."""

from dataclasses import dataclass
from datetime import timedelta

from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from cerchia_chassis.sealing import Opener
from notifications.adapters.budget import MongoFanoutBudget
from notifications.adapters.communities import MongoCommunities
from notifications.adapters.deliveries import MongoDeliveryQueue
from notifications.adapters.delivery_log import MongoDeliveryLog
from notifications.adapters.digests import MongoDigests
from notifications.adapters.feed import MongoFeed
from notifications.adapters.messages import Copy
from notifications.adapters.preferences import MongoPreferences
from notifications.adapters.push import WebPushSender
from notifications.adapters.push_subscriptions import MongoPushSubscriptions
from notifications.adapters.rate_limits import ProviderRateLimits
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
from notifications.service.digests import send_due_digests
from notifications.service.dispatch import Dispatcher
from notifications.service.events import EventHandler
from notifications.service.fanout import Fanout
from notifications.service.ports import Sender
from notifications.service.webhook_health import WebhookHealth
from notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    settings: NotificationsSettings
    chassis: Chassis
    users: MongoUserDirectory
    communities: MongoCommunities
    preferences: MongoPreferences
    feed: MongoFeed
    deliveries: MongoDeliveryQueue
    log: MongoDeliveryLog
    digests: MongoDigests
    devices: MongoPushSubscriptions
    webhooks: MongoWebhooks
    guard: NetworkUrlGuard
    tokens: SignedUnsubscribeTokens
    vapid: VapidKeys
    events: EventHandler

    @classmethod
    def build(cls, settings: NotificationsSettings) -> "Container":
        """Wire the service and its loops; nothing connects until ``chassis.running()``."""
        stores = (
            MongoUserDirectory,
            MongoCommunities,
            MongoPreferences,
            MongoFeed,
            MongoDeliveryQueue,
            MongoDigests,
            MongoPushSubscriptions,
            MongoWebhooks,
            MongoFanoutBudget,
            VapidKeys,
        )
        chassis = Chassis(settings, indexes=[index for store in stores for index in store.indexes])
        db = chassis.db
        users, communities = MongoUserDirectory(db), MongoCommunities(db)
        preferences, feed = MongoPreferences(db), MongoFeed(db)
        deliveries, digests = MongoDeliveryQueue(db), MongoDigests(db)
        devices, webhooks = MongoPushSubscriptions(db), MongoWebhooks(db)
        guard = NetworkUrlGuard(allow_private=settings.webhook_allow_private_networks)
        tokens = SignedUnsubscribeTokens(settings.unsubscribe_secret.get_secret_value())
        key = settings.vapid_private_key
        vapid = VapidKeys(db, key.get_secret_value() if key else None)
        copy = Copy()
        limits = ProviderRateLimits(
            {
                "smtp": settings.smtp_rate,
                "push": settings.push_rate,
                "webhook": settings.webhook_rate,
            }
        )
        health = WebhookHealth(
            registry=webhooks,
            feed=feed,
            users=users,
            communities=communities,
            copy=copy,
            transactions=chassis.transactions,
            disable_after=settings.webhook_disable_after,
        )
        connections = SmtpConnections(settings, size=settings.smtp_connections)
        chassis.add_closer(connections.close)
        push = WebPushSender(
            keys=vapid,
            subject=settings.vapid_subject,
            devices=devices,
            base_url=settings.public_base_url,
            ttl_s=settings.push_ttl_s,
            timeout_s=settings.push_timeout_s,
            limits=limits,
        )
        chassis.add_closer(push.close)
        senders: dict[Channel, Sender] = {
            Channel.EMAIL: SmtpEmailSender(
                settings,
                EmailTemplates(base_url=settings.public_base_url, copy=copy),
                tokens,
                connections,
                limits,
            ),
            Channel.PUSH: push,
            Channel.WEBHOOK: WebhookSender(
                registry=webhooks,
                guard=guard,
                outcomes=health,
                timeout_s=settings.webhook_timeout_s,
                limits=limits,
            ),
        }
        dispatcher = Dispatcher(
            deliveries=deliveries,
            senders=senders,
            transactions=chassis.transactions,
            outbox=chassis.outbox,
            max_attempts=settings.dispatch_max_attempts,
            concurrency=settings.dispatch_concurrency,
        )

        async def dispatch() -> int:
            return await dispatcher.dispatch_due(batch_size=settings.dispatch_batch_size)

        async def digest() -> int:
            return await send_due_digests(
                digests=digests,
                deliveries=deliveries,
                users=users,
                communities=communities,
                transactions=chassis.transactions,
                limit=settings.digest_batch_size,
            )

        sender = WakeablePoller(
            "delivery-dispatch",
            dispatch,
            interval=settings.dispatch_poll_interval_s,
            batch_size=settings.dispatch_batch_size,
        )
        deliveries.on_enqueue(sender.wake)
        chassis.add_loop(sender)
        chassis.add_loop(
            WakeablePoller(
                "digest-scheduler",
                digest,
                interval=settings.digest_poll_interval_s,
                batch_size=settings.digest_batch_size,
            )
        )
        fanout = Fanout(
            users=users,
            communities=communities,
            preferences=preferences,
            push=devices,
            feed=feed,
            deliveries=deliveries,
            digests=digests,
            webhooks=webhooks,
            budget=MongoFanoutBudget(db, per_hour=settings.fanout_budget_per_hour),
            copy=copy,
            park_timeout=timedelta(seconds=settings.park_timeout_s),
        )
        return cls(
            settings=settings,
            chassis=chassis,
            users=users,
            communities=communities,
            preferences=preferences,
            feed=feed,
            deliveries=deliveries,
            log=MongoDeliveryLog(db, wake=sender.wake),
            digests=digests,
            devices=devices,
            webhooks=webhooks,
            guard=guard,
            tokens=tokens,
            vapid=vapid,
            events=EventHandler(
                inbox=chassis.inbox,
                fanout=fanout,
                opener=_opener(settings),
            ),
        )


def _opener(settings: NotificationsSettings) -> Opener:
    keys = settings.token_opening_keys
    if keys is None:
        raise ValueError(
            "NOTIFICATIONS_TOKEN_OPENING_KEYS is not set: the private key that opens the tokens "
            "membership seals to this service (python -m cerchia_chassis.sealing)"
        )
    return Opener.from_text(keys.get_secret_value())
