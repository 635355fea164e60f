"""Scheduling, changing and cancelling gatherings (and recurring series of them)."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from cerchia_contracts.catalog import AnyEvent
from events.domain.errors import Forbidden, InvalidGathering, NotFound, NotRecurring
from events.domain.gatherings import Details, Gathering
from events.domain.recurrence import expand
from events.domain.reminders import plan
from events.domain.series import Series
from events.service import announcements
from events.service.access import managed_gathering
from events.service.ports import (
    Directory,
    EventOutbox,
    GatheringRepository,
    ReminderStore,
    RsvpRepository,
    SeriesRepository,
    Session,
    Transactions,
)
from events.service.rsvp import promote

CancelScope = Literal["occurrence", "following"]


@dataclass(frozen=True)
class Recurrence:
    """An RRULE and the local dates it skips."""

    rule: str
    exceptions: tuple[date, ...] = ()


@dataclass(frozen=True)
class Stores:
    """The ports every scheduling use case writes through."""

    gatherings: GatheringRepository
    series: SeriesRepository
    rsvps: RsvpRepository
    reminders: ReminderStore
    directory: Directory
    outbox: EventOutbox
    transactions: Transactions
    reminder_offsets: tuple[timedelta, ...]


async def ensure_hosts_are_members(
    community_id: str, details: Details, directory: Directory
) -> None:
    roles = await directory.roles(community_id, details.host_ids)
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


def _occurrences(details: Details, recurrence: Recurrence) -> list[tuple[int, Details]]:
    return [
        (occurrence.index, at(details, occurrence.starts_at, occurrence.ends_at))
        for occurrence in expand(
            recurrence.rule,
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            time_zone=details.time_zone,
            exceptions=recurrence.exceptions,
        )
    ]


async def schedule(
    community_id: str,
    details: Details,
    *,
    recurrence: Recurrence | None,
    actor_id: str,
    now: datetime,
    stores: Stores,
) -> list[Gathering]:
    """Schedule a gathering, or every occurrence of a series; members only."""
    community = await stores.directory.community(community_id)
    if community is None:
        raise NotFound("no such community")
    if await stores.directory.role(community_id, actor_id) is None:
        if community.visibility != "public":  # outsiders learn nothing of a hidden community
            raise NotFound("no such community")
        raise Forbidden("only members can schedule events", code="not-a-member")
    if community.archived:
        raise Forbidden("the community is archived", code="community-archived")
    await ensure_hosts_are_members(community_id, details, stores.directory)
    series = None
    if recurrence is None:
        created = [
            Gathering.schedule(
                community_id=community_id, created_by=actor_id, details=details, now=now
            )
        ]
    else:
        series_id = str(uuid.uuid4())
        created = [
            Gathering.schedule(
                community_id=community_id,
                created_by=actor_id,
                details=occurrence,
                now=now,
                series_id=series_id,
                occurrence_index=index,
                recurrence=recurrence.rule,
            )
            for index, occurrence in _occurrences(details, recurrence)
        ]
        series = Series(
            id=series_id,
            community_id=community_id,
            rule=recurrence.rule,
            exceptions=recurrence.exceptions,
            first_starts_at=details.starts_at,
            first_ends_at=details.ends_at,
            time_zone=details.time_zone,
        )

    async def work(session: Session) -> None:
        await stores.gatherings.add(created, session)
        if series is not None:
            await stores.series.save(series, session)
        for gathering in created:
            jobs = plan(gathering, stores.reminder_offsets, now=now)
            await stores.reminders.replace_for(gathering.id, jobs, session)
        await stores.outbox.add(
            session, *(announcements.scheduled(g, actor_id=actor_id) for g in created)
        )

    await stores.transactions.run(work)
    stores.outbox.committed()
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
    stores: Stores,
    session: Session,
) -> tuple[Gathering, list[AnyEvent]]:
    """Give ``current`` new details inside ``session``: promotions when seats were added,
    reminders moved with the time, and the events that tell the people concerned."""
    gathering, change = current.change(details, now=now)
    if not change.fields:
        return current, []
    gathering, promotions = await promote(gathering, rsvps=stores.rsvps, session=session, now=now)
    if "time" in change.fields:
        jobs = plan(gathering, stores.reminder_offsets, now=now)
        await stores.reminders.replace_for(gathering.id, jobs, session)
    await stores.gatherings.save(gathering, session)
    going, waiting = await holders(gathering.id, stores.rsvps, session)
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
    stores: Stores,
) -> Gathering:
    """Change a gathering's details (hosts and moderators); ``changes`` name Details fields."""
    scope = await managed_gathering(
        gathering_id, actor_id, gatherings=stores.gatherings, directory=stores.directory
    )
    if "host_ids" in changes:
        proposed = replace(scope.gathering.details, host_ids=tuple(changes["host_ids"]))
        await ensure_hosts_are_members(scope.gathering.community_id, proposed, stores.directory)

    async def work(session: Session) -> Gathering:
        current = await stores.gatherings.get(gathering_id, session)
        if current is None:
            raise NotFound("no such event")
        gathering, events = await apply_change(
            current,
            replace(current.details, **changes),
            actor_id=actor_id,
            now=now,
            stores=stores,
            session=session,
        )
        await stores.outbox.add(session, *events)
        return gathering

    updated = await stores.transactions.run(work)
    stores.outbox.committed()
    return updated


async def cancel(
    gathering_id: str,
    *,
    reason: str | None,
    scope: CancelScope,
    actor_id: str,
    now: datetime,
    stores: Stores,
) -> list[Gathering]:
    """Cancel a gathering, or it and the following occurrences of its series."""
    managed = await managed_gathering(
        gathering_id, actor_id, gatherings=stores.gatherings, directory=stores.directory
    )
    first = managed.gathering
    if scope == "following" and first.series_id is None:
        raise NotRecurring("this event is not part of a series")

    async def work(session: Session) -> list[Gathering]:
        if scope == "following" and first.series_id is not None:
            # The addressed occurrence must be cancellable; later ones already over or
            # cancelled are simply left as they are.
            targets = [
                t
                for t in await stores.gatherings.in_series(first.series_id, session)
                if t.id == first.id
                or (t.slot > first.slot and not (t.cancelled or t.ends_at <= now))
            ]
        else:
            current = await stores.gatherings.get(gathering_id, session)
            targets = [] if current is None else [current]
        done = []
        for target in targets:
            gathering = target.cancel(reason=reason, now=now)
            await stores.gatherings.save(gathering, session)
            await stores.reminders.replace_for(gathering.id, [], session)
            going, waiting = await holders(gathering.id, stores.rsvps, session)
            await stores.outbox.add(
                session,
                announcements.cancelled(
                    gathering, actor_id=actor_id, attendee_ids=going, waitlist_ids=waiting
                ),
            )
            done.append(gathering)
        return done

    cancelled = await stores.transactions.run(work)
    stores.outbox.committed()
    return cancelled
