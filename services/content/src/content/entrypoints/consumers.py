"""Kafka subscribers: decode the contract, route by event type to one use case."""

from cerchia_contracts.catalog import (
    EVENTS_GATHERINGS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_USERS,
    AnyEvent,
)
from cerchia_contracts.events.gatherings import RecapPublishedV1
from content.container import Container
from content.service.projection import on_membership_event
from content.service.recaps import on_recap_published


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""
    ports = container.ports

    async def on_membership(event: AnyEvent) -> None:
        await on_membership_event(
            event,
            inbox=container.chassis.inbox,
            directory=ports.directory,
            eraser=container.eraser,
        )

    async def on_gathering(event: AnyEvent) -> None:
        if isinstance(event, RecapPublishedV1):
            await on_recap_published(event, inbox=container.chassis.inbox, ports=ports)

    container.chassis.consume(MEMBERSHIP_COMMUNITIES, on_membership)
    container.chassis.consume(MEMBERSHIP_USERS, on_membership)
    container.chassis.consume(EVENTS_GATHERINGS, on_gathering)
