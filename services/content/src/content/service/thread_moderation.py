"""Moderators' thread tools: pin/unpin, lock/unlock, move between categories and tags."""

from dataclasses import replace
from datetime import UTC, datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.discussions import Thread
from content.service.ports import Ports
from content.service.threads import readable_thread, thread_fact


async def set_thread_state(
    thread_id: str,
    user_id: str,
    *,
    pinned: bool | None = None,
    locked: bool | None = None,
    ports: Ports,
) -> Thread:
    """A moderator pins/unpins or locks/unlocks a thread."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Thread:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        updated = replace(
            thread,
            pinned=thread.pinned if pinned is None else pinned,
            locked=thread.locked if locked is None else locked,
        )
        if updated == thread:
            return thread
        await ports.threads.save(updated, session)
        fact = {**thread_fact(updated, user_id), "follower_ids": updated.followers}
        subject = thread.community_id
        event: AnyEvent
        if pinned is not None and pinned:
            event = c.ThreadPinnedV1.new(subject=subject, time=now, data=c.ThreadPinned(**fact))
        elif pinned is not None:
            event = c.ThreadUnpinnedV1.new(subject=subject, time=now, data=c.ThreadUnpinned(**fact))
        elif locked:
            event = c.ThreadLockedV1.new(subject=subject, time=now, data=c.ThreadLocked(**fact))
        else:
            event = c.ThreadUnlockedV1.new(subject=subject, time=now, data=c.ThreadUnlocked(**fact))
        await ports.outbox.add(session, event)
        return updated

    thread = await ports.transactions.run(work)
    ports.outbox.committed()
    return thread


async def move_thread(
    thread_id: str,
    user_id: str,
    *,
    category: str | None,
    tags: tuple[str, ...] | None,
    ports: Ports,
) -> Thread:
    """A moderator refiles a thread under another category and/or tags."""
    now = datetime.now(UTC)
    new_category = limits.tags([category])[0] if category else None
    new_tags = limits.tags(tags) if tags is not None else None

    async def work(session: Session) -> Thread:
        thread, viewer = await readable_thread(thread_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        moved = replace(
            thread, category=new_category, tags=thread.tags if new_tags is None else new_tags
        )
        await ports.threads.save(moved, session)
        await ports.outbox.add(
            session,
            c.ThreadMovedV1.new(
                subject=thread.community_id,
                time=now,
                data=c.ThreadMoved(
                    **thread_fact(moved, user_id),
                    follower_ids=moved.followers,
                    previous_category=thread.category,
                    category=moved.category,
                    tags=moved.tags,
                ),
            ),
        )
        return moved

    thread = await ports.transactions.run(work)
    ports.outbox.committed()
    return thread
