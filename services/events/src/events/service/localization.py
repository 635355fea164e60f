"""Events with recipients leave with the times as each recipient reads them, in their zone."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cerchia_chassis.ports import EventOutbox, Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import gatherings as c
from events.domain.zones import LocalTimes, ZonePreference, local_times
from events.service.ports import UserZones

_ONE_RECIPIENT = (c.RsvpConfirmed, c.RsvpWaitlisted, c.RsvpCancelled, c.WaitlistPromoted)
_MANY_RECIPIENTS = (c.GatheringChanged, c.GatheringCancelled, c.ReminderDue)


def recipients(data: Any) -> list[str]:
    """Who an event's data is addressed to."""
    if isinstance(data, _ONE_RECIPIENT):
        return [data.user_id]
    if isinstance(data, c.GatheringChanged | c.GatheringCancelled):
        return list(dict.fromkeys((*data.attendee_ids, *data.waitlist_ids)))
    if isinstance(data, c.ReminderDue):
        return list(data.attendee_ids)
    return []


def _times(data: c.GatheringFact, zone_name: str | None) -> dict[str, Any]:
    previous = data.previous_starts_at if isinstance(data, c.GatheringChanged) else None
    times: LocalTimes = local_times(
        data.starts_at,
        data.ends_at,
        own_zone=data.time_zone,
        preference=ZonePreference.choose(explicit=None, profile=zone_name),
        previous_starts_at=previous,
    )
    return {
        "time_zone": times.time_zone,
        "source": "profile" if times.source == "profile" else "gathering",
        "starts_at_local": times.starts_at.isoformat(),
        "ends_at_local": times.ends_at.isoformat(),
        "previous_starts_at_local": _iso(times.previous_starts_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def localized(event: AnyEvent, zones: Mapping[str, str]) -> AnyEvent:
    """``event`` with its recipients' local times (unchanged when it has no recipient)."""
    data = event.data
    if isinstance(data, _ONE_RECIPIENT):
        one = c.LocalTimes(**_times(data, zones.get(data.user_id)))
        update: dict[str, Any] = {"recipient_time": one}
    elif isinstance(data, _MANY_RECIPIENTS):
        groups: dict[str | None, list[str]] = {}
        for user_id in recipients(data):
            groups.setdefault(zones.get(user_id), []).append(user_id)
        update = {
            "recipient_times": tuple(
                c.RecipientTimes(**_times(data, zone_name), user_ids=tuple(users))
                for zone_name, users in groups.items()
            )
        }
    else:
        return event
    return event.model_copy(update={"data": data.model_copy(update=update)})


class LocalizedOutbox:
    """An event outbox that adds the recipients' local times to what it stores.

    The use cases build events in the gathering's zone and are given this outbox instead of the
    chassis's: it adds every recipient's local times (from the projection of their profiles,
    else the gathering's zone) in the same transaction, so no path that publishes forgets them.
    """

    def __init__(self, outbox: EventOutbox, zones: UserZones) -> None:
        self._outbox = outbox
        self._zones = zones

    async def add(self, session: Session, *events: AnyEvent) -> None:
        """Store ``events`` with the state change, localized for their recipients."""
        people: Sequence[str] = sorted({u for e in events for u in recipients(e.data)})
        known = await self._zones.of(people, session) if people else {}
        await self._outbox.add(session, *(localized(e, known) for e in events))

    def committed(self) -> None:
        """Wake the relay after commit."""
        self._outbox.committed()

    async def forget_person(self, session: Session, person_id: str) -> None:
        """Destroy the person's key (erasure)."""
        await self._outbox.forget_person(session, person_id)

    async def observe(self, topic: str, key: str) -> None:
        """A read showed ``key`` as of its latest event on ``topic``."""
        await self._outbox.observe(topic, key)
