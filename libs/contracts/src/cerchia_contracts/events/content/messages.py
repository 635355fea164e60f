"""``content.messages.v1``: direct messages and blocks between members, keyed by conversation id.

Internal: it exists for the notifications service and carries personal correspondence, so it
is not offered to integrators (restricted by ACL) and carries only a short excerpt.
"""

from typing import Annotated, Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.personal import PersonalData

__all__ = [
    "DirectMessageSent",
    "DirectMessageSentV1",
    "MemberBlocked",
    "MemberBlockedV1",
    "MemberUnblocked",
    "MemberUnblockedV1",
]


class DirectMessageSent(EventData):
    """A member sent a direct message to another member."""

    conversation_id: str = Field(description="Id of the 1:1 conversation.")
    message_id: str = Field(description="Id of the message.")
    sender_id: str = Field(description="Who wrote it.")
    recipient_id: str = Field(description="Who receives it.")
    excerpt: Annotated[str, PersonalData("sender_id")] = Field(
        description="The message as plain text, cut to about 140 chars."
    )


class DirectMessageSentV1(CloudEvent[DirectMessageSent]):
    """A direct message was sent."""

    type: Literal["cerchia.content.direct_message_sent.v1"] = Field(
        default="cerchia.content.direct_message_sent.v1", description="Event type."
    )


class BlockFact(EventData):
    """One member's block on another: the pair's conversation id is the event subject, so a
    block and the messages of that pair stay in order."""

    conversation_id: str = Field(
        description="Id of the pair's 1:1 conversation (whether or not they have written yet)."
    )
    blocker_id: str = Field(description="Who blocked.")
    blocked_id: str = Field(
        description="Who is blocked: not to be notified to the blocker, nor able to message them."
    )


class MemberBlocked(BlockFact):
    """A member blocked another: no messages, and no notifications of what the blocked one does."""


class MemberBlockedV1(CloudEvent[MemberBlocked]):
    """A member blocked another member."""

    type: Literal["cerchia.content.member_blocked.v1"] = Field(
        default="cerchia.content.member_blocked.v1", description="Event type."
    )


class MemberUnblocked(BlockFact):
    """A member lifted a block: the other may message them (and be notified of) again."""


class MemberUnblockedV1(CloudEvent[MemberUnblocked]):
    """A member unblocked another member."""

    type: Literal["cerchia.content.member_unblocked.v1"] = Field(
        default="cerchia.content.member_unblocked.v1", description="Event type."
    )
