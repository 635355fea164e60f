"""Publishing a gathering's recap, which content turns into a linked discussion thread."""

from datetime import datetime

from events.domain.errors import NotFound
from events.domain.recaps import Recap, RecapLink, publish
from events.service import announcements
from events.service.access import managed_gathering
from events.service.ports import (
    Directory,
    EventOutbox,
    GatheringRepository,
    RecapRepository,
    RsvpRepository,
    Session,
    Transactions,
)


async def publish_recap(
    gathering_id: str,
    *,
    author_id: str,
    notes: str,
    links: tuple[RecapLink, ...],
    now: datetime,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    recaps: RecapRepository,
    directory: Directory,
    outbox: EventOutbox,
    transactions: Transactions,
) -> Recap:
    """A host publishes (or revises) the recap; content turns the event into a thread."""
    await managed_gathering(gathering_id, author_id, gatherings=gatherings, directory=directory)

    async def work(session: Session) -> Recap:
        gathering = await gatherings.get(gathering_id, session)
        if gathering is None:
            raise NotFound("no such event")
        previous = await recaps.get(gathering_id, session)
        recap = publish(
            gathering, previous=previous, author_id=author_id, notes=notes, links=links, now=now
        )
        await recaps.save(recap, session)
        going = await rsvps.with_status(gathering_id, ["going"], session=session)
        attended = sum(1 for r in going if r.checked_in_at is not None)
        await outbox.add(
            session, announcements.recap_published(gathering, recap, attendee_count=attended)
        )
        return recap

    recap = await transactions.run(work)
    outbox.committed()
    return recap
