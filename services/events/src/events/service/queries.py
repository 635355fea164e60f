"""Read models: a gathering as the caller may see it, lists, the waitlist and the attendees."""

from dataclasses import dataclass
from datetime import datetime

from cerchia_chassis.domain.cursors import InvalidCursor, Page, decode_optional, page_of
from events.domain.access import sees_online_link
from events.domain.errors import Forbidden
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.rsvps import Rsvp
from events.domain.zones import ZonePreference
from events.service.access import GatheringScope, community_scope, gathering_scope
from events.service.ports import After, Ports


@dataclass(frozen=True)
class GatheringView:
    """A gathering and what the caller may see of it, in the zone they read times in."""

    gathering: Gathering
    scope: GatheringScope
    my_rsvp: Rsvp | None
    waitlist_position: int | None
    sees_link: bool
    recap: Recap | None
    preference: ZonePreference

    @property
    def member(self) -> bool:
        """Whether the caller sees the members' details (full venue, hosts, counts)."""
        return self.scope.audience == "member"


@dataclass(frozen=True)
class Attendees:
    """A page of confirmed attendees; for hosts, how many checked in so far."""

    page: Page[Rsvp]
    host: bool
    checked_in: int | None


async def zone_preference(
    explicit: str | None, user_id: str | None, *, ports: Ports
) -> ZonePreference:
    """The zone the caller reads times in: the one asked for, else their profile's, if any."""
    profile = None
    if explicit is None and user_id is not None:
        profile = (await ports.zones.of([user_id])).get(user_id)
    return ZonePreference.choose(explicit=explicit, profile=profile)


async def view(
    gathering_id: str, user_id: str | None, *, tz: str | None = None, ports: Ports
) -> GatheringView:
    """The gathering for this caller, times in ``tz`` (else their profile's zone); raise
    NotFound, Unauthenticated or Forbidden (InvalidTimeZone for an unknown ``tz``)."""
    preference = await zone_preference(tz, user_id, ports=ports)
    scope = await gathering_scope(gathering_id, user_id, ports=ports)
    return await describe(scope, preference=preference, ports=ports)


async def describe(
    scope: GatheringScope, *, preference: ZonePreference, ports: Ports
) -> GatheringView:
    """The view of an already authorized gathering."""
    gathering, viewer = scope.gathering, scope.viewer
    mine = None if viewer.user_id is None else await ports.rsvps.get(gathering.id, viewer.user_id)
    position = await ports.rsvps.position(mine) if mine is not None and mine.ticket else None
    going = mine is not None and mine.status == "going"
    return GatheringView(
        gathering=gathering,
        scope=scope,
        my_rsvp=mine,
        waitlist_position=position,
        sees_link=sees_online_link(gathering, viewer, going=going),
        recap=await ports.recaps.get(gathering.id),
        preference=preference,
    )


def _after(cursor: str | None) -> After | None:
    position = decode_optional(cursor, arity=2)
    if position is None:
        return None
    starts_at, gathering_id = position
    if not isinstance(starts_at, datetime) or not isinstance(gathering_id, str):
        raise InvalidCursor
    return After(starts_at, gathering_id)


async def in_community(
    community_id: str,
    user_id: str | None,
    *,
    include_past: bool,
    cursor: str | None,
    limit: int,
    tz: str | None,
    now: datetime,
    ports: Ports,
) -> Page[GatheringView]:
    """A community's gatherings by start (from ``now`` unless ``include_past``): all of them
    for members, the public ones for others."""
    preference = await zone_preference(tz, user_id, ports=ports)
    scope = await community_scope(community_id, user_id, ports=ports)
    found = await ports.gatherings.in_community(
        community_id,
        public_only=scope.audience != "member",
        since=None if include_past else now,
        after=_after(cursor),
        limit=limit + 1,
    )
    page = page_of(found, limit, lambda g: (g.starts_at, g.id))
    views = [
        await describe(
            GatheringScope(**vars(scope), gathering=g), preference=preference, ports=ports
        )
        for g in page.items
    ]
    return Page(views, page.next_cursor)


async def waitlist(gathering_id: str, user_id: str, *, ports: Ports) -> list[Rsvp]:
    """The FIFO waitlist, for hosts and moderators."""
    scope = await gathering_scope(gathering_id, user_id, ports=ports)
    if not scope.manager:
        raise Forbidden("only the hosts or the moderators see the waitlist", code="not-a-host")
    return await ports.rsvps.waitlist(gathering_id)


def _after_user(cursor: str | None) -> str | None:
    position = decode_optional(cursor, arity=1)
    if position is None:
        return None
    if not isinstance(position[0], str):
        raise InvalidCursor
    return position[0]


async def attendees(
    gathering_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Attendees:
    """Confirmed attendees by user id (members only); check-in details are for hosts."""
    scope = await gathering_scope(gathering_id, user_id, ports=ports)
    if not scope.viewer.member:
        raise Forbidden("only members see who is going", code="not-a-member")
    going = await ports.rsvps.with_status(
        gathering_id, ["going"], after_user=_after_user(cursor), limit=limit + 1
    )
    checked = None
    if scope.manager:
        everyone = await ports.rsvps.with_status(gathering_id, ["going"])
        checked = sum(1 for r in everyone if r.checked_in_at is not None)
    page = page_of(going, limit, lambda r: (r.user_id,))
    return Attendees(page=page, host=scope.manager, checked_in=checked)


async def event_calendar(gathering_id: str, user_id: str | None, *, ports: Ports) -> bytes:
    """The gathering as an iCalendar file; the link only for confirmed attendees and hosts,
    the address only for members."""
    shown = await view(gathering_id, user_id, ports=ports)
    return ports.calendar_files.calendar(
        [shown.gathering],
        name=shown.gathering.details.title,
        with_link=lambda _: shown.sees_link,
        with_address=lambda _: shown.member,
    )
