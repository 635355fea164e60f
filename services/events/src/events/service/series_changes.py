"""Changing a series: a new rule for the whole of it, or new details from one occurrence on."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from cerchia_contracts.catalog import AnyEvent
from events.domain.errors import NotFound, NotRecurring
from events.domain.gatherings import Details, Gathering
from events.domain.recurrence import Occurrence, continued, ending_before
from events.domain.reminders import plan as plan_reminders
from events.domain.series import Plan, Series, reconcile, shifted_exceptions, wall_clock
from events.service import announcements
from events.service.access import managed_gathering
from events.service.ports import Session
from events.service.scheduling import (
    Recurrence,
    Stores,
    apply_change,
    at,
    ensure_hosts_are_members,
    holders,
)

#: Fields that say when an occurrence is; "this and following" turns them into a shift.
TIME_FIELDS = frozenset({"starts_at", "ends_at", "time_zone", "rsvp_deadline"})
RULE_CHANGED = "The series' schedule changed."


@dataclass
class SeriesChange:
    """What a change did: the series the addressed occurrence is now in, and the occurrences
    changed, created and cancelled (each with a new SEQUENCE where attendees see a change)."""

    series_id: str
    rule: str
    exceptions: tuple[date, ...]
    changed: list[Gathering] = field(default_factory=list)
    created: list[Gathering] = field(default_factory=list)
    cancelled: list[Gathering] = field(default_factory=list)


async def _series_of(gathering: Gathering, stores: Stores, session: Session) -> Series:
    assert gathering.series_id is not None
    found = await stores.series.get(gathering.series_id, session)
    if found is not None:
        return found
    # A series scheduled before series had their own record: rebuilt from its occurrences.
    first = (await stores.gatherings.in_series(gathering.series_id, session))[0]
    return Series(
        id=gathering.series_id,
        community_id=gathering.community_id,
        rule=gathering.recurrence or "",
        exceptions=(),
        first_starts_at=first.slot,
        first_ends_at=first.slot + (first.ends_at - first.starts_at),
        time_zone=first.details.time_zone,
    )


def _own_slot(occurrence: Gathering) -> Occurrence:
    duration = occurrence.ends_at - occurrence.starts_at
    return Occurrence(occurrence.occurrence_index or 0, occurrence.slot, occurrence.slot + duration)


async def _addressed(gathering_id: str, actor_id: str, stores: Stores) -> Gathering:
    scope = await managed_gathering(
        gathering_id, actor_id, gatherings=stores.gatherings, directory=stores.directory
    )
    if scope.gathering.series_id is None:
        raise NotRecurring("this event is not part of a series: change it on its own")
    return scope.gathering


@dataclass(frozen=True)
class _Apply:
    """How to carry out a plan: the fields every kept occurrence takes, and the template."""

    series: Series
    template: Details
    created_by: str
    changes: Mapping[str, Any]
    retime: bool
    #: Set every RSVP deadline this long before the start (None: no deadline); else each
    #: occurrence keeps its own lead.
    set_deadline: bool
    deadline_lead: timedelta | None
    reason: str | None


async def _carry_out(
    plan: Plan, how: _Apply, *, actor_id: str, now: datetime, stores: Stores, session: Session
) -> tuple[SeriesChange, list[AnyEvent]]:
    series = how.series
    result = SeriesChange(series_id=series.id, rule=series.rule, exceptions=series.exceptions)
    events: list[AnyEvent] = []
    for occurrence, slot in plan.kept:
        refiled = occurrence.refiled(
            series_id=series.id, index=slot.index, slot=slot.starts_at, recurrence=series.rule
        )
        updated, produced = refiled, list[AnyEvent]()
        if not (occurrence.cancelled or occurrence.started(now)) and (how.retime or how.changes):
            details = replace(occurrence.details, **how.changes)
            if how.retime:
                details = at(
                    replace(details, time_zone=series.time_zone), slot.starts_at, slot.ends_at
                )
            if how.set_deadline:
                lead = how.deadline_lead
                deadline = None if lead is None else details.starts_at - lead
                details = replace(details, rsvp_deadline=deadline)
            updated, produced = await apply_change(
                refiled, details, actor_id=actor_id, now=now, stores=stores, session=session
            )
        if produced:
            result.changed.append(updated)
            events.extend(produced)
        elif refiled != occurrence:
            await stores.gatherings.save(refiled, session)
    for occurrence in plan.dropped:
        gone = occurrence.cancel(reason=how.reason or RULE_CHANGED, now=now)
        await stores.gatherings.save(gone, session)
        await stores.reminders.replace_for(gone.id, [], session)
        going, waiting = await holders(gone.id, stores.rsvps, session)
        events.append(
            announcements.cancelled(
                gone, actor_id=actor_id, attendee_ids=going, waitlist_ids=waiting
            )
        )
        result.cancelled.append(gone)
    for slot in plan.added:
        new = Gathering.schedule(
            community_id=series.community_id,
            created_by=how.created_by,
            details=at(how.template, slot.starts_at, slot.ends_at),
            now=now,
            series_id=series.id,
            occurrence_index=slot.index,
            recurrence=series.rule,
        )
        await stores.gatherings.add([new], session)
        await stores.reminders.replace_for(
            new.id, plan_reminders(new, stores.reminder_offsets, now=now), session
        )
        events.append(announcements.scheduled(new, actor_id=actor_id))
        result.created.append(new)
    await stores.series.save(series, session)
    return result, events


async def change_rule(
    gathering_id: str,
    recurrence: Recurrence,
    *,
    keep_exceptions: bool,
    reason: str | None,
    actor_id: str,
    now: datetime,
    stores: Stores,
) -> SeriesChange:
    """Give the series of ``gathering_id`` a new rule (and skipped dates) from its first start;
    new occurrences copy the addressed one's details."""
    addressed = await _addressed(gathering_id, actor_id, stores)

    async def work(session: Session) -> SeriesChange:
        current = await stores.gatherings.get(addressed.id, session)
        if current is None:
            raise NotFound("no such event")
        series = await _series_of(current, stores, session)
        exceptions = series.exceptions if keep_exceptions else recurrence.exceptions
        renewed = replace(series, rule=recurrence.rule, exceptions=exceptions)
        members = await stores.gatherings.in_series(series.id, session)
        plan = reconcile(
            members,
            renewed.slots(),
            old_zone=series.time_zone,
            new_zone=series.time_zone,
            shift=timedelta(0),
            now=now,
        )
        how = _Apply(
            series=renewed,
            template=current.details,
            created_by=current.created_by,
            changes={},
            retime=False,
            set_deadline=False,
            deadline_lead=None,
            reason=reason,
        )
        result, events = await _carry_out(
            plan, how, actor_id=actor_id, now=now, stores=stores, session=session
        )
        await stores.outbox.add(session, *events)
        return result

    result = await stores.transactions.run(work)
    stores.outbox.committed()
    return result


async def update_following(
    gathering_id: str,
    changes: Mapping[str, Any],
    *,
    recurrence: Recurrence | None,
    actor_id: str,
    now: datetime,
    stores: Stores,
) -> SeriesChange:
    """Change an occurrence and every later one of its series ("this and following").

    Occurrences are kept, cancelled or created as ``events.domain.series.reconcile`` says. A
    change that moves the time or sends a new rule splits the series: the earlier occurrences
    stay in the old series, whose rule now ends before the addressed one, and the rest form a
    new series starting at the addressed occurrence's new start.
    """
    addressed = await _addressed(gathering_id, actor_id, stores)
    if "host_ids" in changes:
        proposed = replace(addressed.details, host_ids=tuple(changes["host_ids"]))
        await ensure_hosts_are_members(addressed.community_id, proposed, stores.directory)

    async def work(session: Session) -> SeriesChange:
        current = await stores.gatherings.get(addressed.id, session)
        if current is None:
            raise NotFound("no such event")
        series = await _series_of(current, stores, session)
        proposed = replace(current.details, **changes)
        _, change = current.change(proposed, now=now)  # the addressed one must be changeable
        members = await stores.gatherings.in_series(series.id, session)
        following = [o for o in members if o.slot >= current.slot]
        earlier = [o for o in members if o.slot < current.slot]
        deadline = proposed.rsvp_deadline
        lead = None if deadline is None else proposed.starts_at - deadline
        moved = bool({"time", "time_zone"}.intersection(change.fields))
        same_times = {k: v for k, v in changes.items() if k not in TIME_FIELDS}
        if recurrence is None and not moved:
            # Same schedule: each occurrence keeps its slot and takes the fields sent.
            kept = tuple((o, _own_slot(o)) for o in following)
            plan = Plan(kept=kept, dropped=(), added=())
            renewed, retime = series, False
        else:
            shift = wall_clock(proposed.starts_at, proposed.time_zone) - wall_clock(
                current.slot, series.time_zone
            )
            if recurrence is None:
                remaining = sum(1 for s in series.slots() if s.starts_at >= current.slot)
                rule = continued(series.rule, remaining=remaining, shift=shift)
                exceptions = shifted_exceptions(
                    series.exceptions,
                    since=wall_clock(current.slot, series.time_zone),
                    by=shift,
                )
            else:
                rule, exceptions = recurrence.rule, recurrence.exceptions
            renewed = series.restarted(
                series_id=str(uuid.uuid4()) if earlier else series.id,
                rule=rule,
                exceptions=exceptions,
                starts_at=proposed.starts_at,
                ends_at=proposed.ends_at,
                time_zone=proposed.time_zone,
            )
            plan = reconcile(
                following,
                renewed.slots(),
                old_zone=series.time_zone,
                new_zone=renewed.time_zone,
                shift=shift,
                now=now,
            )
            retime = True
        how = _Apply(
            series=renewed,
            template=proposed,
            created_by=current.created_by,
            changes=same_times,
            retime=retime,
            set_deadline="rsvp_deadline" in changes,
            deadline_lead=lead,
            reason=None,
        )
        result, events = await _carry_out(
            plan, how, actor_id=actor_id, now=now, stores=stores, session=session
        )
        if renewed.id != series.id:
            cut = replace(series, rule=ending_before(series.rule, current.slot))
            await stores.series.save(cut, session)
            for earlier_one in earlier:
                if earlier_one.recurrence != cut.rule:
                    await stores.gatherings.save(replace(earlier_one, recurrence=cut.rule), session)
        await stores.outbox.add(session, *events)
        return result

    result = await stores.transactions.run(work)
    stores.outbox.committed()
    return result
