"""Query parameters and response bodies of the delivery log, and the conversions to them."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.domain.cursors import Page
from cerchia_chassis.text import Line
from notifications.domain.deliveries import Channel, DeliveryStatus, Failure
from notifications.service.log_ports import DeliveryRecord

#: A page's cursor is opaque: one this API did not issue is refused.
PAGED = {400: "The cursor was not issued by this API"}


class DeliveryOut(BaseModel):
    """One delivery's state in the delivery log (no content, no address)."""

    key: str = Field(
        description="Idempotency key: event id + recipient + channel.",
        examples=[
            "0195f0c4-8e2b-7c11-b0a4-6d2e5f7a8b90:0195f0c4-1111-7000-8000-000000000001:email"
        ],
    )
    event_id: str = Field(description="The domain event (or digest slot) it was made for.")
    recipient_id: str = Field(description="User id, or webhook subscription id for webhooks.")
    channel: Channel
    kind: str = Field(examples=["application_submitted"])
    category: str = Field(
        description="The preference category; `digest` for digests, `webhook` for webhooks."
    )
    urgency: str
    community_id: str | None
    status: DeliveryStatus = Field(
        description="pending, parked (waiting for the recipient's address), sent or failed."
    )
    attempts: int
    deferred: bool = Field(description="Held back past the recipient's quiet hours.")
    last_error: str | None = Field(
        description="The provider's last error, for operations and webhook owners; never shown "
        "in a person's own log (`/deliveries/mine`), which has `failure` only."
    )
    failure: Failure | None = Field(
        default=None,
        description="Why the last attempt did not arrive: `unreachable` (no answer, or not in "
        "time), `rejected` (refused, by the provider or by our address checks), `gone` (the "
        "push subscription no longer exists and was removed), `no_destination` (no address or "
        "subscription), `error` (ours). Cleared once it arrives.",
    )
    created_at: datetime
    due_at: datetime | None
    sent_at: datetime | None
    failed_at: datetime | None
    replayed_at: datetime | None
    replayable: bool = Field(description="False once a single-use secret was dropped.")


class DeliveryPageOut(BaseModel):
    """A page of the delivery log, newest first."""

    items: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class DeliveryQuery(BaseModel):
    """Filters of the delivery log (query parameters); unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")

    status: DeliveryStatus | None = Field(default=None, description="e.g. `failed`.")
    event_id: Line | None = Field(default=None, min_length=1, max_length=200)
    recipient_id: Line | None = Field(default=None, min_length=1, max_length=200)
    community_id: Line | None = Field(default=None, min_length=1, max_length=200)
    channel: Channel | None = None
    cursor: Line | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )
    limit: int = Field(default=50, ge=1, le=200)


class PageQuery(BaseModel):
    """State filter and position in a list of deliveries (query parameters)."""

    model_config = ConfigDict(extra="forbid")

    status: DeliveryStatus | None = Field(default=None, description="e.g. `failed`.")
    cursor: Line | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )
    limit: int = Field(default=50, ge=1, le=200)


def delivery_out(record: DeliveryRecord, *, with_errors: bool = True) -> DeliveryOut:
    """The API view of a log entry; ``with_errors=False`` leaves out the provider's error text
    (a person sees only its category: the text could describe our network)."""
    return DeliveryOut(
        key=record.key,
        event_id=record.event_id,
        recipient_id=record.recipient_id,
        channel=record.channel,
        kind=record.kind,
        category=record.category,
        urgency=record.urgency,
        community_id=record.community_id,
        status=record.status,
        attempts=record.attempts,
        deferred=record.deferred,
        last_error=record.last_error if with_errors else None,
        failure=Failure(record.failure) if record.failure else None,
        created_at=record.created_at,
        due_at=record.due_at,
        sent_at=record.sent_at,
        failed_at=record.failed_at,
        replayed_at=record.replayed_at,
        replayable=record.replayable,
    )


def page_out(page: Page[DeliveryRecord], *, with_errors: bool = True) -> DeliveryPageOut:
    """The API view of a page of the log."""
    return DeliveryPageOut(
        items=[delivery_out(r, with_errors=with_errors) for r in page.items],
        next_cursor=page.next_cursor,
    )
