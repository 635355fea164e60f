"""Request and response bodies of the direct messages API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from content.domain.messages import Conversation, Message
from content.entrypoints.schemas import PersonOut


class NewConversationRequest(BaseModel):
    """Write to a member (opens the conversation on first contact)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"recipient_id": "u-2", "body": "Coffee next week?"}]},
    )

    recipient_id: Line = Field(min_length=1, max_length=64)
    body: Text = Field(min_length=1, max_length=4_000, description="Plain text.")


class NewMessageRequest(BaseModel):
    """Write in a conversation."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Thursday works."}]}
    )

    body: Text = Field(min_length=1, max_length=4_000, description="Plain text.")


class MessageOut(BaseModel):
    """A direct message (plain text: clients must escape it)."""

    id: str
    conversation_id: str
    sender_id: str
    body: str
    created_at: datetime


class MessagePage(BaseModel):
    """Messages, newest first."""

    items: list[MessageOut]
    next_cursor: str | None


class ConversationOut(BaseModel):
    """A conversation from the caller's side."""

    id: str
    with_: PersonOut = Field(alias="with", serialization_alias="with")
    last_message_at: datetime
    unread: bool

    model_config = ConfigDict(populate_by_name=True)


class ConversationPage(BaseModel):
    """The caller's conversations, most recent first."""

    items: list[ConversationOut]
    next_cursor: str | None


def message_out(message: Message) -> MessageOut:
    """The response for one message."""
    return MessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        sender_id=message.sender_id,
        body=message.body,
        created_at=message.created_at,
    )


def conversation_out(
    conversation: Conversation, user_id: str, people: dict[str, PersonOut]
) -> ConversationOut:
    """The caller's view of one conversation."""
    other = conversation.other(user_id)
    return ConversationOut(
        id=conversation.id,
        with_=people[other],
        last_message_at=conversation.last_message_at,
        unread=conversation.unread_for(user_id),
    )
