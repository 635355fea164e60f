"""A delivery: one notification for one recipient on one channel, sent at most once."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    """Where a notification is delivered."""

    EMAIL = "email"
    IN_APP = "in_app"
    PUSH = "push"


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def idempotency_key(event_id: str, recipient_id: str, channel: Channel) -> str:
    """The key that makes a delivery unique: the same event never reaches a person twice on
    one channel."""
    return f"{event_id}:{recipient_id}:{channel.value}"


@dataclass(frozen=True)
class Delivery:
    """A notification to deliver."""

    key: str
    event_id: str
    recipient_id: str
    channel: Channel
    template: str
    locale: str
    address: str
    context: dict[str, Any]
    created_at: datetime
    trace_headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 0


def retry_delay(attempts: int, *, base: timedelta = timedelta(seconds=5)) -> timedelta:
    """Exponential backoff between delivery attempts, capped at one hour."""
    delay: timedelta = base * (2 ** min(max(attempts - 1, 0), 20))
    return min(delay, timedelta(hours=1))
