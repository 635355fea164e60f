"""Who is welcomed, and with what."""

from datetime import datetime

from notifications.domain.deliveries import Channel, Delivery, idempotency_key


def welcome_email(
    *,
    event_id: str,
    user_id: str,
    email: str,
    display_name: str,
    locale: str,
    now: datetime,
    trace_headers: dict[str, str],
) -> Delivery:
    """The welcome email a new account receives."""
    return Delivery(
        key=idempotency_key(event_id, user_id, Channel.EMAIL),
        event_id=event_id,
        recipient_id=user_id,
        channel=Channel.EMAIL,
        template="welcome",
        locale=locale,
        address=email,
        context={"display_name": display_name},
        created_at=now,
        trace_headers=trace_headers,
    )
