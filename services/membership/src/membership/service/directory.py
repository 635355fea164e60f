"""Who is in a community, and where I stand in mine."""

from dataclasses import dataclass

from cerchia_chassis.domain.cursors import Page
from cerchia_chassis.domain.errors import NotFound
from membership.domain.communities import Community
from membership.domain.directory import DirectoryQuery, Listing, page
from membership.domain.memberships import Membership
from membership.domain.public_profiles import PublicProfile
from membership.service.community_ports import CommunityPorts
from membership.service.seats import NOT_FOUND, community_in_view, waitlist_position


async def directory(
    community_id: str, query: DirectoryQuery, *, viewer_id: str, ports: CommunityPorts
) -> Page[Listing]:
    """A page of members with their profiles; a private community's only for its members."""
    community, standing = await community_in_view(ports, community_id, viewer_id)
    if community.details.visibility == "private" and not (standing and standing.is_member):
        raise NotFound("No such community.", code=NOT_FOUND)
    members = await ports.memberships.members(community.id)
    profiles = await ports.profiles.many([m.user_id for m in members])
    listings = [
        Listing(
            profile=profiles.get(m.user_id) or PublicProfile.unknown(m.user_id),
            role=m.role or "member",
            joined_at=m.joined_at or m.since,
        )
        for m in members
    ]
    return page(listings, query)


@dataclass(frozen=True)
class MyCommunity:
    """One of my communities: my role, or my place in line and any seat offer."""

    community: Community
    standing: Membership
    position: int | None


async def my_communities(*, user_id: str, ports: CommunityPorts) -> list[MyCommunity]:
    """Communities I belong to, wait for, or applied to."""
    standings = [
        s
        for s in await ports.memberships.of_user(user_id)
        if s.state in ("member", "waitlisted", "offered", "applicant")
    ]
    communities = {
        c.id: c for c in await ports.communities.by_ids([s.community_id for s in standings])
    }
    mine: list[MyCommunity] = []
    for standing in standings:
        community = communities.get(standing.community_id)
        if community is None:
            continue
        mine.append(MyCommunity(community, standing, await waitlist_position(ports, standing)))
    mine.sort(key=lambda m: m.community.details.name.casefold())
    return mine
