"""Welcoming a newly registered user."""

from datetime import UTC, datetime

from opentelemetry import propagate

from cerchia_contracts.events.membership import UserRegisteredV1
from notifications.domain.welcome import welcome_email
from notifications.service.ports import DeliveryQueue, Inbox, Session, UserDirectory

CONSUMER = "notifications.user_registered"


async def on_user_registered(
    event: UserRegisteredV1, *, inbox: Inbox, users: UserDirectory, deliveries: DeliveryQueue
) -> bool:
    """Project the user and queue the welcome email, once per event; True if it was new."""
    data = event.data
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    delivery = welcome_email(
        event_id=event.id,
        user_id=data.user_id,
        email=data.email,
        display_name=data.display_name,
        locale=data.locale,
        now=datetime.now(UTC),
        trace_headers=carrier,
    )

    async def effect(session: Session) -> None:
        await users.upsert(
            user_id=data.user_id,
            email=data.email,
            display_name=data.display_name,
            locale=data.locale,
            session=session,
        )
        await deliveries.enqueue([delivery], session)

    applied = await inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
    if applied:
        deliveries.wake()
    return applied
