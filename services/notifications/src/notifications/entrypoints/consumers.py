"""Kafka subscribers: decode the contract, route by event type to one use case."""

from cerchia_contracts.catalog import MEMBERSHIP_USERS, AnyEvent
from cerchia_contracts.events.membership import UserRegisteredV1
from notifications.container import Container
from notifications.service.welcome import on_user_registered


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""

    async def on_membership_users(event: AnyEvent) -> None:
        if isinstance(event, UserRegisteredV1):
            await on_user_registered(
                event,
                inbox=container.chassis.inbox,
                users=container.users,
                deliveries=container.deliveries,
            )

    container.chassis.consume(MEMBERSHIP_USERS, on_membership_users)
