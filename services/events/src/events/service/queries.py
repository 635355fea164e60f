"""Read models: a gathering as the caller may see it, lists, the waitlist and the attendees."""

from dataclasses import dataclass
from datetime import datetime

from events.domain.access import sees_online_link
from events.domain.errors import Forbidden
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.rsvps import Rsvp
from events.domain.zones import ZonePreference
from events.service.access import GatheringScope, community_scope, gathering_scope
from events.service.ports import (
    Directory,
    GatheringRepository,
    Page,
    RecapRepository,
    RsvpRepository,
    UserZones,
)


@dataclass(frozen=True)
class GatheringView:
    """A gathering and what the caller may see of it."""

    gathering: Gathering
    scope: GatheringScope
    my_rsvp: Rsvp | None
    waitlist_position: int | None
    sees_link: bool
    recap: Recap | None

    @property
    def member(self) -> bool:
        """Whether the caller sees the members' details (full venue, hosts, counts)."""
        return self.scope.audience == "member"


async def zone_preference(
    explicit: str | None, user_id: str | None, *, zones: UserZones
) -> ZonePreference:
    """The zone the caller reads times in: the one asked for, else their profile's, if any."""
    profile = None
    if explicit is None and user_id is not None:
        profile = (await zones.of([user_id])).get(user_id)
    return ZonePreference.choose(explicit=explicit, profile=profile)


async def view(
    gathering_id: str,
    user_id: str | None,
    *,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    recaps: RecapRepository,
    directory: Directory,
) -> GatheringView:
    """The gathering for this caller; raise NotFound, Unauthenticated or Forbidden."""
    scope = await gathering_scope(gathering_id, user_id, gatherings=gatherings, directory=directory)
    return await describe(scope, rsvps=rsvps, recaps=recaps)


async def describe(
    scope: GatheringScope, *, rsvps: RsvpRepository, recaps: RecapRepository
) -> GatheringView:
    """The view of an already authorized gathering."""
    gathering, viewer = scope.gathering, scope.viewer
    mine = None if viewer.user_id is None else await rsvps.get(gathering.id, viewer.user_id)
    position = await rsvps.position(mine) if mine is not None and mine.ticket else None
    going = mine is not None and mine.status == "going"
    return GatheringView(
        gathering=gathering,
        scope=scope,
        my_rsvp=mine,
        waitlist_position=position,
        sees_link=sees_online_link(gathering, viewer, going=going),
        recap=await recaps.get(gathering.id),
    )


async def in_community(
    community_id: str,
    user_id: str | None,
    *,
    since: datetime | None,
    after: Page | None,
    limit: int,
    gatherings: GatheringRepository,
    directory: Directory,
) -> list[Gathering]:
    """A community's gatherings by start: all for members, the public ones for others."""
    scope = await community_scope(community_id, user_id, directory=directory)
    return await gatherings.in_community(
        community_id,
        public_only=scope.audience != "member",
        since=since,
        after=after,
        limit=limit,
    )


async def waitlist(
    gathering_id: str,
    user_id: str,
    *,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    directory: Directory,
) -> list[Rsvp]:
    """The FIFO waitlist, for hosts and moderators."""
    scope = await gathering_scope(gathering_id, user_id, gatherings=gatherings, directory=directory)
    if not scope.manager:
        raise Forbidden("only the hosts or the moderators see the waitlist", code="not-a-host")
    return await rsvps.waitlist(gathering_id)


async def attendees(
    gathering_id: str,
    user_id: str,
    *,
    after_user: str | None,
    limit: int,
    gatherings: GatheringRepository,
    rsvps: RsvpRepository,
    directory: Directory,
) -> tuple[GatheringScope, list[Rsvp]]:
    """Confirmed attendees (members only); check-in details are for hosts."""
    scope = await gathering_scope(gathering_id, user_id, gatherings=gatherings, directory=directory)
    if not scope.viewer.member:
        raise Forbidden("only members see who is going", code="not-a-member")
    going = await rsvps.with_status(gathering_id, ["going"], after_user=after_user, limit=limit)
    return scope, going
