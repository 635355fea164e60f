"""Kafka subscriptions: each topic content consumes, handed to its use case."""

from cerchia_contracts.catalog import (
    EVENTS_GATHERINGS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_EXPORTS,
    MEMBERSHIP_USERS,
    AnyEvent,
)
from cerchia_contracts.events.exports import ExportRequestedV1
from cerchia_contracts.events.gatherings import RecapPublishedV1
from content.container import Container
from content.service.membership_events import on_community_event, on_user_event
from content.service.recaps import on_recap_published


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""
    ports = container.ports

    async def on_community(event: AnyEvent) -> None:
        await on_community_event(event, ports=ports)

    async def on_user(event: AnyEvent) -> None:
        await on_user_event(event, ports=ports)

    async def on_gathering(event: AnyEvent) -> None:
        if isinstance(event, RecapPublishedV1):
            await on_recap_published(event, ports=ports)

    async def on_export(event: AnyEvent) -> None:
        if isinstance(event, ExportRequestedV1):
            await container.export.contribute(event)

    container.chassis.consume(MEMBERSHIP_EXPORTS, on_export)
    container.chassis.consume(MEMBERSHIP_COMMUNITIES, on_community)
    container.chassis.consume(MEMBERSHIP_USERS, on_user)
    container.chassis.consume(EVENTS_GATHERINGS, on_gathering)
