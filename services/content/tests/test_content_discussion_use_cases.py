"""Thread and reply use cases with in-memory fakes: events, refusals that write nothing, rights."""

from dataclasses import replace

import pytest

from cerchia_chassis.domain.community import Standing
from cerchia_chassis.domain.cursors import InvalidCursor, encode_cursor
from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound, RateLimited
from cerchia_contracts.events import content as c
from content.domain.errors import InvalidContent
from content.service import replies, thread_moderation, threads
from content.service.threads import NewThread, ThreadQuery
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


def circle() -> World:
    world = World(rate_limit=3)
    world.community()
    world.member("olga", role="owner", handle="olga")
    world.member("ada", handle="ada")
    world.member("bo", handle="bo")
    return world


async def test_a_thread_is_stored_indexed_followed_and_announced_with_its_mentions() -> None:
    world = circle()
    thread = await threads.start_thread(
        "c",
        "ada",
        NewThread(title="Retros", body="Ideas, @bo and @nobody? Not `@olga`."),
        ports=world.ports,
    )
    assert world.store.threads[thread.id].followers == ("ada",)
    assert ("thread", thread.id) in world.store.search
    (created,) = world.events(c.ThreadCreatedV1)
    assert created.subject == "c"
    assert created.data.thread_id == thread.id
    assert created.data.mentioned_user_ids == ("bo",)
    (mention,) = world.events(c.MemberMentionedV1)
    assert (mention.data.mentioned_user_id, mention.data.post_kind) == ("bo", "thread")
    assert world.outbox.commits == 1


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda w: w.member("ada", standing=Standing.BANNED), "banned"),
        (lambda w: w.member("ada", standing=Standing.REMOVED), "removed"),
        (lambda w: w.member("ada", accepted=0), "code-of-conduct-not-accepted"),
        (lambda w: w.community(archived=True), "archived"),
        # (outsiders of a private community are told it is not found instead)
        (
            lambda w: [w.community(visibility="public"), w.store.memberships.pop(("c", "ada"))],
            "not-a-member",
        ),
    ],
)
async def test_a_refused_thread_writes_and_publishes_nothing(setup: object, code: str) -> None:
    world = circle()
    setup(world)  # type: ignore[operator]
    before = world.snapshot()
    with pytest.raises(Forbidden) as refused:
        await threads.start_thread("c", "ada", NewThread("T", "B"), ports=world.ports)
    assert refused.value.code == code
    assert world.snapshot() == before
    assert world.outbox.commits == 0


async def test_the_rate_limit_refuses_the_extra_post_and_keeps_no_trace_of_it() -> None:
    world = circle()
    for n in range(3):
        await threads.start_thread("c", "ada", NewThread(f"T{n}", "B"), ports=world.ports)
    before = world.snapshot()
    with pytest.raises(RateLimited):
        await threads.start_thread("c", "ada", NewThread("T4", "B"), ports=world.ports)
    assert world.snapshot() == before
    assert len(world.store.post_log) == 3


async def test_editing_keeps_history_announces_only_new_mentions_and_is_the_authors_right() -> None:
    world = circle()
    thread = await threads.start_thread("c", "ada", NewThread("Draft", "Hi @bo"), ports=world.ports)
    before = world.snapshot()
    with pytest.raises(Forbidden):
        await threads.edit_thread(
            thread.id, "olga", title=None, body="hijack", tags=None, ports=world.ports
        )
    assert world.snapshot() == before  # not even a revision was kept

    edited = await threads.edit_thread(
        thread.id, "ada", title="Final", body="Hi @bo and @olga", tags=None, ports=world.ports
    )
    assert (edited.revision, edited.title) == (2, "Final")
    history = await threads.thread_history(thread.id, "bo", ports=world.ports)
    assert [(r.revision, r.title, r.markdown) for r in history] == [(1, "Draft", "Hi @bo")]
    (event,) = world.events(c.ThreadEditedV1)
    assert event.data.revision == 2
    mentions = [e.data.mentioned_user_id for e in world.events(c.MemberMentionedV1)]
    assert mentions == ["bo", "olga"]  # bo once (at creation), olga for the edit
    assert world.store.search[("thread", thread.id)]["title"] == "Final"


async def test_replies_name_followers_and_parent_author_and_locked_threads_refuse_them() -> None:
    world = circle()
    thread = await threads.start_thread("c", "olga", NewThread("T", "B"), ports=world.ports)
    first = await replies.post_reply(
        thread.id, "ada", body="Thanks @olga", parent_id=None, ports=world.ports
    )
    await replies.post_reply(thread.id, "bo", body="Agreed", parent_id=first.id, ports=world.ports)
    posted = world.events(c.ReplyPostedV1)
    assert posted[0].data.parent_author_id == "olga"
    assert posted[0].data.follower_ids == ("olga", "ada")
    assert posted[1].data.parent_author_id == "ada"
    assert posted[1].data.follower_ids == ("olga", "ada", "bo")
    assert world.store.threads[thread.id].reply_count == 2

    other = await threads.start_thread("c", "olga", NewThread("U", "B"), ports=world.ports)
    with pytest.raises(NotFound):  # a parent from another thread is no parent here
        await replies.post_reply(other.id, "ada", body="x", parent_id=first.id, ports=world.ports)

    world.store.threads[thread.id] = replace(world.store.threads[thread.id], locked=True)
    before = world.snapshot()
    with pytest.raises(Conflict) as locked:
        await replies.post_reply(thread.id, "ada", body="late", parent_id=None, ports=world.ports)
    assert locked.value.code == "thread-locked"
    assert world.snapshot() == before


async def test_a_deleted_reply_is_blanked_in_storage_and_leaves_search_and_history() -> None:
    world = circle()
    thread = await threads.start_thread("c", "olga", NewThread("T", "B"), ports=world.ports)
    reply = await replies.post_reply(
        thread.id, "ada", body="secret words", parent_id=None, ports=world.ports
    )
    await replies.edit_reply(reply.id, "ada", body="more secret words", ports=world.ports)
    await replies.react("reply", reply.id, "bo", "like", on=True, ports=world.ports)
    assert ("reply", reply.id) in world.store.search

    with pytest.raises(Forbidden):  # another member may not delete it
        await replies.delete_reply(reply.id, "bo", ports=world.ports)
    await replies.delete_reply(reply.id, "ada", ports=world.ports)

    stored = world.store.replies[reply.id]
    assert stored.deleted_at is not None
    assert (stored.body.markdown, stored.body.html, stored.body.text) == ("", "", "")
    assert stored.reactions == {}
    assert stored.thread_id == thread.id  # the tombstone keeps its place in the tree
    assert ("reply", reply.id) not in world.store.search
    assert [r for r in world.store.revisions if r.post_id == reply.id] == []
    assert world.store.threads[thread.id].reply_count == 0
    (deleted,) = world.events(c.ReplyDeletedV1)
    assert deleted.data.reply_author_id == "ada"
    page = await replies.list_replies(thread.id, "bo", cursor=None, limit=10, ports=world.ports)
    assert [r.id for r in page.items] == [reply.id]


async def test_reactions_are_announced_once_and_only_for_live_posts() -> None:
    world = circle()
    thread = await threads.start_thread("c", "ada", NewThread("T", "B"), ports=world.ports)
    for _ in range(2):
        found = await replies.react("thread", thread.id, "bo", "like", on=True, ports=world.ports)
    assert found == {"like": ("bo",)}
    assert len(world.events(c.ReactionAddedV1)) == 1
    assert await replies.react("thread", thread.id, "bo", "like", on=False, ports=world.ports) == {}
    with pytest.raises(InvalidContent, match="Unknown reaction"):
        await replies.react("thread", thread.id, "bo", "angry", on=True, ports=world.ports)


async def test_unread_filter_fills_the_page_from_the_store_not_after_paging() -> None:
    world = circle()
    made = [
        await threads.start_thread("c", "olga", NewThread(f"T{n}", "B"), ports=world.ports)
        for n in range(3)
    ]
    # Ada read the two newest: one unread thread remains, and a page of one must hold it.
    for thread in made[1:]:
        await threads.mark_read(thread.id, "ada", ports=world.ports)
    query = ThreadQuery(sort="newest", limit=1, unread=True)
    listing = await threads.list_threads("c", "ada", query, ports=world.ports)
    assert [t.id for t in listing.page.items] == [made[0].id]
    assert listing.page.next_cursor is None


async def test_outsiders_of_a_private_community_cannot_learn_a_thread_exists() -> None:
    world = circle()
    world.community("other")
    world.member("cy", "other")
    thread = await threads.start_thread("c", "ada", NewThread("T", "B"), ports=world.ports)
    with pytest.raises(NotFound):
        await threads.readable_thread(thread.id, "cy", ports=world.ports)
    with pytest.raises(NotFound):
        await threads.follow_thread(thread.id, "cy", on=True, ports=world.ports)
    assert world.store.threads[thread.id].followers == ("ada",)


async def test_deleting_a_thread_is_for_its_author_or_a_moderator_and_empties_search() -> None:
    world = circle()
    thread = await threads.start_thread("c", "ada", NewThread("T", "B"), ports=world.ports)
    await threads.edit_thread(thread.id, "ada", title=None, body="B2", tags=None, ports=world.ports)
    reply = await replies.post_reply(thread.id, "bo", body="r", parent_id=None, ports=world.ports)
    with pytest.raises(Forbidden):
        await threads.delete_thread(thread.id, "bo", ports=world.ports)
    await threads.delete_thread(thread.id, "olga", ports=world.ports)
    tombstone = world.store.threads[thread.id]
    assert tombstone.deleted_at is not None
    assert (tombstone.title, tombstone.body.markdown, tombstone.body.html) == ("T", "", "")
    assert world.store.revisions == []
    assert ("thread", thread.id) not in world.store.search
    assert ("reply", reply.id) not in world.store.search  # its replies go with it
    (event,) = world.events(c.ThreadDeletedV1)
    assert event.data.actor_id == "olga"


async def test_a_cursor_content_did_not_issue_is_refused_and_a_real_one_continues() -> None:
    world = circle()
    for n in range(3):
        await threads.start_thread("c", "olga", NewThread(f"T{n}", "B"), ports=world.ports)
    first = await threads.list_threads("c", "ada", ThreadQuery(limit=2), ports=world.ports)
    assert first.page.next_cursor is not None
    rest = await threads.list_threads(
        "c", "ada", ThreadQuery(limit=2, cursor=first.page.next_cursor), ports=world.ports
    )
    assert len(rest.page.items) == 1
    assert rest.page.next_cursor is None
    for forged in ("garbage", encode_cursor(("a",)), encode_cursor(({"x": 1}, "a", "b"))):
        with pytest.raises(InvalidCursor):
            await threads.list_threads("c", "ada", ThreadQuery(cursor=forged), ports=world.ports)


async def test_a_locked_thread_refuses_reactions_on_its_posts_until_unlocked() -> None:
    world = circle()
    thread = await threads.start_thread("c", "olga", NewThread("T", "B"), ports=world.ports)
    reply = await replies.post_reply(thread.id, "ada", body="r", parent_id=None, ports=world.ports)
    await replies.react("thread", thread.id, "bo", "like", on=True, ports=world.ports)
    await thread_moderation.set_thread_state(thread.id, "olga", locked=True, ports=world.ports)
    before = world.snapshot()
    for kind, post_id, on in [
        ("thread", thread.id, True),
        ("reply", reply.id, True),
        ("thread", thread.id, False),  # frozen: withdrawing is refused too
    ]:
        with pytest.raises(Conflict) as locked:
            await replies.react(kind, post_id, "bo", "thanks", on=on, ports=world.ports)
        assert locked.value.code == "thread-locked"
    assert world.snapshot() == before
    await thread_moderation.set_thread_state(thread.id, "olga", locked=False, ports=world.ports)
    reactions = await replies.react("reply", reply.id, "bo", "thanks", on=True, ports=world.ports)
    assert reactions == {"thanks": ("bo",)}
