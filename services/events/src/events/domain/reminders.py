"""Reminder planning and the decision to fire one: offsets, catch-up window, never after start."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from events.domain.gatherings import Gathering

Verdict = Literal["fire", "too_late", "started", "superseded", "cancelled"]


@dataclass(frozen=True)
class ReminderJob:
    """One reminder to fire at ``due_at``, computed for one start time of one gathering."""

    id: str
    gathering_id: str
    offset: timedelta
    starts_at: datetime
    due_at: datetime


def job_id(gathering_id: str, offset: timedelta, starts_at: datetime) -> str:
    """Deterministic: the same gathering, offset and start always name the same job."""
    return f"{gathering_id}:{int(offset.total_seconds())}:{int(starts_at.timestamp())}"


def plan(
    gathering: Gathering, offsets: tuple[timedelta, ...], *, now: datetime
) -> list[ReminderJob]:
    """The reminders a gathering needs from now on.

    An offset whose moment has already passed when the gathering is scheduled (or moved) is
    left out: whoever RSVPs that late knows it is close, and a "tomorrow" reminder an hour
    before would mislead.
    """
    if gathering.cancelled:
        return []
    jobs = []
    for offset in sorted(set(offsets), reverse=True):
        due = gathering.starts_at - offset
        if due <= now:
            continue
        jobs.append(
            ReminderJob(
                id=job_id(gathering.id, offset, gathering.starts_at),
                gathering_id=gathering.id,
                offset=offset,
                starts_at=gathering.starts_at,
                due_at=due,
            )
        )
    return jobs


def verdict(
    job: ReminderJob, gathering: Gathering | None, *, now: datetime, catch_up: timedelta
) -> Verdict:
    """Whether a claimed job fires now.

    A job missed during downtime still fires if it is at most ``catch_up`` late, but never once
    the gathering has started; a job computed for an older start time is superseded.
    """
    if gathering is None or gathering.cancelled:
        return "cancelled"
    if gathering.starts_at != job.starts_at:
        return "superseded"
    if now >= gathering.starts_at:
        return "started"
    if now - job.due_at > catch_up:
        return "too_late"
    return "fire"
