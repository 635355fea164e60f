"""Kafka subscribers: every topic with notification rules or projections goes to one handler."""

from cerchia_chassis.exports import contribute
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.exports import ExportRequestedV1, NotificationsExportPartV1
from notifications.adapters.export import FILES
from notifications.container import Container
from notifications.domain.rules import FANOUT_TOPICS
from notifications.service.events import handle_event


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""
    chassis = container.chassis

    async def on_event(event: AnyEvent) -> None:
        if isinstance(event, ExportRequestedV1):
            await contribute(
                event,
                service="notifications",
                files=FILES,
                part_event=NotificationsExportPartV1,
                db=chassis.db,
                inbox=chassis.inbox,
                outbox=chassis.outbox,
            )
            return
        await handle_event(event, ports=container.fanout)

    for topic in FANOUT_TOPICS:
        chassis.consume(topic, on_event)
