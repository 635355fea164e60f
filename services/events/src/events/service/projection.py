"""Membership's facts in this service: the community projection with what a departure does to
RSVPs, people's time zones, and erasure.

Communities and memberships are folded by time (``CommunityProjection``): a fact older than what
is held changes nothing, so a ``MemberJoined`` replayed from the DLQ after a later ``MemberLeft``
leaves the person out. When a person stops being a member, their seats and waitlist places in
the community's gatherings that have not started are released in the same transaction (the
waitlist moves up, as if they said "not going").

People's time zones come from ``profile_updated`` (the full profile each time); a zone this
service cannot resolve is not recorded, so their times fall back to the gathering's zone.

Erasure policy (``user_erased``): the person's seats and waitlist places in gatherings that
have not started are released (the waitlist moves up, as if they said "not going"); every
remaining RSVP and check-in is kept for the counts but re-keyed to an anonymous id; they are
replaced by an anonymous id among hosts, as creator and as the author of recaps (the notes stay:
they tell the gathering, not the person); their calendar-feed token is revoked, their
memberships and time zone forgotten. See docs/personal-data.md.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from cerchia_chassis.domain.community import MemberChange
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from cerchia_contracts.events.gatherings import RsvpCancelledV1
from events.domain.errors import InvalidTimeZone
from events.domain.zones import checked
from events.service.ports import Ports
from events.service.rsvp import apply_answer

CONSUMER = "events.membership-projection"
ERASED_HOST = "erased-user"

#: A consumed event's effect: what it changes inside the transaction, and the events it produces.
Effect = Callable[[Session], Awaitable[list[AnyEvent]]]


async def _release_seats(
    user_id: str,
    *,
    community_id: str | None,
    now: datetime,
    ports: Ports,
    session: Session,
    announce_withdrawal: bool,
) -> list[AnyEvent]:
    """Withdraw the person from gatherings not yet started (in one community, or all)."""
    events: list[AnyEvent] = []
    for held in await ports.rsvps.of_user(user_id, ["going", "waitlisted"], session):
        gathering = await ports.gatherings.get(held.gathering_id, session)
        if gathering is None or gathering.cancelled or gathering.starts_at <= now:
            continue
        if community_id is not None and gathering.community_id != community_id:
            continue
        updated, _, _, _, produced = await apply_answer(
            gathering,
            held,
            "not_going",
            user_id=user_id,
            rsvps=ports.rsvps,
            session=session,
            now=now,
        )
        await ports.gatherings.save(updated, session)
        events.extend(
            e for e in produced if announce_withdrawal or not isinstance(e, RsvpCancelledV1)
        )
    return events


async def _departed(change: MemberChange, ports: Ports, session: Session) -> bool:
    """Whether the change is a departure the projection now holds (not one a newer fact
    already overtook)."""
    if not change.departs:
        return False
    place = await ports.directory.member(change.community_id, change.user_id, session)
    return place is None or not place.active


async def _once(event: AnyEvent, ports: Ports, effect: Effect) -> bool:
    """Apply ``effect`` once for ``event`` and store the events it produced with it."""
    published: list[AnyEvent] = []

    async def work(session: Session) -> None:
        published.clear()  # the transaction may be retried
        published.extend(await effect(session))
        if published:
            await ports.outbox.add(session, *published)

    applied = await ports.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=work)
    if applied and published:
        ports.outbox.committed()
    return applied


async def on_community_event(event: AnyEvent, *, now: datetime, ports: Ports) -> bool:
    """Apply one ``membership.communities.v1`` event once; True if it was new."""

    async def effect(session: Session) -> list[AnyEvent]:
        released: list[AnyEvent] = []
        for change in await ports.directory.apply(event, session):
            if isinstance(change, MemberChange) and await _departed(change, ports, session):
                released += await _release_seats(
                    change.user_id,
                    community_id=change.community_id,
                    now=now,
                    ports=ports,
                    session=session,
                    announce_withdrawal=True,
                )
        return released

    return await _once(event, ports, effect)


async def on_user_erased(event: m.UserErasedV1, *, now: datetime, ports: Ports) -> bool:
    """Forget an erased user per the policy above, once; True if it was new."""
    user_id = event.data.user_id

    async def effect(session: Session) -> list[AnyEvent]:
        released = await _release_seats(
            user_id,
            community_id=None,
            now=now,
            ports=ports,
            session=session,
            announce_withdrawal=False,
        )
        await ports.rsvps.anonymize(user_id, f"erased-{uuid.uuid4().hex[:12]}", session)
        for hosted in await ports.gatherings.involving(user_id, session):
            hosts = tuple(
                dict.fromkeys(
                    ERASED_HOST if host == user_id else host for host in hosted.details.host_ids
                )
            )
            creator = ERASED_HOST if hosted.created_by == user_id else hosted.created_by
            details = replace(hosted.details, host_ids=hosts)
            await ports.gatherings.save(
                replace(hosted, details=details, created_by=creator), session
            )
        await ports.recaps.replace_author(user_id, ERASED_HOST, session)
        await ports.feeds.revoke(user_id, session)
        await ports.directory.forget_user(user_id, session)
        await ports.zones.forget(user_id, session)
        await ports.outbox.forget_person(session, user_id)
        return released

    return await _once(event, ports, effect)


async def on_profile_updated(event: m.ProfileUpdatedV1, *, ports: Ports) -> bool:
    """Record the person's time zone once; True if the event was new."""
    data = event.data

    async def effect(session: Session) -> list[AnyEvent]:
        try:
            await ports.zones.put(data.user_id, checked(data.timezone), session)
        except InvalidTimeZone:
            await ports.zones.forget(data.user_id, session)
        return []

    return await _once(event, ports, effect)
