"""HTTP routes of direct messages: conversations, messages, read markers, blocks."""

from fastapi import APIRouter, status

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented, people_out
from content.entrypoints.schemas_messages import (
    ConversationPage,
    MessageOut,
    MessagePage,
    NewConversationRequest,
    NewMessageRequest,
    conversation_out,
    message_out,
)
from content.service import messages
from content.service.people import names

router = APIRouter(prefix="/api/v1", tags=["direct messages"], responses=documented(401))
_SEND = documented(403, 422, 429)
_SEND_IN = documented(403, 404, 422, 429)
_MINE = documented(404, 422)
_MINE_PAGE = documented(400, 404, 422)
_BLOCK = documented(422)
_NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Message a member",
    responses=_SEND,
)
async def start(body: NewConversationRequest, me: CurrentUser, deps: Deps) -> MessageOut:
    """Only members who share a community, and who have not blocked you, can be messaged."""
    message = await messages.send_message(
        me.user_id, body.recipient_id, body=body.body, ports=deps.ports
    )
    return message_out(message)


@router.get(
    "/conversations",
    response_model=ConversationPage,
    summary="My conversations",
    responses=documented(400, 422),
)
async def mine(
    me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 20
) -> ConversationPage:
    """Most recent message first, with unread markers."""
    page = await messages.my_conversations(me.user_id, cursor=cursor, limit=limit, ports=deps.ports)
    people = people_out(await names([c.other(me.user_id) for c in page.items], ports=deps.ports))
    return ConversationPage(
        items=[conversation_out(c, me.user_id, people) for c in page.items],
        next_cursor=page.next_cursor,
    )


@router.put(
    "/conversations/blocks/{user_id}",
    status_code=_NO_CONTENT,
    summary="Block a member",
    responses=_BLOCK,
)
async def block(user_id: str, me: CurrentUser, deps: Deps) -> None:
    """A blocked person cannot message you."""
    await messages.set_block(me.user_id, user_id, on=True, ports=deps.ports)


@router.delete(
    "/conversations/blocks/{user_id}",
    status_code=_NO_CONTENT,
    summary="Unblock a member",
    responses=_BLOCK,
)
async def unblock(user_id: str, me: CurrentUser, deps: Deps) -> None:
    """They can message you again."""
    await messages.set_block(me.user_id, user_id, on=False, ports=deps.ports)


@router.get("/conversations/blocks", response_model=list[str], summary="Whom I blocked")
async def blocks(me: CurrentUser, deps: Deps) -> list[str]:
    """User ids the caller blocked."""
    return await messages.blocked_by(me.user_id, ports=deps.ports)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagePage,
    summary="List a conversation's messages",
    responses=_MINE_PAGE,
)
async def list_messages(
    conversation_id: str,
    me: CurrentUser,
    deps: Deps,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessagePage:
    """Newest first; only the two participants can read them."""
    page = await messages.conversation_messages(
        conversation_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    return MessagePage(items=[message_out(m) for m in page.items], next_cursor=page.next_cursor)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    summary="Write in a conversation",
    responses=_SEND_IN,
)
async def send(
    conversation_id: str, body: NewMessageRequest, me: CurrentUser, deps: Deps
) -> MessageOut:
    """Write in one of the caller's conversations."""
    return message_out(
        await messages.reply_in(conversation_id, me.user_id, body=body.body, ports=deps.ports)
    )


@router.post(
    "/conversations/{conversation_id}/read",
    status_code=_NO_CONTENT,
    summary="Mark a conversation read",
    responses=_MINE,
)
async def read(conversation_id: str, me: CurrentUser, deps: Deps) -> None:
    """The caller has read the conversation up to now."""
    await messages.mark_conversation_read(conversation_id, me.user_id, ports=deps.ports)
