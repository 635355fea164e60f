"""Seats and the waitlist inside one transaction: admit, release, offer freed seats in order."""

from dataclasses import dataclass
from datetime import datetime

from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from membership.domain.communities import Community
from membership.domain.memberships import Membership, Route, can_see, ensure_admissible, newcomer
from membership.domain.roles import Role
from membership.domain.waitlist import SeatOffer
from membership.service import announcements as announce
from membership.service.community_ports import CommunityPorts

NOT_FOUND = "community-not-found"


@dataclass(frozen=True)
class Admission:
    """Where an admitted person ended up: seated, or in line at ``position``."""

    membership: Membership
    position: int | None
    events: list[AnyEvent]


async def admit(
    ports: CommunityPorts,
    session: Session,
    community: Community,
    user_id: str,
    *,
    route: Route,
    code_version: int,
    actor_id: str | None,
    now: datetime,
) -> Admission:
    """Seat an admitted person if a seat is free, else put them at the back of the line.

    The seat is taken with a conditional update of the community's free-seat counter, in the
    caller's transaction, so concurrent admissions can never seat more than the capacity; the
    sequence that orders the waitlist is incremented on the same document, so the losers of the
    race queue up in the order their transactions commit.
    """
    community.ensure_active()
    current = await ports.memberships.get(community.id, user_id, session)
    ensure_admissible(current, route=route)
    base = current or newcomer(community.id, user_id, now)
    events: list[AnyEvent]
    position = None
    if await ports.communities.take_seat(community.id, session, member=True):
        membership = base.joined(role="member", code_version=code_version, now=now)
        events = [announce.joined(membership, route, actor_id)]
    else:
        sequence = await ports.communities.next_sequence(community.id, session)
        membership = base.waitlisted(sequence, code_version=code_version, now=now)
        ahead = await ports.memberships.waiting_ahead(community.id, sequence, session)
        position = ahead + 1
        events = [announce.waitlisted(membership, position, actor_id, route)]
    await ports.memberships.put(membership, session)
    return Admission(membership, position, events)


async def offer_free_seats(
    ports: CommunityPorts, session: Session, community_id: str, now: datetime
) -> list[AnyEvent]:
    """Hold every free seat for the next people in line, first come first offered."""
    events: list[AnyEvent] = []
    while (head := await ports.memberships.head(community_id, session)) is not None:
        if not await ports.communities.take_seat(community_id, session, member=False):
            break
        offer = SeatOffer.new(now=now, ttl=ports.policy.seat_offer_ttl)
        membership = head.offered(offer)
        await ports.memberships.put(membership, session)
        events.append(announce.offered(membership, offer))
    return events


async def release_seat(
    ports: CommunityPorts, session: Session, community_id: str, *, member: bool, now: datetime
) -> list[AnyEvent]:
    """A member left (``member``) or an offer closed: the seat goes to the next in line."""
    await ports.communities.adjust(community_id, session, members=-1 if member else 0, free=1)
    return await offer_free_seats(ports, session, community_id, now)


async def community_in_view(
    ports: CommunityPorts, community_id: str, viewer_id: str, session: Session | None = None
) -> tuple[Community, Membership | None]:
    """The community and the viewer's standing; a private one is 'not found' to outsiders."""
    community = await ports.communities.get(community_id, session)
    if community is None:
        raise NotFound("No such community.", code=NOT_FOUND)
    standing = await ports.memberships.get(community_id, viewer_id, session)
    if not can_see(community.details.visibility, standing):
        raise NotFound("No such community.", code=NOT_FOUND)
    return community, standing


async def waitlist_position(ports: CommunityPorts, standing: Membership | None) -> int | None:
    """Where a waiting person stands in line (1-based); None for anyone not waiting."""
    if standing is None or standing.state != "waitlisted" or standing.sequence is None:
        return None
    return 1 + await ports.memberships.waiting_ahead(standing.community_id, standing.sequence, None)


async def waitlist_length(ports: CommunityPorts, community_id: str) -> int:
    """How many wait for a seat (without one offered): everyone ahead of a number never drawn."""
    return await ports.memberships.waiting_ahead(community_id, _BEYOND_EVERY_TICKET, None)


#: Larger than any waitlist number a community draws (they count up from 1; int64 in MongoDB).
_BEYOND_EVERY_TICKET = 2**63 - 1


def role_of(standing: Membership | None) -> Role | None:
    """The viewer's role, if they are a member."""
    return standing.role if standing is not None and standing.is_member else None
