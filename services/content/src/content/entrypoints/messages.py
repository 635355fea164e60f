"""HTTP routes of direct messages: conversations, messages, read markers, blocks."""

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.auth import CurrentUser
from content.domain.messages import Conversation, Message
from content.entrypoints.dependencies import Cursor, Limit, PortsDep, people_out
from content.entrypoints.responses import PersonOut, documented
from content.service import messages

router = APIRouter(prefix="/api/v1", tags=["direct messages"], responses=documented(401))
_SEND = documented(403, 422, 429)
_SEND_IN = documented(403, 404, 422, 429)
_MINE = documented(404, 422)
_BLOCK = documented(422)
_NO_CONTENT = status.HTTP_204_NO_CONTENT


class NewConversationRequest(BaseModel):
    """Write to a member (opens the conversation on first contact)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"recipient_id": "u-2", "body": "Coffee next week?"}]},
    )

    recipient_id: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=4_000, description="Plain text.")


class NewMessageRequest(BaseModel):
    """Write in a conversation."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Thursday works."}]}
    )

    body: str = Field(min_length=1, max_length=4_000, description="Plain text.")


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


def _message(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        sender_id=message.sender_id,
        body=message.body,
        created_at=message.created_at,
    )


def _conversation(
    conversation: Conversation, user_id: str, people: dict[str, PersonOut]
) -> ConversationOut:
    other = conversation.other(user_id)
    return ConversationOut(
        id=conversation.id,
        with_=people[other],
        last_message_at=conversation.last_message_at,
        unread=conversation.unread_for(user_id),
    )


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Message a member",
    responses=_SEND,
)
async def start(body: NewConversationRequest, me: CurrentUser, ports: PortsDep) -> MessageOut:
    """Only members who share a community, and who have not blocked you, can be messaged."""
    message = await messages.send_message(
        me.user_id, body.recipient_id, body=body.body, ports=ports
    )
    return _message(message)


@router.get(
    "/conversations",
    response_model=ConversationPage,
    summary="My conversations",
    responses=documented(422),
)
async def mine(
    me: CurrentUser, ports: PortsDep, cursor: Cursor = None, limit: Limit = 20
) -> ConversationPage:
    """Most recent message first, with unread markers."""
    page = await messages.my_conversations(me.user_id, cursor=cursor, limit=limit, ports=ports)
    people = await people_out(ports, [c.other(me.user_id) for c in page.items])
    return ConversationPage(
        items=[_conversation(c, me.user_id, people) for c in page.items],
        next_cursor=page.next_cursor,
    )


@router.put(
    "/conversations/blocks/{user_id}",
    status_code=_NO_CONTENT,
    summary="Block a member",
    responses=_BLOCK,
)
async def block(user_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """A blocked person cannot message you."""
    await messages.set_block(me.user_id, user_id, on=True, ports=ports)


@router.delete(
    "/conversations/blocks/{user_id}",
    status_code=_NO_CONTENT,
    summary="Unblock a member",
    responses=_BLOCK,
)
async def unblock(user_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """They can message you again."""
    await messages.set_block(me.user_id, user_id, on=False, ports=ports)


@router.get("/conversations/blocks", response_model=list[str], summary="Whom I blocked")
async def blocks(me: CurrentUser, ports: PortsDep) -> list[str]:
    """User ids the caller blocked."""
    return await ports.conversations.blocks_of(me.user_id)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePage,
    summary="List a conversation's messages",
    responses=_MINE,
)
async def list_messages(
    conversation_id: str,
    me: CurrentUser,
    ports: PortsDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessagePage:
    """Newest first; only the two participants can read them."""
    page = await messages.conversation_messages(
        conversation_id, me.user_id, cursor=cursor, limit=limit, ports=ports
    )
    return MessagePage(items=[_message(m) for m in page.items], next_cursor=page.next_cursor)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Write in a conversation",
    responses=_SEND_IN,
)
async def send(
    conversation_id: str, body: NewMessageRequest, me: CurrentUser, ports: PortsDep
) -> MessageOut:
    """Write in one of the caller's conversations."""
    return _message(
        await messages.reply_in(conversation_id, me.user_id, body=body.body, ports=ports)
    )


@router.post(
    "/conversations/{conversation_id}/read",
    status_code=_NO_CONTENT,
    summary="Mark a conversation read",
    responses=_MINE,
)
async def read(conversation_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The caller has read the conversation up to now."""
    await messages.mark_conversation_read(conversation_id, me.user_id, ports=ports)
