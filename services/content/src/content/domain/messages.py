"""Direct messages: 1:1 conversations between members who share a community."""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from cerchia_chassis.domain.errors import Forbidden, NotFound
from content.domain.errors import InvalidContent


def conversation_id(a: str, b: str) -> str:
    """The one conversation of a pair, whoever writes first (order-independent, opaque)."""
    low, high = sorted((a, b))
    return hashlib.sha256(f"{low}\x1f{high}".encode()).hexdigest()[:32]


def check_can_message(
    *,
    sender_id: str,
    recipient_id: str,
    share_community: bool,
    blocked: bool,
    blocking: bool = False,
) -> None:
    """Raise unless the sender may write to the recipient: ``blocked`` if the recipient
    blocked the sender, ``blocking`` if the sender blocked the recipient (a block stops the
    conversation both ways; unblocking reopens it)."""
    if sender_id == recipient_id:
        raise InvalidContent("You cannot message yourself.", code="self-message")
    if not share_community:
        raise Forbidden(
            "You can message only people who share a community with you.",
            code="no-shared-community",
        )
    if blocked:
        raise Forbidden("This person does not accept your messages.", code="blocked")
    if blocking:
        raise Forbidden(
            "You blocked this person: unblock them to write to them.", code="you-blocked-them"
        )


@dataclass(frozen=True)
class Conversation:
    """A 1:1 conversation and where each participant stopped reading."""

    id: str
    participants: tuple[str, str]
    created_at: datetime
    last_message_at: datetime
    last_read_at: dict[str, datetime]

    def require_participant(self, user_id: str) -> None:
        """Only the two participants see a conversation."""
        if user_id not in self.participants:
            raise NotFound("No such conversation.")

    def other(self, user_id: str) -> str:
        """The participant who is not ``user_id``."""
        first, second = self.participants
        return second if user_id == first else first

    def unread_for(self, user_id: str) -> bool:
        """Whether messages arrived after ``user_id`` last read."""
        read = self.last_read_at.get(user_id)
        return read is None or self.last_message_at > read


def conversation_after(
    current: Conversation | None, *, sender_id: str, recipient_id: str, at: datetime
) -> Conversation:
    """The pair's conversation once ``sender_id`` wrote at ``at`` (opened on first contact);
    the sender has read everything up to their own message."""
    low, high = sorted((sender_id, recipient_id))
    base = current or Conversation(
        id=conversation_id(low, high),
        participants=(low, high),
        created_at=at,
        last_message_at=at,
        last_read_at={},
    )
    return replace(base, last_message_at=at, last_read_at={**base.last_read_at, sender_id: at})


@dataclass(frozen=True)
class Message:
    """One direct message."""

    id: str
    conversation_id: str
    sender_id: str
    body: str
    created_at: datetime
