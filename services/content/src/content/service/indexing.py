"""What search holds: live content only, so hidden, removed or deleted posts never show."""

from cerchia_chassis.ports import Session
from content.domain.discussions import Reply, Thread
from content.domain.library import Resource
from content.service.ports import Ports


async def index_thread(
    ports: Ports, thread: Thread, language: str, session: Session, *, with_replies: bool = False
) -> None:
    """Index a live thread (and, ``with_replies``, its live replies); drop it with every reply
    in it otherwise: a reply of a thread nobody may see must not show either."""
    if not thread.live:
        await ports.search.drop_thread(thread.id, session)
        return
    await ports.search.put(
        kind="thread",
        object_id=thread.id,
        community_id=thread.community_id,
        thread_id=thread.id,
        title=thread.title,
        body=thread.body.text,
        language=language,
        session=session,
    )
    if with_replies:
        for reply in await ports.replies.live_in(thread.id, session):
            await index_reply(ports, reply, thread, language, session)


async def index_reply(
    ports: Ports, reply: Reply, thread: Thread, language: str, session: Session
) -> None:
    """Index a live reply of a live thread, found by its own words only (the thread's title is
    shown with the hit, but a reply lacking the word must not match, nor outrank its thread);
    drop it otherwise."""
    if not (reply.live and thread.live):
        await ports.search.drop("reply", reply.id, session)
        return
    await ports.search.put(
        kind="reply",
        object_id=reply.id,
        community_id=reply.community_id,
        thread_id=thread.id,
        title=thread.title,
        body=reply.body.text,
        language=language,
        session=session,
        title_searchable=False,
    )


async def index_resource(ports: Ports, resource: Resource, language: str, session: Session) -> None:
    """Index a live resource; drop it otherwise."""
    if not resource.live:
        await ports.search.drop("resource", resource.id, session)
        return
    await ports.search.put(
        kind="resource",
        object_id=resource.id,
        community_id=resource.community_id,
        thread_id=None,
        title=resource.title,
        body=resource.description.text if resource.description else "",
        language=language,
        session=session,
    )
