"""Threads: open, read, list, edit (history kept), delete, follow, mark read."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.domain.cursors import Page, Position, decode_optional, page_of
from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import Revision, Thread, new_id
from content.domain.markup import render
from content.service.access import viewer_in
from content.service.discussion_ports import ThreadSort
from content.service.indexing import index_thread
from content.service.ports import Ports
from content.service.posting import check_rate, mention_events, mentioned_members, require_verified


@dataclass(frozen=True)
class NewThread:
    """What a member submits to open a thread."""

    title: str
    body: str
    tags: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class ThreadQuery:
    """Which of a community's threads to list, and which page of them."""

    sort: ThreadSort = "activity"
    category: str | None = None
    tag: str | None = None
    #: Only threads with activity the caller has not read.
    unread: bool = False
    cursor: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class ThreadListing:
    """A page of threads and, per thread, when the caller last read it."""

    page: Page[Thread]
    read_at: dict[str, datetime]


def thread_fact(thread: Thread, actor_id: str | None) -> dict[str, Any]:
    """The fields every discussion event carries."""
    return {
        "community_id": thread.community_id,
        "actor_id": actor_id,
        "thread_id": thread.id,
        "thread_title": thread.title,
        "thread_author_id": thread.author_id,
    }


async def start_thread(community_id: str, user_id: str, new: NewThread, *, ports: Ports) -> Thread:
    """Open a thread; the author follows it; mentioned members are told."""
    now = datetime.now(UTC)
    title = limits.title(new.title)
    body = render(new.body, max_length=limits.POST_BODY_MAX)
    tags = limits.tags(new.tags)
    category = limits.tags([new.category])[0] if new.category else None

    async def work(session: Session) -> Thread:
        viewer = await viewer_in(ports.communities, community_id, user_id, session)
        viewer.require_post()
        await require_verified(ports, user_id, session)
        await check_rate(ports, user_id, now, session)
        thread = Thread(
            id=new_id(),
            community_id=community_id,
            author_id=user_id,
            body=body,
            created_at=now,
            title=title,
            category=category,
            tags=tags,
            last_activity_at=now,
            followers=(user_id,),
        )
        mentioned = await mentioned_members(ports, viewer, body, session=session)
        await ports.threads.add(thread, session)
        await index_thread(ports, thread, viewer.community.language, session)
        await ports.outbox.add(session, *_opened(thread, user_id, mentioned))
        return thread

    thread = await ports.transactions.run(work)
    ports.outbox.committed()
    return thread


def _opened(thread: Thread, author: str, mentioned: tuple[str, ...]) -> list[AnyEvent]:
    at, excerpt = thread.created_at, thread.body.excerpt()
    created = c.ThreadCreatedV1.new(
        subject=thread.community_id,
        time=at,
        data=c.ThreadCreated(
            **thread_fact(thread, author),
            category=thread.category,
            tags=thread.tags,
            excerpt=excerpt,
            mentioned_user_ids=mentioned,
        ),
    )
    return [
        created,
        *mention_events(
            thread,
            actor_id=author,
            user_ids=mentioned,
            post_kind="thread",
            post_id=thread.id,
            excerpt=excerpt,
            at=at,
        ),
    ]


async def readable_thread(
    thread_id: str, user_id: str, *, ports: Ports, session: Session = None
) -> tuple[Thread, Viewer]:
    """The thread and the caller's standing, if the caller may see it; NotFound otherwise."""
    thread = await ports.threads.get(thread_id, session)
    if thread is None:
        raise NotFound("No such thread.")
    viewer = await viewer_in(ports.communities, thread.community_id, user_id, session)
    viewer.require_read()
    if not thread.visible_to(viewer):
        raise NotFound("No such thread.")
    return thread, viewer


async def list_threads(
    community_id: str, user_id: str, query: ThreadQuery, *, ports: Ports
) -> ThreadListing:
    """A page of the community's threads, pinned first when sorted by activity; ``unread``
    keeps only threads with activity the caller has not read (still full pages)."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_read()
    sort = query.sort
    threads = await ports.threads.page(
        community_id,
        sort=sort,
        after=decode_optional(query.cursor, arity=3 if sort == "activity" else 2),
        limit=query.limit + 1,
        category=query.category,
        tag=query.tag,
        include_hidden=viewer.is_moderator,
        unread_for=user_id if query.unread else None,
    )
    page = page_of(threads, query.limit, lambda t: thread_position(t, sort))
    read_at = await ports.reads.read_at(user_id, [t.id for t in page.items])
    return ThreadListing(page=page, read_at=read_at)


async def categories(community_id: str, user_id: str, *, ports: Ports) -> dict[str, int]:
    """The categories the community's live threads are filed under, with their counts."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_read()
    return await ports.threads.categories(community_id)


async def read_at(thread: Thread, user_id: str, *, ports: Ports) -> datetime | None:
    """When the caller last read the thread (None: never)."""
    return (await ports.reads.read_at(user_id, [thread.id])).get(thread.id)


def thread_position(thread: Thread, sort: ThreadSort) -> Position:
    """The thread's place in a sort order (what a cursor records)."""
    if sort == "activity":
        return (thread.pinned, thread.last_activity_at, thread.id)
    return (thread.created_at, thread.id)


async def edit_thread(
    thread_id: str,
    user_id: str,
    *,
    title: str | None,
    body: str | None,
    tags: Sequence[str] | None,
    ports: Ports,
) -> Thread:
    """The author edits; the previous version goes to the history; new mentions are told."""
    now = datetime.now(UTC)
    new_title = limits.title(title) if title is not None else None
    new_body = render(body, max_length=limits.POST_BODY_MAX) if body is not None else None
    new_tags = limits.tags(tags) if tags is not None else None

    async def work(session: Session) -> Thread:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        thread.require_editable_by(viewer)
        await ports.revisions.add(thread.as_revision(), session)
        before = await mentioned_members(ports, viewer, thread.body, session=session)
        edited = thread.edited(
            now,
            title=new_title or thread.title,
            body=new_body or thread.body,
            tags=thread.tags if new_tags is None else new_tags,
        )
        mentioned = await mentioned_members(
            ports, viewer, edited.body, already=before, session=session
        )
        await ports.threads.save(edited, session)
        await index_thread(ports, edited, viewer.community.language, session)
        await ports.outbox.add(session, *_edited(edited, user_id, mentioned))
        return edited

    thread = await ports.transactions.run(work)
    ports.outbox.committed()
    return thread


def _edited(thread: Thread, actor_id: str, mentioned: tuple[str, ...]) -> list[AnyEvent]:
    at, excerpt = thread.edited_at or thread.created_at, thread.body.excerpt()
    edited = c.ThreadEditedV1.new(
        subject=thread.community_id,
        time=at,
        data=c.ThreadEdited(
            **thread_fact(thread, actor_id),
            revision=thread.revision,
            excerpt=excerpt,
            tags=thread.tags,
        ),
    )
    return [
        edited,
        *mention_events(
            thread,
            actor_id=actor_id,
            user_ids=mentioned,
            post_kind="thread",
            post_id=thread.id,
            excerpt=excerpt,
            at=at,
        ),
    ]


async def delete_thread(thread_id: str, user_id: str, *, ports: Ports) -> None:
    """The author or a moderator deletes the thread: its title stays as a tombstone; its text,
    reactions and history leave storage, and it leaves lists and search with its replies."""
    now = datetime.now(UTC)

    async def work(session: Session) -> None:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        thread.require_deletable_by(viewer)
        await ports.threads.save(thread.deleted(now), session)
        await ports.revisions.drop(thread.id, session)
        await ports.search.drop_thread(thread.id, session)
        await ports.outbox.add(
            session,
            c.ThreadDeletedV1.new(
                subject=thread.community_id,
                time=now,
                data=c.ThreadDeleted(**thread_fact(thread, user_id)),
            ),
        )

    await ports.transactions.run(work)
    ports.outbox.committed()


async def thread_history(thread_id: str, user_id: str, *, ports: Ports) -> list[Revision]:
    """Earlier versions of the thread's opening post, oldest first."""
    await readable_thread(thread_id, user_id, ports=ports)
    return await ports.revisions.of(thread_id)


async def follow_thread(thread_id: str, user_id: str, *, on: bool, ports: Ports) -> Thread:
    """Follow (or stop following) a thread the caller can read."""

    async def work(session: Session) -> Thread:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        if on:
            viewer.require_read()
            updated = thread.followed_by(user_id)
        else:
            updated = replace(thread, followers=tuple(f for f in thread.followers if f != user_id))
        if updated != thread:
            await ports.threads.save(updated, session)
        return updated

    return await ports.transactions.run(work)


async def mark_read(thread_id: str, user_id: str, *, ports: Ports) -> None:
    """Remember that the caller has read the thread up to now."""
    await readable_thread(thread_id, user_id, ports=ports)
    await ports.reads.mark(thread_id, user_id, datetime.now(UTC))
