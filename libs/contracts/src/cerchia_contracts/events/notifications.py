"""Events of the notifications service: ``notifications.deliveries.v1``.

Each email, web push or webhook delivery ends in one outcome: the provider took it
(``delivery_succeeded``), or it failed for good (``delivery_failed``: a permanent refusal, or
transient failures until the retries ran out). A failed delivery can be replayed by operations;
its next outcome is published again under the same ``delivery_key``. Events carry no message
content and no address: only what an integrator needs to count, alert and correlate.
"""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "DeliveryChannel",
    "DeliveryFailed",
    "DeliveryFailedV1",
    "DeliveryOutcome",
    "DeliverySucceeded",
    "DeliverySucceededV1",
]

DeliveryChannel = Literal["email", "push", "webhook"]


class DeliveryOutcome(EventData):
    """Fields every delivery outcome carries."""

    delivery_key: str = Field(
        description=(
            "Idempotency key of the delivery: source event id + recipient + channel. Also the "
            "`webhook-id` header of webhook deliveries."
        )
    )
    source_event_id: str = Field(
        description="Id of the domain event (or digest slot) the delivery was made for."
    )
    channel: DeliveryChannel = Field(description="email, push or webhook.")
    kind: str = Field(
        description="What was delivered, e.g. application_submitted, digest, webhook."
    )
    category: str = Field(
        description=(
            "Preference category: account, membership, discussions, mentions, direct_messages, "
            "events or moderation; `digest` for a digest (it mixes categories) and `webhook` "
            "for a webhook delivery."
        )
    )
    recipient_id: str | None = Field(
        description=(
            "The recipient's user id, or the webhook subscription id for webhooks; None when "
            "the message went to an address without an account (an invitation)."
        )
    )
    community_id: str | None = Field(
        default=None, description="The community the delivery belongs to, if any."
    )
    attempts: int = Field(description="Attempts made, this one included.")


class DeliverySucceeded(DeliveryOutcome):
    """The provider (SMTP server, push service, webhook endpoint) accepted the delivery."""


class DeliverySucceededV1(CloudEvent[DeliverySucceeded]):
    """A delivery reached its provider."""

    type: Literal["cerchia.notifications.delivery_succeeded.v1"] = Field(
        default="cerchia.notifications.delivery_succeeded.v1", description="Event type."
    )


class DeliveryFailed(DeliveryOutcome):
    """The delivery failed for good; operations may replay it."""

    permanent: bool = Field(
        description=(
            "True when the provider refused it (retrying cannot help); False when transient "
            "failures outlasted the retries."
        )
    )
    reason: str = Field(
        description="The last error, addresses removed: for operations, never shown to people."
    )
    failure: str | None = Field(
        default=None,
        description=(
            "Why, as a category (`unreachable`, `rejected`, `gone`, `no_destination`, `error`): "
            "what may be shown to the recipient or a webhook's owner."
        ),
    )


class DeliveryFailedV1(CloudEvent[DeliveryFailed]):
    """A delivery failed after its last attempt (the dead letter of deliveries)."""

    type: Literal["cerchia.notifications.delivery_failed.v1"] = Field(
        default="cerchia.notifications.delivery_failed.v1", description="Event type."
    )
