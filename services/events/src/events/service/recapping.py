"""Publishing a gathering's recap, which content turns into a linked discussion thread."""

from datetime import datetime

from cerchia_chassis.ports import Session
from events.domain.errors import NotFound
from events.domain.recaps import Recap, RecapLink, publish
from events.service import announcements
from events.service.access import managed_gathering
from events.service.ports import Ports


async def publish_recap(
    gathering_id: str,
    *,
    author_id: str,
    notes: str,
    links: tuple[RecapLink, ...],
    now: datetime,
    ports: Ports,
) -> Recap:
    """A host publishes (or revises) the recap; content turns the event into a thread."""
    await managed_gathering(gathering_id, author_id, ports=ports)

    async def work(session: Session) -> Recap:
        gathering = await ports.gatherings.get(gathering_id, session)
        if gathering is None:
            raise NotFound("no such event")
        previous = await ports.recaps.get(gathering_id, session)
        recap = publish(
            gathering, previous=previous, author_id=author_id, notes=notes, links=links, now=now
        )
        await ports.recaps.save(recap, session)
        going = await ports.rsvps.with_status(gathering_id, ["going"], session=session)
        attended = sum(1 for r in going if r.checked_in_at is not None)
        await ports.outbox.add(
            session, announcements.recap_published(gathering, recap, attendee_count=attended)
        )
        return recap

    recap = await ports.transactions.run(work)
    ports.outbox.committed()
    return recap
