"""Keeping the membership projection current, and what leaving or erasure does to RSVPs.

People's time zones come from ``profile_updated`` (the full profile each time); a zone this
service cannot resolve is not recorded, so their times fall back to the gathering's zone.

Erasure policy (``user_erased``): the person's seats and waitlist places in gatherings that
have not started are released (the waitlist moves up, as if they said "not going"); every
remaining RSVP and check-in is kept for the counts but re-keyed to an anonymous id; they are
replaced by an anonymous id among hosts and as creator; their calendar-feed token is revoked
their memberships and time zone forgotten.
"""

import uuid
from dataclasses import replace
from datetime import datetime

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from cerchia_contracts.events.gatherings import RsvpCancelledV1
from events.domain.errors import InvalidTimeZone
from events.domain.zones import checked
from events.service.ports import (
    Directory,
    EventOutbox,
    FeedTokens,
    GatheringRepository,
    Inbox,
    RsvpRepository,
    Session,
    UserZones,
)
from events.service.rsvp import apply_answer

CONSUMER = "events.membership-projection"
ERASED_HOST = "erased-user"

_DEPARTURES = (m.MemberLeftV1, m.MemberRemovedV1, m.MemberBannedV1)


async def _release_seats(
    user_id: str,
    *,
    community_id: str | None,
    now: datetime,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    session: Session,
    announce_withdrawal: bool,
) -> list[AnyEvent]:
    """Withdraw the person from gatherings not yet started (in one community, or all)."""
    events: list[AnyEvent] = []
    for held in await rsvps.of_user(user_id, ["going", "waitlisted"], session):
        gathering = await gatherings.get(held.gathering_id, session)
        if gathering is None or gathering.cancelled or gathering.starts_at <= now:
            continue
        if community_id is not None and gathering.community_id != community_id:
            continue
        updated, _, _, _, produced = await apply_answer(
            gathering, held, "not_going", user_id=user_id, rsvps=rsvps, session=session, now=now
        )
        await gatherings.save(updated, session)
        events.extend(
            e for e in produced if announce_withdrawal or not isinstance(e, RsvpCancelledV1)
        )
    return events


async def on_community_event(
    event: AnyEvent,
    *,
    now: datetime,
    inbox: Inbox,
    directory: Directory,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    outbox: EventOutbox,
) -> bool:
    """Apply one ``membership.communities.v1`` event once; True if it was new."""
    published: list[AnyEvent] = []

    async def effect(session: Session) -> None:
        published.clear()  # the transaction may be retried
        data = event.data
        if isinstance(event, m.CommunityCreatedV1 | m.CommunityUpdatedV1):
            await directory.put_community(
                community_id=data.community_id,
                name=data.name,
                visibility=data.visibility,
                session=session,
            )
            if isinstance(event, m.CommunityCreatedV1):
                await directory.put_member(data.community_id, data.owner_id, "owner", session)
        elif isinstance(event, m.CommunityArchivedV1):
            await directory.archive(data.community_id, session)
        elif isinstance(event, m.MemberJoinedV1 | m.MemberRoleChangedV1):
            await directory.put_member(data.community_id, data.user_id, data.role, session)
        elif isinstance(event, _DEPARTURES):
            await directory.remove_member(data.community_id, data.user_id, session)
            published.extend(
                await _release_seats(
                    data.user_id,
                    community_id=data.community_id,
                    now=now,
                    gatherings=gatherings,
                    rsvps=rsvps,
                    session=session,
                    announce_withdrawal=True,
                )
            )
        if published:
            await outbox.add(session, *published)

    applied = await inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
    if applied and published:
        outbox.committed()
    return applied


async def on_user_erased(
    event: m.UserErasedV1,
    *,
    now: datetime,
    inbox: Inbox,
    directory: Directory,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    feeds: FeedTokens,
    zones: UserZones,
    outbox: EventOutbox,
) -> bool:
    """Forget an erased user per the policy above, once; True if it was new."""
    user_id = event.data.user_id
    published: list[AnyEvent] = []

    async def effect(session: Session) -> None:
        published.clear()
        published.extend(
            await _release_seats(
                user_id,
                community_id=None,
                now=now,
                gatherings=gatherings,
                rsvps=rsvps,
                session=session,
                announce_withdrawal=False,
            )
        )
        await rsvps.anonymize(user_id, f"erased-{uuid.uuid4().hex[:12]}", session)
        for hosted in await gatherings.involving(user_id, session):
            hosts = tuple(
                dict.fromkeys(
                    ERASED_HOST if host == user_id else host for host in hosted.details.host_ids
                )
            )
            creator = ERASED_HOST if hosted.created_by == user_id else hosted.created_by
            details = replace(hosted.details, host_ids=hosts)
            await gatherings.save(replace(hosted, details=details, created_by=creator), session)
        await feeds.revoke(user_id, session)
        await directory.forget_user(user_id, session)
        await zones.forget(user_id, session)
        if published:
            await outbox.add(session, *published)

    applied = await inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
    if applied and published:
        outbox.committed()
    return applied


async def on_profile_updated(event: m.ProfileUpdatedV1, *, inbox: Inbox, zones: UserZones) -> bool:
    """Record the person's time zone once; True if the event was new."""
    data = event.data

    async def effect(session: Session) -> None:
        try:
            await zones.put(data.user_id, checked(data.timezone), session)
        except InvalidTimeZone:
            await zones.forget(data.user_id, session)

    return await inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
