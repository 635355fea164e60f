"""Scheduling, changing and cancelling gatherings (and recurring series of them)."""

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from events.domain.errors import InvalidGathering, NotFound, NotRecurring
from events.domain.gatherings import Details, Gathering
from events.domain.recurrence import Recurrence, expand
from events.domain.reminders import plan
from events.domain.series import Series
from events.service import announcements
from events.service.access import ensure_member, managed_gathering
from events.service.ports import Ports, RsvpRepository
from events.service.rsvp import promote

CancelScope = Literal["occurrence", "following"]


async def ensure_hosts_are_members(community_id: str, details: Details, *, ports: Ports) -> None:
    """Raise InvalidGathering unless every host is an active member of the community."""
    roles = await ports.directory.roles(community_id, details.host_ids)
    strangers = [host for host in details.host_ids if host not in roles]
    if strangers:
        raise InvalidGathering(f"hosts must be members of the community: {', '.join(strangers)}")


def at(details: Details, starts_at: datetime, ends_at: datetime) -> Details:
    """``details`` moved to another start and end; the RSVP deadline keeps its lead time."""
    lead = None if details.rsvp_deadline is None else details.starts_at - details.rsvp_deadline
    return replace(
        details,
        starts_at=starts_at,
        ends_at=ends_at,
        rsvp_deadline=None if lead is None else starts_at - lead,
    )


def _series(
    community_id: str, details: Details, recurrence: Recurrence, *, actor_id: str, now: datetime
) -> tuple[Series, list[Gathering]]:
    """A new series and every occurrence its rule yields."""
    series = Series(
        id=str(uuid.uuid4()),
        community_id=community_id,
        rule=recurrence.rule,
        exceptions=recurrence.exceptions,
        first_starts_at=details.starts_at,
        first_ends_at=details.ends_at,
        time_zone=details.time_zone,
    )
    occurrences = expand(
        recurrence.rule,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        time_zone=details.time_zone,
        exceptions=recurrence.exceptions,
    )
    created = [
        Gathering.schedule(
            community_id=community_id,
            created_by=actor_id,
            details=at(details, occurrence.starts_at, occurrence.ends_at),
            now=now,
            series_id=series.id,
            occurrence_index=occurrence.index,
            recurrence=recurrence.rule,
        )
        for occurrence in occurrences
    ]
    return series, created


async def schedule(
    community_id: str,
    details: Details,
    *,
    recurrence: Recurrence | None,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> list[Gathering]:
    """Schedule a gathering, or every occurrence of a series; members only."""
    await ensure_member(community_id, actor_id, action="schedule events", ports=ports)
    await ensure_hosts_are_members(community_id, details, ports=ports)
    series = None
    if recurrence is None:
        created = [
            Gathering.schedule(
                community_id=community_id, created_by=actor_id, details=details, now=now
            )
        ]
    else:
        series, created = _series(community_id, details, recurrence, actor_id=actor_id, now=now)

    async def work(session: Session) -> None:
        await ports.gatherings.add(created, session)
        if series is not None:
            await ports.series.save(series, session)
        for gathering in created:
            jobs = plan(gathering, ports.reminder_offsets, now=now)
            await ports.reminders.replace_for(gathering.id, jobs, session)
        await ports.outbox.add(
            session, *(announcements.scheduled(g, actor_id=actor_id) for g in created)
        )

    await ports.transactions.run(work)
    ports.outbox.committed()
    return created


async def holders(
    gathering_id: str, rsvps: RsvpRepository, session: Session
) -> tuple[list[str], list[str]]:
    """Who holds a seat, and who waits in line (in order): the people a change concerns."""
    going = await rsvps.with_status(gathering_id, ["going"], session=session)
    waiting = await rsvps.waitlist(gathering_id, session=session)
    return [r.user_id for r in going], [r.user_id for r in waiting]


async def apply_change(
    current: Gathering,
    details: Details,
    *,
    actor_id: str,
    now: datetime,
    ports: Ports,
    session: Session,
) -> tuple[Gathering, list[AnyEvent]]:
    """Give ``current`` new details inside ``session``: promotions when seats were added,
    reminders moved with the time, and the events that tell the people concerned."""
    gathering, change = current.change(details, now=now)
    if not change.fields:
        return current, []
    gathering, promotions = await promote(gathering, rsvps=ports.rsvps, session=session, now=now)
    if "time" in change.fields:
        jobs = plan(gathering, ports.reminder_offsets, now=now)
        await ports.reminders.replace_for(gathering.id, jobs, session)
    await ports.gatherings.save(gathering, session)
    going, waiting = await holders(gathering.id, ports.rsvps, session)
    announced = announcements.changed(
        gathering, change, actor_id=actor_id, attendee_ids=going, waitlist_ids=waiting
    )
    return gathering, [announced, *promotions]


async def update(
    gathering_id: str,
    changes: Mapping[str, Any],
    *,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> Gathering:
    """Change a gathering's details (hosts and moderators); ``changes`` name Details fields."""
    scope = await managed_gathering(gathering_id, actor_id, ports=ports)
    if "host_ids" in changes:
        proposed = replace(scope.gathering.details, host_ids=tuple(changes["host_ids"]))
        await ensure_hosts_are_members(scope.gathering.community_id, proposed, ports=ports)

    async def work(session: Session) -> Gathering:
        current = await ports.gatherings.get(gathering_id, session)
        if current is None:
            raise NotFound("no such event")
        gathering, events = await apply_change(
            current,
            replace(current.details, **changes),
            actor_id=actor_id,
            now=now,
            ports=ports,
            session=session,
        )
        await ports.outbox.add(session, *events)
        return gathering

    updated = await ports.transactions.run(work)
    ports.outbox.committed()
    return updated


async def _cancellable(
    first: Gathering, scope: CancelScope, *, now: datetime, ports: Ports, session: Session
) -> list[Gathering]:
    if scope == "following" and first.series_id is not None:
        # The addressed occurrence must be cancellable; later ones already over or
        # cancelled are simply left as they are.
        return [
            t
            for t in await ports.gatherings.in_series(first.series_id, session)
            if t.id == first.id or (t.slot > first.slot and not (t.cancelled or t.ends_at <= now))
        ]
    current = await ports.gatherings.get(first.id, session)
    return [] if current is None else [current]


async def cancel(
    gathering_id: str,
    *,
    reason: str | None,
    scope: CancelScope,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> list[Gathering]:
    """Cancel a gathering, or it and the following occurrences of its series."""
    first = (await managed_gathering(gathering_id, actor_id, ports=ports)).gathering
    if scope == "following" and first.series_id is None:
        raise NotRecurring("this event is not part of a series")

    async def work(session: Session) -> list[Gathering]:
        done = []
        for target in await _cancellable(first, scope, now=now, ports=ports, session=session):
            gathering = target.cancel(reason=reason, now=now)
            await ports.gatherings.save(gathering, session)
            await ports.reminders.replace_for(gathering.id, [], session)
            going, waiting = await holders(gathering.id, ports.rsvps, session)
            await ports.outbox.add(
                session,
                announcements.cancelled(
                    gathering, actor_id=actor_id, attendee_ids=going, waitlist_ids=waiting
                ),
            )
            done.append(gathering)
        return done

    cancelled = await ports.transactions.run(work)
    ports.outbox.committed()
    return cancelled
