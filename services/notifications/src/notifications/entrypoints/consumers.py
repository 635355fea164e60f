"""Kafka subscribers: every topic with notification rules or projections goes to one handler."""

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.exports import ExportRequestedV1
from notifications.container import Container
from notifications.domain.rules import FANOUT_TOPICS
from notifications.service.events import handle_event


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""
    chassis = container.chassis

    async def on_event(event: AnyEvent) -> None:
        if isinstance(event, ExportRequestedV1):
            await container.export.contribute(event)
            return
        await handle_event(event, ports=container.fanout)

    for topic in FANOUT_TOPICS:
        chassis.consume(topic, on_event)
