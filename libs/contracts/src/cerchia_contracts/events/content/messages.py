"""``content.messages.v1``: direct messages between members, keyed by conversation id.

Internal: it exists for the notifications service and carries personal correspondence, so it
is not offered to integrators (restricted by ACL) and carries only a short excerpt.
"""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = ["DirectMessageSent", "DirectMessageSentV1"]


class DirectMessageSent(EventData):
    """A member sent a direct message to another member."""

    conversation_id: str = Field(description="Id of the 1:1 conversation.")
    message_id: str = Field(description="Id of the message.")
    sender_id: str = Field(description="Who wrote it.")
    recipient_id: str = Field(description="Who receives it.")
    excerpt: str = Field(description="The message as plain text, cut to about 140 chars.")


class DirectMessageSentV1(CloudEvent[DirectMessageSent]):
    """A direct message was sent."""

    type: Literal["cerchia.content.direct_message_sent.v1"] = Field(
        default="cerchia.content.direct_message_sent.v1", description="Event type."
    )
