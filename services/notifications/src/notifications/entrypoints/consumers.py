"""Kafka subscribers: every topic with notification rules or projections goes to one handler."""

from cerchia_contracts.catalog import (
    CONTENT_DISCUSSIONS,
    CONTENT_MESSAGES,
    CONTENT_MODERATION,
    EVENTS_GATHERINGS,
    EVENTS_REMINDERS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_INTRODUCTIONS,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_USERS,
    AnyEvent,
    Topic,
)
from notifications.container import Container
from notifications.service.events import handle_event

#: Topics fan-out listens to; add a producer's topics here together with its rows in the rules.
FANOUT_TOPICS: tuple[Topic, ...] = (
    MEMBERSHIP_USERS,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_INTRODUCTIONS,
    CONTENT_DISCUSSIONS,
    CONTENT_MESSAGES,
    CONTENT_MODERATION,
    EVENTS_GATHERINGS,
    EVENTS_REMINDERS,
)


def register_consumers(container: Container) -> None:
    """Subscribe the service to the topics it reacts to."""

    async def on_event(event: AnyEvent) -> None:
        await handle_event(event, ports=container.fanout)

    for topic in FANOUT_TOPICS:
        container.chassis.consume(topic, on_event)
