"""Kafka subscribers: the parts of personal-data exports that the other services publish."""

from datetime import UTC, datetime

from cerchia_contracts.catalog import EXPORT_PART_TOPICS, AnyEvent
from cerchia_contracts.events.exports import ExportPart
from membership.container import Container
from membership.service.exports import record_part


def register_consumers(container: Container) -> None:
    """Subscribe the service to every export-part topic."""
    ports = container.exports

    async def on_part(event: AnyEvent) -> None:
        if isinstance(event.data, ExportPart):
            await record_part(event.id, event.data, ports=ports, now=datetime.now(UTC))

    for topic in EXPORT_PART_TOPICS:
        container.chassis.consume(topic, on_part)
