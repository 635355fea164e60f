"""Replies and reactions: post (threaded), list, edit (history kept), delete, react."""

from dataclasses import replace
from datetime import UTC, datetime

from cerchia_chassis.domain.cursors import Page, decode_optional, page_of
from cerchia_chassis.domain.errors import Conflict, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import Post, Reply, Revision, Thread, check_reaction, new_id
from content.domain.markup import render
from content.service.indexing import index_reply
from content.service.ports import Ports
from content.service.posting import check_rate, mention_events, mentioned_members, require_verified
from content.service.threads import readable_thread, thread_fact


async def post_reply(
    thread_id: str, user_id: str, *, body: str, parent_id: str | None, ports: Ports
) -> Reply:
    """Reply in a thread (optionally to a reply); the replier follows; followers are told."""
    now = datetime.now(UTC)
    rendered = render(body, max_length=limits.POST_BODY_MAX)

    async def work(session: Session) -> Reply:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        viewer.require_post()
        await require_verified(ports, user_id, session)
        thread.require_replyable()
        parent_author = await _parent_author(thread, parent_id, viewer, ports, session)
        await check_rate(ports, user_id, now, session)
        reply = Reply(
            id=new_id(),
            community_id=thread.community_id,
            author_id=user_id,
            body=rendered,
            created_at=now,
            thread_id=thread.id,
            parent_id=parent_id,
        )
        updated = replace(
            thread.followed_by(user_id), reply_count=thread.reply_count + 1, last_activity_at=now
        )
        mentioned = await mentioned_members(ports, viewer, rendered, session=session)
        await ports.replies.add(reply, session)
        await ports.threads.save(updated, session)
        await index_reply(ports, reply, updated, viewer.community.language, session)
        await ports.outbox.add(session, *_posted(reply, updated, user_id, parent_author, mentioned))
        return reply

    reply = await ports.transactions.run(work)
    ports.outbox.committed()
    return reply


async def _parent_author(
    thread: Thread, parent_id: str | None, viewer: Viewer, ports: Ports, session: Session
) -> str | None:
    """Whom the reply answers: the parent reply's author, or the thread's."""
    if parent_id is None:
        return thread.author_id
    parent = await ports.replies.get(parent_id, session)
    if parent is None or parent.thread_id != thread.id or not parent.visible_to(viewer):
        raise NotFound("No such reply in this thread.")
    return parent.author_id


def _posted(
    reply: Reply,
    thread: Thread,
    author: str,
    parent_author: str | None,
    mentioned: tuple[str, ...],
) -> list[AnyEvent]:
    excerpt = reply.body.excerpt()
    posted = c.ReplyPostedV1.new(
        subject=thread.community_id,
        time=reply.created_at,
        data=c.ReplyPosted(
            **thread_fact(thread, author),
            reply_id=reply.id,
            parent_reply_id=reply.parent_id,
            parent_author_id=parent_author,
            excerpt=excerpt,
            follower_ids=thread.followers,
            mentioned_user_ids=mentioned,
        ),
    )
    return [posted, *_mentions(thread, reply, author, mentioned)]


def _mentions(
    thread: Thread, reply: Reply, actor_id: str, mentioned: tuple[str, ...]
) -> list[c.MemberMentionedV1]:
    return mention_events(
        thread,
        actor_id=actor_id,
        user_ids=mentioned,
        post_kind="reply",
        post_id=reply.id,
        excerpt=reply.body.excerpt(),
        at=reply.edited_at or reply.created_at,
    )


async def list_replies(
    thread_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Reply]:
    """Replies in posting order; each names its parent, so clients draw the tree."""
    _, viewer = await readable_thread(thread_id, user_id, ports=ports)
    after = decode_optional(cursor, arity=2)
    replies = await ports.replies.page(
        thread_id, after=after, limit=limit + 1, include_hidden=viewer.is_moderator
    )
    return page_of(replies, limit, lambda r: (r.created_at, r.id))


async def read_reply(reply_id: str, user_id: str, *, ports: Ports) -> Reply:
    """One reply, for whoever may read its thread (a hidden one for moderators only)."""
    reply, _, _ = await _readable_reply(reply_id, user_id, ports=ports)
    return reply


async def _readable_reply(
    reply_id: str, user_id: str, *, ports: Ports, session: Session = None
) -> tuple[Reply, Thread, Viewer]:
    reply = await ports.replies.get(reply_id, session)
    if reply is None:
        raise NotFound("No such reply.")
    thread, viewer = await readable_thread(reply.thread_id, user_id, ports=ports, session=session)
    if not reply.visible_to(viewer):
        raise NotFound("No such reply.")
    return reply, thread, viewer


async def edit_reply(reply_id: str, user_id: str, *, body: str, ports: Ports) -> Reply:
    """The author edits a reply; the previous version goes to the history."""
    now = datetime.now(UTC)
    rendered = render(body, max_length=limits.POST_BODY_MAX)

    async def work(session: Session) -> Reply:
        reply, thread, viewer = await _readable_reply(
            reply_id, user_id, ports=ports, session=session
        )
        reply.require_editable_by(viewer)
        if thread.locked:
            raise Conflict("This thread is locked by the moderators.", code="thread-locked")
        await ports.revisions.add(reply.as_revision(), session)
        before = await mentioned_members(ports, viewer, reply.body, session=session)
        edited = reply.edited(now, body=rendered)
        mentioned = await mentioned_members(
            ports, viewer, rendered, already=before, session=session
        )
        await ports.replies.save(edited, session)
        await index_reply(ports, edited, thread, viewer.community.language, session)
        await ports.outbox.add(session, *_edited(edited, thread, user_id, mentioned))
        return edited

    reply = await ports.transactions.run(work)
    ports.outbox.committed()
    return reply


def _edited(
    reply: Reply, thread: Thread, actor_id: str, mentioned: tuple[str, ...]
) -> list[AnyEvent]:
    edited = c.ReplyEditedV1.new(
        subject=thread.community_id,
        time=reply.edited_at or reply.created_at,
        data=c.ReplyEdited(
            **thread_fact(thread, actor_id),
            reply_id=reply.id,
            reply_author_id=reply.author_id,
            revision=reply.revision,
            excerpt=reply.body.excerpt(),
        ),
    )
    return [edited, *_mentions(thread, reply, actor_id, mentioned)]


async def delete_reply(reply_id: str, user_id: str, *, ports: Ports) -> None:
    """The author or a moderator deletes a reply: its text, reactions and history leave
    storage and search; a tombstone keeps its place in the tree for its children."""
    now = datetime.now(UTC)

    async def work(session: Session) -> None:
        reply, thread, viewer = await _readable_reply(
            reply_id, user_id, ports=ports, session=session
        )
        reply.require_deletable_by(viewer)
        await ports.replies.save(reply.deleted(now), session)
        await ports.revisions.drop(reply.id, session)
        await ports.threads.save(
            replace(thread, reply_count=max(0, thread.reply_count - 1)), session
        )
        await ports.search.drop("reply", reply.id, session)
        await ports.outbox.add(
            session,
            c.ReplyDeletedV1.new(
                subject=thread.community_id,
                time=now,
                data=c.ReplyDeleted(
                    **thread_fact(thread, user_id),
                    reply_id=reply.id,
                    reply_author_id=reply.author_id,
                ),
            ),
        )

    await ports.transactions.run(work)
    ports.outbox.committed()


async def _readable_post(
    post_kind: c.PostKind, post_id: str, user_id: str, ports: Ports, session: Session
) -> tuple[Post, Thread, Viewer]:
    """A thread's opening post or a reply, its thread, and the caller's standing."""
    if post_kind == "thread":
        thread, viewer = await readable_thread(post_id, user_id, ports=ports, session=session)
        return thread, thread, viewer
    return await _readable_reply(post_id, user_id, ports=ports, session=session)


async def reply_history(reply_id: str, user_id: str, *, ports: Ports) -> list[Revision]:
    """Earlier versions of a reply, oldest first."""
    await _readable_reply(reply_id, user_id, ports=ports)
    return await ports.revisions.of(reply_id)


async def react(
    post_kind: c.PostKind, post_id: str, user_id: str, reaction: str, *, on: bool, ports: Ports
) -> dict[str, tuple[str, ...]]:
    """Add or withdraw a reaction on a thread's opening post or a reply; return the reactions."""
    check_reaction(reaction)
    now = datetime.now(UTC)

    async def work(session: Session) -> dict[str, tuple[str, ...]]:
        post, thread, viewer = await _readable_post(post_kind, post_id, user_id, ports, session)
        viewer.require_post()
        if not post.live:
            raise Conflict("This post is not open for reactions.", code="not-live")
        thread.require_unlocked()
        already = user_id in post.reactions.get(reaction, ())
        reactions = post.reacted(user_id, reaction, on=on)
        if reactions == post.reactions:
            return reactions
        if isinstance(post, Thread):
            await ports.threads.save(replace(post, reactions=reactions), session)
        elif isinstance(post, Reply):
            await ports.replies.save(replace(post, reactions=reactions), session)
        if on and not already:
            await ports.outbox.add(
                session,
                c.ReactionAddedV1.new(
                    subject=thread.community_id,
                    time=now,
                    data=c.ReactionAdded(
                        **thread_fact(thread, user_id),
                        post_kind=post_kind,
                        post_id=post.id,
                        post_author_id=post.author_id,
                        reaction=reaction,
                    ),
                ),
            )
        return reactions

    reactions = await ports.transactions.run(work)
    ports.outbox.committed()
    return reactions
