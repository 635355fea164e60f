"""Time rules in the person's time zone: quiet hours and digest windows."""

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifications.domain.preferences import DigestFrequency, DigestSchedule, QuietHours

DEFAULT_TIMEZONE = "Europe/Rome"


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or the platform default when unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _inside(moment: time, quiet: QuietHours) -> bool:
    if quiet.start == quiet.end:
        return False
    if quiet.start < quiet.end:
        return quiet.start <= moment < quiet.end
    return moment >= quiet.start or moment < quiet.end  # the window spans midnight


def quiet_until(now: datetime, timezone: str | None, quiet: QuietHours | None) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or None when ``now`` is not quiet."""
    if quiet is None:
        return None
    tz = zone(timezone)
    local = now.astimezone(tz)
    if not _inside(local.time(), quiet):
        return None
    end_day = local.date()
    if local.time() >= quiet.end:
        end_day += timedelta(days=1)
    # Built on the wall clock, so the end is right across daylight-saving changes too.
    end = datetime.combine(end_day, quiet.end, tzinfo=tz)
    return end.astimezone(UTC)


def next_digest_at(now: datetime, timezone: str | None, schedule: DigestSchedule) -> datetime:
    """The first digest send time strictly after ``now`` (UTC)."""
    tz = zone(timezone)
    local = now.astimezone(tz)
    day = local.date()
    for offset in range(8):
        candidate_day = day + timedelta(days=offset)
        if (
            schedule.frequency is DigestFrequency.WEEKLY
            and candidate_day.weekday() != schedule.weekday
        ):
            continue
        candidate = datetime.combine(candidate_day, time(schedule.hour), tzinfo=tz)
        if candidate > local:
            return candidate.astimezone(UTC)
    raise AssertionError("a weekly schedule always has a slot within eight days")


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def starts_within(data: Mapping[str, Any], now: datetime, window: timedelta) -> bool:
    """Whether the event's gathering starts, or was to start, within ``window`` of ``now``."""
    starts = (_moment(data.get(name)) for name in ("starts_at", "previous_starts_at"))
    return any(start - now <= window for start in starts if start is not None)
