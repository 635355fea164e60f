"""Moderation use cases with in-memory fakes: flags, decisions, thread tools, search, rights."""

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_contracts.events import content as c
from content.domain.errors import InvalidContent
from content.domain.moderation import Action
from content.service import moderation, replies, thread_moderation, threads
from content.service.threads import NewThread
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


def circle() -> World:
    world = World()
    world.community()
    world.member("olga", role="owner")
    world.member("mo", role="moderator")
    world.member("ada")
    world.member("bo")
    return world


async def test_a_flag_names_the_moderators_and_reaches_only_their_queue() -> None:
    world = circle()
    thread = await threads.start_thread("c", "bo", NewThread("Cheap", "Buy"), ports=world.ports)
    flag = await moderation.flag_content(
        "c", "ada", kind="thread", target_id=thread.id, reason="  Spam \n link ", ports=world.ports
    )
    assert flag.reason == "Spam link"
    (event,) = world.events(c.PostFlaggedV1)
    assert event.data.moderator_ids == ("mo", "olga")
    assert (event.data.author_id, event.data.title) == ("bo", "Cheap")
    with pytest.raises(Forbidden):
        await moderation.moderation_queue("c", "ada", cursor=None, limit=10, ports=world.ports)
    queue = await moderation.moderation_queue("c", "mo", cursor=None, limit=10, ports=world.ports)
    assert [f.id for f in queue.items] == [flag.id]


async def test_flags_need_a_reason_a_member_and_a_target_in_that_community() -> None:
    world = circle()
    world.community("other")
    world.member("cy", "other")
    thread = await threads.start_thread("c", "bo", NewThread("T", "B"), ports=world.ports)
    before = world.snapshot()
    with pytest.raises(InvalidContent):
        await moderation.flag_content(
            "c", "ada", kind="thread", target_id=thread.id, reason="   ", ports=world.ports
        )
    with pytest.raises(NotFound):  # content of another community is not there to flag
        await moderation.flag_content(
            "other", "cy", kind="thread", target_id=thread.id, reason="x", ports=world.ports
        )
    with pytest.raises(NotFound):  # an outsider learns nothing of a private community
        await moderation.flag_content(
            "c", "cy", kind="thread", target_id=thread.id, reason="x", ports=world.ports
        )
    assert world.snapshot() == before


async def test_only_moderators_decide_and_a_refusal_leaves_no_trace() -> None:
    world = circle()
    thread = await threads.start_thread("c", "bo", NewThread("T", "B"), ports=world.ports)
    before = world.snapshot()
    with pytest.raises(Forbidden) as refused:
        await moderation.moderate(
            "c",
            "ada",
            kind="thread",
            target_id=thread.id,
            action=Action.HIDE,
            reason="no",
            ports=world.ports,
        )
    assert refused.value.code == "not-a-moderator"
    assert world.snapshot() == before


async def test_hiding_a_thread_takes_its_replies_out_of_search_until_restored() -> None:
    world = circle()
    thread = await threads.start_thread("c", "bo", NewThread("Watches", "B"), ports=world.ports)
    reply = await replies.post_reply(thread.id, "ada", body="r", parent_id=None, ports=world.ports)
    flag = await moderation.flag_content(
        "c", "ada", kind="thread", target_id=thread.id, reason="Spam", ports=world.ports
    )

    async def decide(action: Action) -> None:
        await moderation.moderate(
            "c",
            "mo",
            kind="thread",
            target_id=thread.id,
            action=action,
            reason="Advertising",
            ports=world.ports,
        )

    await decide(Action.HIDE)
    assert world.store.search == {}
    assert world.store.flags[flag.id].resolution == "hidden"
    with pytest.raises(NotFound):  # members no longer see it; moderators still do
        await threads.readable_thread(thread.id, "ada", ports=world.ports)
    await threads.readable_thread(thread.id, "mo", ports=world.ports)

    await decide(Action.RESTORE)
    assert set(world.store.search) == {("thread", thread.id), ("reply", reply.id)}
    await decide(Action.REMOVE)
    assert world.store.search == {}
    with pytest.raises(Conflict):
        await decide(Action.RESTORE)
    actions = [e.data.action for e in world.events(c.PostModeratedV1)]
    assert actions == ["hidden", "restored", "removed"]
    assert world.events(c.PostModeratedV1)[0].data.resolved_flag_ids == (flag.id,)
    log = await moderation.moderation_log("c", "olga", cursor=None, limit=10, ports=world.ports)
    assert [d.action for d in log.items] == [Action.REMOVE, Action.RESTORE, Action.HIDE]


async def test_a_restored_reply_of_a_hidden_thread_stays_out_of_search() -> None:
    world = circle()
    thread = await threads.start_thread("c", "bo", NewThread("T", "B"), ports=world.ports)
    reply = await replies.post_reply(thread.id, "ada", body="r", parent_id=None, ports=world.ports)

    async def decide(kind: str, target: str, action: Action) -> None:
        await moderation.moderate(
            "c",
            "mo",
            kind=kind,  # type: ignore[arg-type]
            target_id=target,
            action=action,
            reason="why",
            ports=world.ports,
        )

    await decide("reply", reply.id, Action.HIDE)
    await decide("thread", thread.id, Action.HIDE)
    await decide("reply", reply.id, Action.RESTORE)
    assert ("reply", reply.id) not in world.store.search
    await decide("thread", thread.id, Action.RESTORE)
    assert ("reply", reply.id) in world.store.search


async def test_pin_lock_and_move_are_moderator_tools_with_events_naming_followers() -> None:
    world = circle()
    thread = await threads.start_thread("c", "ada", NewThread("T", "B"), ports=world.ports)
    before = world.snapshot()
    with pytest.raises(Forbidden):
        await thread_moderation.set_thread_state(thread.id, "bo", pinned=True, ports=world.ports)
    assert world.snapshot() == before

    await thread_moderation.set_thread_state(thread.id, "mo", pinned=True, ports=world.ports)
    await thread_moderation.set_thread_state(thread.id, "mo", pinned=True, ports=world.ports)
    await thread_moderation.set_thread_state(thread.id, "mo", locked=True, ports=world.ports)
    assert len(world.events(c.ThreadPinnedV1)) == 1  # pinning twice changes nothing
    (locked,) = world.events(c.ThreadLockedV1)
    assert locked.data.follower_ids == ("ada",)
    moved = await thread_moderation.move_thread(
        thread.id, "olga", category="Archive", tags=("Old",), ports=world.ports
    )
    assert (moved.category, moved.tags) == ("archive", ("old",))
    (event,) = world.events(c.ThreadMovedV1)
    assert (event.data.previous_category, event.data.category) == (None, "archive")
