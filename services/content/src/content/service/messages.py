"""Direct messages: send within a shared community, list, read markers, block/unblock."""

from dataclasses import replace
from datetime import UTC, datetime

from cerchia_chassis.domain.cursors import Page, decode_optional, page_of
from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.discussions import new_id
from content.domain.errors import InvalidContent
from content.domain.markup import excerpt
from content.domain.messages import (
    Conversation,
    Message,
    check_can_message,
    conversation_after,
    conversation_id,
)
from content.service.access import share_a_community
from content.service.ports import Ports
from content.service.posting import check_rate, require_verified

DM_EXCERPT = 140


def _body(text: str) -> str:
    body = text.strip()
    if not body:
        raise InvalidContent("The message is empty.", code="empty")
    if len(body) > limits.MESSAGE_BODY_MAX:
        raise InvalidContent(
            f"A message has at most {limits.MESSAGE_BODY_MAX} characters.", code="too-long"
        )
    return body


async def send_message(sender_id: str, recipient_id: str, *, body: str, ports: Ports) -> Message:
    """Send a message, opening the pair's conversation on first contact."""
    now = datetime.now(UTC)
    text = _body(body)
    check_can_message(
        sender_id=sender_id,
        recipient_id=recipient_id,
        share_community=await share_a_community(ports.communities, sender_id, recipient_id),
        blocked=await ports.conversations.blocked(recipient_id, sender_id),
        blocking=await ports.conversations.blocked(sender_id, recipient_id),
    )
    key = conversation_id(sender_id, recipient_id)

    async def work(session: Session) -> Message:
        # Checked again inside the transaction: a block may have landed meanwhile.
        check_can_message(
            sender_id=sender_id,
            recipient_id=recipient_id,
            share_community=True,
            blocked=await ports.conversations.blocked(recipient_id, sender_id, session),
            blocking=await ports.conversations.blocked(sender_id, recipient_id, session),
        )
        await require_verified(ports, sender_id, session)
        await check_rate(ports, sender_id, now, session)
        conversation = conversation_after(
            await ports.conversations.get(key, session),
            sender_id=sender_id,
            recipient_id=recipient_id,
            at=now,
        )
        message = Message(
            id=new_id(), conversation_id=key, sender_id=sender_id, body=text, created_at=now
        )
        await ports.conversations.save(conversation, session)
        await ports.conversations.add_message(message, session)
        await ports.outbox.add(session, _sent(message, recipient_id))
        return message

    message = await ports.transactions.run(work)
    ports.outbox.committed()
    return message


def _sent(message: Message, recipient_id: str) -> c.DirectMessageSentV1:
    return c.DirectMessageSentV1.new(
        subject=message.conversation_id,
        time=message.created_at,
        data=c.DirectMessageSent(
            conversation_id=message.conversation_id,
            message_id=message.id,
            sender_id=message.sender_id,
            recipient_id=recipient_id,
            excerpt=excerpt(" ".join(message.body.split()), DM_EXCERPT),
        ),
    )


async def reply_in(conversation_key: str, sender_id: str, *, body: str, ports: Ports) -> Message:
    """Send a message in an existing conversation of the caller's."""
    conversation = await my_conversation(conversation_key, sender_id, ports=ports)
    return await send_message(sender_id, conversation.other(sender_id), body=body, ports=ports)


async def my_conversation(conversation_key: str, user_id: str, *, ports: Ports) -> Conversation:
    """A conversation the caller takes part in; NotFound otherwise."""
    conversation = await ports.conversations.get(conversation_key)
    if conversation is None:
        raise NotFound("No such conversation.")
    conversation.require_participant(user_id)
    return conversation


async def my_conversations(
    user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Conversation]:
    """The caller's conversations, most recent message first."""
    after = decode_optional(cursor, arity=2)
    found = await ports.conversations.of(user_id, after=after, limit=limit + 1)
    return page_of(found, limit, lambda conv: (conv.last_message_at, conv.id))


async def conversation_messages(
    conversation_key: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Message]:
    """Messages of one of the caller's conversations, newest first."""
    await my_conversation(conversation_key, user_id, ports=ports)
    after = decode_optional(cursor, arity=2)
    found = await ports.conversations.messages(conversation_key, after=after, limit=limit + 1)
    return page_of(found, limit, lambda message: (message.created_at, message.id))


async def mark_conversation_read(conversation_key: str, user_id: str, *, ports: Ports) -> None:
    """The caller has read the conversation up to now."""
    now = datetime.now(UTC)

    async def work(session: Session) -> None:
        conversation = await ports.conversations.get(conversation_key, session)
        if conversation is None:
            raise NotFound("No such conversation.")
        conversation.require_participant(user_id)
        await ports.conversations.save(
            replace(conversation, last_read_at={**conversation.last_read_at, user_id: now}),
            session,
        )

    await ports.transactions.run(work)


async def set_block(user_id: str, other_id: str, *, on: bool, ports: Ports) -> None:
    """Block (or unblock) someone: neither can message the other while it lasts, and the
    event tells notifications to hold back what the blocked person does. Again is harmless."""
    if user_id == other_id:
        raise InvalidContent("You cannot block yourself.", code="self-block")
    now = datetime.now(UTC)
    pair = conversation_id(user_id, other_id)

    async def work(session: Session) -> bool:
        if await ports.conversations.blocked(user_id, other_id, session) == on:
            return False
        await ports.conversations.block(user_id, other_id, on=on, session=session)
        fact = {"conversation_id": pair, "blocker_id": user_id, "blocked_id": other_id}
        event = (
            c.MemberBlockedV1.new(subject=pair, time=now, data=c.MemberBlocked(**fact))
            if on
            else c.MemberUnblockedV1.new(subject=pair, time=now, data=c.MemberUnblocked(**fact))
        )
        await ports.outbox.add(session, event)
        return True

    if await ports.transactions.run(work):
        ports.outbox.committed()


async def blocked_by(user_id: str, *, ports: Ports) -> list[str]:
    """User ids the caller blocked."""
    return await ports.conversations.blocks_of(user_id)
