"""Event recaps: a gathering's recap becomes a discussion thread linked to that gathering."""

from datetime import UTC, datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from cerchia_contracts.events.gatherings import RecapPublishedV1
from content.domain import limits
from content.domain.discussions import Thread, new_id
from content.domain.markup import Body, render
from content.service.indexing import index_thread
from content.service.ports import Ports
from content.service.threads import thread_fact

CONSUMER = "content.recaps"


def recap_markdown(event: RecapPublishedV1) -> str:
    """The thread body: the recap's notes, then its links as a list."""
    data = event.data
    links = "\n".join(f"- [{link.title}]({link.url})" for link in data.links)
    return data.notes_markdown + (f"\n\n{links}" if links else "")


async def on_recap_published(event: RecapPublishedV1, *, ports: Ports) -> bool:
    """Open (or, on re-publication, update) the thread of a recap, once per event."""
    data = event.data
    now = datetime.now(UTC)
    body = render(recap_markdown(event), max_length=limits.POST_BODY_MAX * 2)
    title = limits.title(data.title)

    async def effect(session: Session) -> None:
        community = await ports.communities.community(data.community_id, session)
        language = community.language if community else "it"
        existing = await ports.threads.by_recap(data.recap_id, session)
        if existing is not None:
            thread = existing.edited(now, title=title, body=body)
            await ports.threads.save(thread, session)
        else:
            thread = recap_thread(event, title=title, body=body, at=now)
            await ports.threads.add(thread, session)
            await ports.outbox.add(session, _opened(thread))
        await index_thread(ports, thread, language, session)

    applied = await ports.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
    if applied:
        ports.outbox.committed()
    return applied


def recap_thread(event: RecapPublishedV1, *, title: str, body: Body, at: datetime) -> Thread:
    """A new thread for a recap, by whoever published it (else its first host), followed by
    the author and the hosts."""
    data = event.data
    author = data.actor_id or (data.host_ids[0] if data.host_ids else None)
    return Thread(
        id=new_id(),
        community_id=data.community_id,
        author_id=author,
        body=body,
        created_at=at,
        title=title,
        category="recaps",
        tags=("recap",),
        last_activity_at=at,
        followers=tuple(dict.fromkeys(h for h in (author, *data.host_ids) if h)),
        linked_event_id=data.gathering_id,
        recap_id=data.recap_id,
    )


def _opened(thread: Thread) -> c.ThreadCreatedV1:
    return c.ThreadCreatedV1.new(
        subject=thread.community_id,
        time=thread.created_at,
        data=c.ThreadCreated(
            **thread_fact(thread, thread.author_id),
            category=thread.category,
            tags=thread.tags,
            excerpt=thread.body.excerpt(),
            linked_event_id=thread.linked_event_id,
        ),
    )
