"""A recurring series, and how a changed rule maps onto the occurrences it already has."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from events.domain.errors import InvalidRecurrence
from events.domain.gatherings import Gathering, zone
from events.domain.recurrence import Occurrence, expand


def wall_clock(moment: datetime, time_zone: str) -> datetime:
    """``moment`` as a floating local date-time in ``time_zone`` (what a rule expands to)."""
    return moment.astimezone(zone(time_zone)).replace(tzinfo=None)


@dataclass(frozen=True)
class Series:
    """A rule, the local dates it skips, and its first occurrence (DTSTART and duration)."""

    id: str
    community_id: str
    rule: str
    exceptions: tuple[date, ...]
    first_starts_at: datetime
    first_ends_at: datetime
    time_zone: str

    def slots(self) -> list[Occurrence]:
        """Every occurrence the rule yields; raise InvalidRecurrence for a bad rule."""
        return expand(
            self.rule,
            starts_at=self.first_starts_at,
            ends_at=self.first_ends_at,
            time_zone=self.time_zone,
            exceptions=self.exceptions,
        )

    def restarted(
        self,
        *,
        series_id: str,
        rule: str,
        exceptions: tuple[date, ...],
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str,
    ) -> "Series":
        """A series from a new first occurrence; raise InvalidRecurrence unless the rule yields
        that very start first (a weekly-on-Tuesday rule cannot start on a Thursday)."""
        series = replace(
            self,
            id=series_id,
            rule=rule,
            exceptions=exceptions,
            first_starts_at=starts_at,
            first_ends_at=ends_at,
            time_zone=time_zone,
        )
        first = series.slots()[0]
        if first.starts_at != starts_at:
            raise InvalidRecurrence(
                "the rule does not yield the new start as its first occurrence: "
                "send a rule that matches it (e.g. BYDAY for the new weekday)"
            )
        return series


@dataclass(frozen=True)
class Plan:
    """What a re-expanded rule does to a run of occurrences."""

    kept: tuple[tuple[Gathering, Occurrence], ...]
    dropped: tuple[Gathering, ...]
    added: tuple[Occurrence, ...]


def reconcile(
    occurrences: Sequence[Gathering],
    slots: Sequence[Occurrence],
    *,
    old_zone: str,
    new_zone: str,
    shift: timedelta,
    now: datetime,
) -> Plan:
    """Match ``occurrences`` (by their slot in ``old_zone``, moved by ``shift``) with the new
    ``slots`` (in ``new_zone``).

    A slot is the wall-clock start the old rule gave an occurrence (RFC 5545's RECURRENCE-ID),
    whatever its individual changes. Then:

    - an occurrence that has started stays as it is, matched or not: the past is not rewritten;
    - a future occurrence whose slot still exists is kept, with its RSVPs; a rule change keeps
      its individual changes too (time included), while a "this and following" change applies
      the fields sent (a new time re-times it, as the host asked for the whole run);
    - a future occurrence whose slot is gone is dropped (cancelled), individually changed or
      not, and whoever holds a seat or a waitlist place is told;
    - a cancelled occurrence whose slot still exists stays cancelled: it is not brought back;
    - a future slot with no occurrence is added, with the details of the addressed occurrence.
    """
    free = {wall_clock(slot.starts_at, new_zone): slot for slot in slots}
    kept: list[tuple[Gathering, Occurrence]] = []
    dropped: list[Gathering] = []
    for occurrence in sorted(occurrences, key=lambda o: o.slot):
        slot = free.pop(wall_clock(occurrence.slot, old_zone) + shift, None)
        if slot is not None:
            kept.append((occurrence, slot))
        elif not (occurrence.cancelled or occurrence.started(now)):
            dropped.append(occurrence)
    added = tuple(slot for slot in free.values() if slot.starts_at > now)
    return Plan(kept=tuple(kept), dropped=tuple(dropped), added=added)


def shifted_exceptions(
    exceptions: Sequence[date], *, since: datetime, by: timedelta
) -> tuple[date, ...]:
    """The skipped dates from ``since`` (a floating local start) on, moved with a series whose
    wall-clock start moves by ``by``."""
    return tuple(
        sorted(
            (datetime.combine(d, since.time()) + by).date() for d in exceptions if d >= since.date()
        )
    )
