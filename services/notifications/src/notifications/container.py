"""The notifications composition root: every adapter built once from settings."""

from dataclasses import dataclass

from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from notifications.adapters.deliveries import MongoDeliveryQueue
from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.users import MongoUserDirectory
from notifications.service.dispatch import dispatch_due
from notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    settings: NotificationsSettings
    chassis: Chassis
    users: MongoUserDirectory
    deliveries: MongoDeliveryQueue
    email: SmtpEmailSender

    @classmethod
    def build(cls, settings: NotificationsSettings) -> "Container":
        """Wire the service and its delivery loop; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings, indexes=[*MongoUserDirectory.indexes, *MongoDeliveryQueue.indexes]
        )
        deliveries = MongoDeliveryQueue(chassis.db)
        email = SmtpEmailSender(settings, EmailTemplates(base_url=settings.public_base_url))

        async def dispatch() -> int:
            return await dispatch_due(
                deliveries=deliveries,
                email=email,
                batch_size=settings.dispatch_batch_size,
                max_attempts=settings.dispatch_max_attempts,
            )

        sender = WakeablePoller(
            "delivery-dispatch",
            dispatch,
            interval=settings.dispatch_poll_interval_s,
            batch_size=settings.dispatch_batch_size,
        )
        deliveries.on_enqueue(sender.wake)
        chassis.add_loop(sender)
        return cls(
            settings=settings,
            chassis=chassis,
            users=MongoUserDirectory(chassis.db),
            deliveries=deliveries,
            email=email,
        )
