"""Kafka subscribers: the membership projection, people's time zones and user erasure."""

from datetime import UTC, datetime

from cerchia_contracts.catalog import (
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_EXPORTS,
    MEMBERSHIP_USERS,
    AnyEvent,
)
from cerchia_contracts.events.exports import ExportRequestedV1
from cerchia_contracts.events.membership import ProfileUpdatedV1, UserErasedV1
from events.container import Container
from events.service.projection import on_community_event, on_profile_updated, on_user_erased


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics its authorization, erasure and exports depend on."""
    ports = container.ports

    async def on_communities(event: AnyEvent) -> None:
        await on_community_event(event, now=datetime.now(UTC), ports=ports)

    async def on_users(event: AnyEvent) -> None:
        if isinstance(event, UserErasedV1):
            await on_user_erased(event, now=datetime.now(UTC), ports=ports)
        elif isinstance(event, ProfileUpdatedV1):
            await on_profile_updated(event, ports=ports)

    async def on_exports(event: AnyEvent) -> None:
        if isinstance(event, ExportRequestedV1):
            await container.export.contribute(event)

    container.chassis.consume(MEMBERSHIP_COMMUNITIES, on_communities)
    container.chassis.consume(MEMBERSHIP_EXPORTS, on_exports)
    container.chassis.consume(MEMBERSHIP_USERS, on_users)
