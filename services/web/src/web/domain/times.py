"""Times as a reader reads them: in their zone, with the zone named."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

DEFAULT_ZONE = "UTC"


def zone_of(name: str | None) -> ZoneInfo:
    """The named zone, UTC when unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def parse_instant(value: str | datetime | None) -> datetime | None:
    """An API timestamp (ISO 8601) as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=ZoneInfo("UTC"))


def local_time(value: str | datetime | None, *, zone: str | None, locale: str) -> str:
    """``12 mar 2026, 18:30 (Europe/Rome)``: the instant in the reader's zone, zone named."""
    instant = parse_instant(value)
    if instant is None:
        return ""
    tz = zone_of(zone)
    text = format_datetime(instant, "medium", tzinfo=tz, locale=locale)
    return f"{text} ({tz.key})"
