"""Answering an invitation: seats, the FIFO waitlist, and promotion when a seat frees up."""

from dataclasses import dataclass, replace
from datetime import datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from events.domain.errors import Forbidden, NotFound
from events.domain.gatherings import Gathering
from events.domain.rsvps import Answer, Outcome, Rsvp, decide, ensure_open, promotable
from events.service import announcements
from events.service.access import viewer_in
from events.service.ports import Ports, RsvpRepository


@dataclass(frozen=True)
class RsvpResult:
    """The caller's RSVP after answering, and their place in line when waitlisted."""

    rsvp: Rsvp
    position: int | None
    gathering: Gathering


async def promote(
    gathering: Gathering,
    *,
    rsvps: RsvpRepository,
    session: Session,
    now: datetime,
) -> tuple[Gathering, list[AnyEvent]]:
    """Give free seats to the head of the waitlist, in order; the caller saves the gathering."""
    count = promotable(gathering, now=now)
    if count == 0:
        return gathering, []
    events: list[AnyEvent] = []
    for waiting in await rsvps.waitlist(gathering.id, limit=count, session=session):
        await rsvps.save(replace(waiting, status="going", ticket=None, responded_at=now), session)
        gathering = replace(
            gathering,
            going_count=gathering.going_count + 1,
            waitlist_count=gathering.waitlist_count - 1,
        )
        events.append(announcements.promoted(gathering, user_id=waiting.user_id, now=now))
    return gathering, events


async def apply_answer(
    gathering: Gathering,
    previous: Rsvp | None,
    answer: Answer,
    *,
    user_id: str,
    rsvps: RsvpRepository,
    session: Session,
    now: datetime,
) -> tuple[Gathering, Rsvp, Outcome, int | None, list[AnyEvent]]:
    """Record one answer inside ``session``: counters, waitlist ticket, promotion, events."""
    outcome = decide(answer, previous=previous.status if previous else None, gathering=gathering)
    if outcome.unchanged and previous is not None:
        position = await rsvps.position(previous, session) if previous.ticket else None
        return gathering, previous, outcome, position, []
    ticket = gathering.waitlist_ticket + 1 if outcome.takes_ticket else None
    gathering = replace(
        gathering,
        going_count=gathering.going_count + outcome.going_delta,
        waitlist_count=gathering.waitlist_count + outcome.waitlist_delta,
        waitlist_ticket=ticket or gathering.waitlist_ticket,
    )
    rsvp = Rsvp(
        gathering_id=gathering.id,
        user_id=user_id,
        status=outcome.status,
        responded_at=now,
        ticket=ticket,
    )
    await rsvps.save(rsvp, session)
    # Position counts tickets ahead of ours, read in this transaction's snapshot.
    position = await rsvps.position(rsvp, session) if ticket else None
    events: list[AnyEvent] = list(
        announcements.rsvp_outcome(gathering, outcome, user_id=user_id, position=position, now=now)
    )
    if outcome.frees_seat:
        gathering, promotions = await promote(gathering, rsvps=rsvps, session=session, now=now)
        events.extend(promotions)
    return gathering, rsvp, outcome, position, events


async def respond(
    gathering_id: str, answer: Answer, *, user_id: str, now: datetime, ports: Ports
) -> RsvpResult:
    """RSVP for a member; capacity holds because every RSVP rewrites the gathering document
    in its own transaction, so concurrent RSVPs conflict and are retried one after another."""
    current = await ports.gatherings.get(gathering_id)
    if current is None:
        raise NotFound("no such event")
    community = await ports.directory.community(current.community_id)
    viewer = await viewer_in(current.community_id, user_id, ports=ports)
    if community is None or not viewer.member:
        raise Forbidden("only members of the community can RSVP", code="not-a-member")
    if community.archived:
        raise Forbidden("the community is archived", code="community-archived")

    async def work(session: Session) -> RsvpResult:
        gathering = await ports.gatherings.get(gathering_id, session)
        if gathering is None:
            raise NotFound("no such event")
        ensure_open(gathering, answer, now=now)
        previous = await ports.rsvps.get(gathering_id, user_id, session)
        updated, rsvp, _, position, events = await apply_answer(
            gathering,
            previous,
            answer,
            user_id=user_id,
            rsvps=ports.rsvps,
            session=session,
            now=now,
        )
        if events or updated != gathering:
            await ports.gatherings.save(updated, session)
            await ports.outbox.add(session, *events)
        return RsvpResult(rsvp=rsvp, position=position, gathering=updated)

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result
