"""Direct-message use cases with in-memory fakes: who may write, blocks and their events."""

import pytest

from cerchia_chassis.domain.errors import Forbidden, NotFound, RateLimited
from cerchia_contracts.events import content as c
from content.domain.errors import InvalidContent
from content.domain.messages import conversation_id
from content.service import messages
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


def world_of_two_circles() -> World:
    world = World(rate_limit=3)
    world.community("c")
    world.community("other")
    world.member("ada", "c")
    world.member("bo", "c")
    world.member("cy", "other")
    return world


async def test_a_first_message_opens_the_pairs_conversation_and_is_announced() -> None:
    world = world_of_two_circles()
    sent = await messages.send_message("ada", "bo", body="  Coffee?  ", ports=world.ports)
    assert sent.conversation_id == conversation_id("bo", "ada")
    assert sent.body == "Coffee?"
    conversation = world.store.conversations[sent.conversation_id]
    assert conversation.unread_for("bo")
    assert not conversation.unread_for("ada")
    (event,) = world.events(c.DirectMessageSentV1)
    assert event.subject == sent.conversation_id
    assert (event.data.sender_id, event.data.recipient_id, event.data.excerpt) == (
        "ada",
        "bo",
        "Coffee?",
    )
    answer = await messages.reply_in(sent.conversation_id, "bo", body="Sure", ports=world.ports)
    assert world.events(c.DirectMessageSentV1)[-1].data.recipient_id == "ada"
    page = await messages.conversation_messages(
        sent.conversation_id, "ada", cursor=None, limit=10, ports=world.ports
    )
    assert [m.id for m in page.items] == [answer.id, sent.id]


@pytest.mark.parametrize(
    ("sender", "recipient", "body", "error", "code"),
    [
        ("ada", "cy", "Hi", Forbidden, "no-shared-community"),
        ("ada", "ada", "Hi", InvalidContent, "self-message"),
        ("ada", "bo", "   ", InvalidContent, "empty"),
        ("ada", "bo", "x" * 4_001, InvalidContent, "too-long"),
    ],
)
async def test_refused_messages_write_and_publish_nothing(
    sender: str, recipient: str, body: str, error: type[Exception], code: str
) -> None:
    world = world_of_two_circles()
    before = world.snapshot()
    with pytest.raises(error) as refused:
        await messages.send_message(sender, recipient, body=body, ports=world.ports)
    assert getattr(refused.value, "code", None) == code
    assert world.snapshot() == before


async def test_outsiders_cannot_read_or_write_in_someone_elses_conversation() -> None:
    world = world_of_two_circles()
    sent = await messages.send_message("ada", "bo", body="Hi", ports=world.ports)
    with pytest.raises(NotFound):
        await messages.conversation_messages(
            sent.conversation_id, "cy", cursor=None, limit=10, ports=world.ports
        )
    with pytest.raises(NotFound):
        await messages.reply_in(sent.conversation_id, "cy", body="Me too", ports=world.ports)
    with pytest.raises(NotFound):
        await messages.mark_conversation_read(sent.conversation_id, "cy", ports=world.ports)


async def test_a_block_stops_messages_and_is_announced_once_on_the_pairs_key() -> None:
    world = world_of_two_circles()
    await messages.send_message("ada", "bo", body="Hi", ports=world.ports)
    for _ in range(2):
        await messages.set_block("bo", "ada", on=True, ports=world.ports)
    (blocked,) = world.events(c.MemberBlockedV1)
    pair = conversation_id("ada", "bo")
    assert blocked.subject == pair
    assert (blocked.data.blocker_id, blocked.data.blocked_id) == ("bo", "ada")
    assert await world.ports.conversations.blocks_of("bo") == ["ada"]

    before = world.snapshot()
    with pytest.raises(Forbidden) as refused:
        await messages.send_message("ada", "bo", body="?", ports=world.ports)
    assert refused.value.code == "blocked"
    assert world.snapshot() == before
    # The block stops the conversation both ways: the blocker cannot write either, by a reply
    # in the conversation or by a new message.
    with pytest.raises(Forbidden) as refused:
        await messages.send_message("bo", "ada", body="Please stop.", ports=world.ports)
    assert refused.value.code == "you-blocked-them"
    with pytest.raises(Forbidden) as refused:
        await messages.reply_in(pair, "bo", body="Please stop.", ports=world.ports)
    assert refused.value.code == "you-blocked-them"
    assert world.snapshot() == before

    await messages.set_block("bo", "ada", on=False, ports=world.ports)
    await messages.set_block("bo", "ada", on=False, ports=world.ports)
    (unblocked,) = world.events(c.MemberUnblockedV1)
    assert (unblocked.subject, unblocked.data.blocked_id) == (pair, "ada")
    await messages.send_message("ada", "bo", body="Sorry", ports=world.ports)
    await messages.send_message("bo", "ada", body="Apology accepted.", ports=world.ports)
    with pytest.raises(InvalidContent):
        await messages.set_block("bo", "bo", on=True, ports=world.ports)


async def test_messages_count_towards_the_posting_limit() -> None:
    world = world_of_two_circles()
    for n in range(3):
        await messages.send_message("ada", "bo", body=f"{n}", ports=world.ports)
    with pytest.raises(RateLimited):
        await messages.send_message("ada", "bo", body="one too many", ports=world.ports)
    assert len(world.store.messages) == 3
