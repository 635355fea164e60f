"""Check-in at the door: by a host, or by the attendee with the host's short code."""

from dataclasses import replace
from datetime import datetime

from events.domain.attendance import code_matches, ensure_check_in_possible
from events.domain.errors import CheckInRefused, Forbidden, NotFound
from events.domain.rsvps import CheckInMethod, Rsvp
from events.service import announcements
from events.service.access import gathering_scope, managed_gathering
from events.service.ports import (
    Directory,
    EventOutbox,
    GatheringRepository,
    RsvpRepository,
    Session,
    Transactions,
)


async def _check_in(
    gathering_id: str,
    user_id: str,
    *,
    actor_id: str,
    method: CheckInMethod,
    now: datetime,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    outbox: EventOutbox,
    transactions: Transactions,
) -> Rsvp:
    async def work(session: Session) -> Rsvp:
        gathering = await gatherings.get(gathering_id, session)
        if gathering is None:
            raise NotFound("no such event")
        rsvp = await rsvps.get(gathering_id, user_id, session)
        ensure_check_in_possible(gathering, rsvp, now=now)
        assert rsvp is not None  # ensured above
        checked = replace(rsvp, checked_in_at=now, check_in_method=method)
        await rsvps.save(checked, session)
        await outbox.add(
            session,
            announcements.checked_in(
                gathering, actor_id=actor_id, user_id=user_id, method=method, now=now
            ),
        )
        return checked

    checked = await transactions.run(work)
    outbox.committed()
    return checked


async def check_in_attendee(
    gathering_id: str,
    user_id: str,
    *,
    host_id: str,
    now: datetime,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    directory: Directory,
    outbox: EventOutbox,
    transactions: Transactions,
) -> Rsvp:
    """A host checks a confirmed attendee in."""
    await managed_gathering(gathering_id, host_id, gatherings=gatherings, directory=directory)
    return await _check_in(
        gathering_id,
        user_id,
        actor_id=host_id,
        method="host",
        now=now,
        gatherings=gatherings,
        rsvps=rsvps,
        outbox=outbox,
        transactions=transactions,
    )


async def check_in_with_code(
    gathering_id: str,
    code: str,
    *,
    user_id: str,
    now: datetime,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    directory: Directory,
    outbox: EventOutbox,
    transactions: Transactions,
) -> Rsvp:
    """A confirmed attendee checks in with the code the host shows (or its QR code)."""
    scope = await gathering_scope(gathering_id, user_id, gatherings=gatherings, directory=directory)
    if not scope.viewer.member:
        raise Forbidden("only members can check in", code="not-a-member")
    if not code_matches(scope.gathering, code):
        raise CheckInRefused("that is not this event's check-in code")
    return await _check_in(
        gathering_id,
        user_id,
        actor_id=user_id,
        method="code",
        now=now,
        gatherings=gatherings,
        rsvps=rsvps,
        outbox=outbox,
        transactions=transactions,
    )
