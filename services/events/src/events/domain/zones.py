"""Whose time zone a gathering's times are shown in: the reader's own, else the gathering's."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from events.domain.errors import InvalidGathering, InvalidTimeZone
from events.domain.gatherings import zone

#: query: asked for explicitly; profile: the reader's profile; gathering: the gathering's own.
ZoneSource = Literal["query", "profile", "gathering"]


@dataclass(frozen=True)
class ZonePreference:
    """The zone a reader wants times in, if any, and where that preference comes from."""

    time_zone: str | None = None
    source: ZoneSource = "gathering"

    @classmethod
    def choose(cls, *, explicit: str | None, profile: str | None) -> "ZonePreference":
        """An explicit zone wins over the profile's; raise InvalidTimeZone for an unknown one."""
        if explicit is not None:
            return cls(checked(explicit), "query")
        if profile is not None:
            return cls(profile, "profile")
        return cls()


@dataclass(frozen=True)
class LocalTimes:
    """A gathering's times as wall-clock time in one zone."""

    time_zone: str
    source: ZoneSource
    starts_at: datetime
    ends_at: datetime
    previous_starts_at: datetime | None = None


def checked(name: str) -> str:
    """``name`` if it is an IANA time zone; raise InvalidTimeZone otherwise."""
    try:
        zone(name)
    except InvalidGathering as exc:
        raise InvalidTimeZone(
            f"unknown time zone {name!r} (an IANA name, e.g. Europe/Rome)"
        ) from exc
    return name


def local_times(
    starts_at: datetime,
    ends_at: datetime,
    *,
    own_zone: str,
    preference: ZonePreference,
    previous_starts_at: datetime | None = None,
) -> LocalTimes:
    """A gathering's times (held in ``own_zone``) in the preferred zone, DST applied; without a
    preference, in the gathering's own zone."""
    name = preference.time_zone or own_zone
    source: ZoneSource = preference.source if preference.time_zone else "gathering"
    tz = zone(name)
    return LocalTimes(
        time_zone=name,
        source=source,
        starts_at=starts_at.astimezone(tz),
        ends_at=ends_at.astimezone(tz),
        previous_starts_at=None
        if previous_starts_at is None
        else previous_starts_at.astimezone(tz),
    )
