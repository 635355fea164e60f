"""Recurring gatherings: an RFC 5545 RRULE expanded, in local wall-clock time, into occurrences.

Expansion happens in the gathering's time zone, so a weekly 18:30 in Europe/Rome stays 18:30
across daylight-saving changes (its UTC time moves by an hour). Each occurrence becomes a
gathering of its own, so it can be changed or cancelled on its own.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from dateutil.rrule import rrule, rrulestr

from events.domain.errors import InvalidRecurrence
from events.domain.gatherings import zone

ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
MAX_OCCURRENCES = 52
HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Recurrence:
    """An RRULE and the local dates it skips."""

    rule: str
    exceptions: tuple[date, ...] = ()


@dataclass(frozen=True)
class Occurrence:
    """One expanded occurrence: its position in the series and its times in UTC."""

    index: int
    starts_at: datetime
    ends_at: datetime


def _parse(rule: str, first_local: datetime, tz: tzinfo) -> Any:
    text = rule.strip().removeprefix("RRULE:")
    if not text or "\n" in text or any(p in text.upper() for p in ("DTSTART", "EXDATE", "RDATE")):
        raise InvalidRecurrence("give one RRULE line; exceptions go in `exceptions`")
    parts = {
        key: value for key, _, value in (p.partition("=") for p in text.upper().split(";") if p)
    }
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise InvalidRecurrence(f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)}")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise InvalidRecurrence("the rule needs COUNT or UNTIL (a series is bounded)")
    until = parts.pop("UNTIL", None)
    try:
        parsed = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=first_local)
        if not isinstance(parsed, rrule):
            raise InvalidRecurrence("give one RRULE")
        if until is not None:
            # Expansion runs in floating local time, so a UTC UNTIL (RFC 5545's form when the
            # start has a time zone) is turned into the local time it designates.
            moment = parse_until(until)
            local_until = moment.astimezone(tz).replace(tzinfo=None) if moment.tzinfo else moment
            parsed = parsed.replace(until=local_until)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidRecurrence(f"not a valid RRULE: {exc}") from exc
    return parsed


def parse_until(value: str) -> datetime:
    """An RRULE UNTIL value: a date, a floating date-time, or a UTC date-time (``Z``)."""
    if len(value) == 8:
        return datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)
    moment = datetime.strptime(value.removesuffix("Z"), "%Y%m%dT%H%M%S")
    return moment.replace(tzinfo=UTC) if value.endswith("Z") else moment


def expand(
    rule: str,
    *,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    exceptions: tuple[date, ...] = (),
) -> list[Occurrence]:
    """The occurrences of ``rule`` from the first gathering's times, skipping ``exceptions``.

    ``exceptions`` are local dates (EXDATE by day). Raise InvalidRecurrence for an unbounded,
    too long or malformed rule.
    """
    tz = zone(time_zone)
    first_local = starts_at.astimezone(tz).replace(tzinfo=None)
    duration = ends_at - starts_at
    parsed = _parse(rule, first_local, tz)
    limit = first_local + HORIZON
    skipped = set(exceptions)
    occurrences: list[Occurrence] = []
    index = 0
    for local in parsed:
        if local > limit:
            break
        if local.date() in skipped:
            continue
        if len(occurrences) == MAX_OCCURRENCES:
            raise InvalidRecurrence(f"a series has at most {MAX_OCCURRENCES} occurrences")
        start = local.replace(tzinfo=tz).astimezone(UTC)
        occurrences.append(Occurrence(index=index, starts_at=start, ends_at=start + duration))
        index += 1
    if not occurrences:
        raise InvalidRecurrence("the rule yields no occurrence")
    return occurrences


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip().removeprefix("RRULE:").upper()
    return {key: value for key, _, value in (p.partition("=") for p in text.split(";") if p)}


def _text(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in parts.items())


def ending_before(rule: str, moment: datetime) -> str:
    """``rule`` cut so that it yields nothing from ``moment`` on (UNTIL in UTC, RFC 5545's form
    for a start with a time zone)."""
    parts = {k: v for k, v in _parts(rule).items() if k not in ("COUNT", "UNTIL")}
    parts["UNTIL"] = (moment.astimezone(UTC) - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    return _text(parts)


def continued(rule: str, *, remaining: int, shift: timedelta) -> str:
    """``rule`` for the rest of a series that moves by ``shift`` (wall-clock): ``remaining``
    occurrences under COUNT, or an UNTIL moved along so it still bounds the same ones."""
    parts = _parts(rule)
    if "COUNT" in parts:
        parts["COUNT"] = str(remaining)
    if "UNTIL" in parts:
        until = parse_until(parts["UNTIL"]) + shift
        parts["UNTIL"] = until.strftime("%Y%m%dT%H%M%S") + ("Z" if until.tzinfo else "")
    return _text(parts)
