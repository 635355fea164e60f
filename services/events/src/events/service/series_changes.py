"""Changing a series: a new rule for the whole of it, or new details from one occurrence on."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from events.domain.errors import InvalidRecurrence, NotFound, NotRecurring
from events.domain.gatherings import Details, Gathering
from events.domain.recurrence import Occurrence, Recurrence, continued, ending_before
from events.domain.reminders import plan as plan_reminders
from events.domain.series import Plan, Series, reconcile, shifted_exceptions, wall_clock
from events.service import announcements
from events.service.access import managed_gathering
from events.service.ports import Ports
from events.service.scheduling import apply_change, at, ensure_hosts_are_members, holders, update

#: Fields that say when an occurrence is; "this and following" turns them into a shift.
TIME_FIELDS = frozenset({"starts_at", "ends_at", "time_zone", "rsvp_deadline"})
RULE_CHANGED = "The series' schedule changed."
UpdateScope = Literal["occurrence", "following"]


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


async def update_event(
    gathering_id: str,
    changes: Mapping[str, Any],
    *,
    recurrence: Recurrence | None,
    scope: UpdateScope,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> SeriesChange | None:
    """Change one occurrence, or it and the following ones (what that did to the series).

    A new rule applies from an occurrence on, so it needs ``scope="following"``."""
    if scope == "following":
        return await update_following(
            gathering_id, changes, recurrence=recurrence, actor_id=actor_id, now=now, ports=ports
        )
    if recurrence is not None:
        raise InvalidRecurrence("a new rule applies from an occurrence on: use scope=following")
    await update(gathering_id, changes, actor_id=actor_id, now=now, ports=ports)
    return None


async def _series_of(gathering: Gathering, ports: Ports, session: Session) -> Series:
    assert gathering.series_id is not None
    found = await ports.series.get(gathering.series_id, session)
    if found is not None:
        return found
    # A series scheduled before series had their own record: rebuilt from its occurrences.
    first = (await ports.gatherings.in_series(gathering.series_id, session))[0]
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


async def _addressed(gathering_id: str, actor_id: str, ports: Ports) -> Gathering:
    scope = await managed_gathering(gathering_id, actor_id, ports=ports)
    if scope.gathering.series_id is None:
        raise NotRecurring("this event is not part of a series: change it on its own")
    return scope.gathering


async def _current(gathering_id: str, ports: Ports, session: Session) -> Gathering:
    current = await ports.gatherings.get(gathering_id, session)
    if current is None:
        raise NotFound("no such event")
    return current


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

    def details_for(self, occurrence: Gathering, slot: Occurrence) -> Details:
        """The details a kept occurrence takes."""
        details = replace(occurrence.details, **self.changes)
        if self.retime:
            details = at(
                replace(details, time_zone=self.series.time_zone), slot.starts_at, slot.ends_at
            )
        if self.set_deadline:
            lead = self.deadline_lead
            details = replace(
                details, rsvp_deadline=None if lead is None else details.starts_at - lead
            )
        return details


@dataclass(frozen=True)
class _Run:
    """Who carries out a plan, when, and through what."""

    actor_id: str
    now: datetime
    ports: Ports
    session: Session


async def _keep(
    plan: Plan, how: _Apply, run: _Run, result: SeriesChange, events: list[AnyEvent]
) -> None:
    series = how.series
    for occurrence, slot in plan.kept:
        refiled = occurrence.refiled(
            series_id=series.id, index=slot.index, slot=slot.starts_at, recurrence=series.rule
        )
        updated, produced = refiled, list[AnyEvent]()
        changeable = not (occurrence.cancelled or occurrence.started(run.now))
        if changeable and (how.retime or how.changes):
            updated, produced = await apply_change(
                refiled,
                how.details_for(occurrence, slot),
                actor_id=run.actor_id,
                now=run.now,
                ports=run.ports,
                session=run.session,
            )
        if produced:
            result.changed.append(updated)
            events.extend(produced)
        elif refiled != occurrence:
            await run.ports.gatherings.save(refiled, run.session)


async def _drop(
    plan: Plan, how: _Apply, run: _Run, result: SeriesChange, events: list[AnyEvent]
) -> None:
    ports, session = run.ports, run.session
    for occurrence in plan.dropped:
        gone = occurrence.cancel(reason=how.reason or RULE_CHANGED, now=run.now)
        await ports.gatherings.save(gone, session)
        await ports.reminders.replace_for(gone.id, [], session)
        going, waiting = await holders(gone.id, ports.rsvps, session)
        events.append(
            announcements.cancelled(
                gone, actor_id=run.actor_id, attendee_ids=going, waitlist_ids=waiting
            )
        )
        result.cancelled.append(gone)


async def _add(
    plan: Plan, how: _Apply, run: _Run, result: SeriesChange, events: list[AnyEvent]
) -> None:
    series, ports = how.series, run.ports
    for slot in plan.added:
        new = Gathering.schedule(
            community_id=series.community_id,
            created_by=how.created_by,
            details=at(how.template, slot.starts_at, slot.ends_at),
            now=run.now,
            series_id=series.id,
            occurrence_index=slot.index,
            recurrence=series.rule,
        )
        await ports.gatherings.add([new], run.session)
        jobs = plan_reminders(new, ports.reminder_offsets, now=run.now)
        await ports.reminders.replace_for(new.id, jobs, run.session)
        events.append(announcements.scheduled(new, actor_id=run.actor_id))
        result.created.append(new)


async def _carry_out(plan: Plan, how: _Apply, run: _Run) -> tuple[SeriesChange, list[AnyEvent]]:
    series = how.series
    result = SeriesChange(series_id=series.id, rule=series.rule, exceptions=series.exceptions)
    events: list[AnyEvent] = []
    for step in (_keep, _drop, _add):
        await step(plan, how, run, result, events)
    await run.ports.series.save(series, run.session)
    return result, events


async def change_rule(
    gathering_id: str,
    recurrence: Recurrence,
    *,
    keep_exceptions: bool,
    reason: str | None,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> SeriesChange:
    """Give the series of ``gathering_id`` a new rule (and skipped dates) from its first start;
    new occurrences copy the addressed one's details."""
    addressed = await _addressed(gathering_id, actor_id, ports)

    async def work(session: Session) -> SeriesChange:
        current = await _current(addressed.id, ports, session)
        series = await _series_of(current, ports, session)
        exceptions = series.exceptions if keep_exceptions else recurrence.exceptions
        renewed = replace(series, rule=recurrence.rule, exceptions=exceptions)
        members = await ports.gatherings.in_series(series.id, session)
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
        result, events = await _carry_out(plan, how, _Run(actor_id, now, ports, session))
        await ports.outbox.add(session, *events)
        return result

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result


def _replanned(
    series: Series,
    current: Gathering,
    proposed: Details,
    members: list[Gathering],
    *,
    recurrence: Recurrence | None,
    now: datetime,
) -> tuple[Series, Plan]:
    """The series from the addressed occurrence on, moved or with a new rule, and the plan
    that gets its occurrences there; a new series if earlier occurrences stay behind."""
    following = [o for o in members if o.slot >= current.slot]
    split = len(following) < len(members)
    was = wall_clock(current.slot, series.time_zone)
    shift = wall_clock(proposed.starts_at, proposed.time_zone) - was
    if recurrence is None:
        remaining = sum(1 for s in series.slots() if s.starts_at >= current.slot)
        rule = continued(series.rule, remaining=remaining, shift=shift)
        exceptions = shifted_exceptions(series.exceptions, since=was, by=shift)
    else:
        rule, exceptions = recurrence.rule, recurrence.exceptions
    renewed = series.restarted(
        series_id=str(uuid.uuid4()) if split else series.id,
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
    return renewed, plan


def _following(
    series: Series,
    current: Gathering,
    proposed: Details,
    changes: Mapping[str, Any],
    *,
    retime: bool,
) -> _Apply:
    """How "this and following" changes each occurrence: the fields sent (the times as a
    move), and the RSVP deadline's lead when one was sent."""
    deadline = proposed.rsvp_deadline
    return _Apply(
        series=series,
        template=proposed,
        created_by=current.created_by,
        changes={k: v for k, v in changes.items() if k not in TIME_FIELDS},
        retime=retime,
        set_deadline="rsvp_deadline" in changes,
        deadline_lead=None if deadline is None else proposed.starts_at - deadline,
        reason=None,
    )


async def _cut(
    series: Series, earlier: list[Gathering], *, before: datetime, ports: Ports, session: Session
) -> None:
    """The earlier part of a split series: its rule now ends before ``before``."""
    cut = replace(series, rule=ending_before(series.rule, before))
    await ports.series.save(cut, session)
    for earlier_one in earlier:
        if earlier_one.recurrence != cut.rule:
            await ports.gatherings.save(replace(earlier_one, recurrence=cut.rule), session)


async def update_following(
    gathering_id: str,
    changes: Mapping[str, Any],
    *,
    recurrence: Recurrence | None,
    actor_id: str,
    now: datetime,
    ports: Ports,
) -> SeriesChange:
    """Change an occurrence and every later one of its series ("this and following").

    Occurrences are kept, cancelled or created as ``events.domain.series.reconcile`` says. A
    change that moves the time or sends a new rule splits the series: the earlier occurrences
    stay in the old series, whose rule now ends before the addressed one, and the rest form a
    new series starting at the addressed occurrence's new start.
    """
    addressed = await _addressed(gathering_id, actor_id, ports)
    if "host_ids" in changes:
        proposed = replace(addressed.details, host_ids=tuple(changes["host_ids"]))
        await ensure_hosts_are_members(addressed.community_id, proposed, ports=ports)

    async def work(session: Session) -> SeriesChange:
        current = await _current(addressed.id, ports, session)
        series = await _series_of(current, ports, session)
        proposed = replace(current.details, **changes)
        _, change = current.change(proposed, now=now)  # the addressed one must be changeable
        members = await ports.gatherings.in_series(series.id, session)
        earlier = [o for o in members if o.slot < current.slot]
        if recurrence is None and not {"time", "time_zone"}.intersection(change.fields):
            # Same schedule: each occurrence keeps its slot and takes the fields sent.
            following = [o for o in members if o.slot >= current.slot]
            renewed, retime = series, False
            plan = Plan(kept=tuple((o, _own_slot(o)) for o in following), dropped=(), added=())
        else:
            renewed, plan = _replanned(
                series, current, proposed, members, recurrence=recurrence, now=now
            )
            retime = True
        how = _following(renewed, current, proposed, changes, retime=retime)
        result, events = await _carry_out(plan, how, _Run(actor_id, now, ports, session))
        if renewed.id != series.id:
            await _cut(series, earlier, before=current.slot, ports=ports, session=session)
        await ports.outbox.add(session, *events)
        return result

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result
