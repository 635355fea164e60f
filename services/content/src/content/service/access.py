"""Resolving the caller's standing from the projection of membership's communities."""

from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from content.domain.access import Viewer
from content.service.directory_ports import Communities


async def viewer_in(
    communities: Communities, community_id: str, user_id: str, session: Session = None
) -> Viewer:
    """The caller as seen from ``community_id``; NotFound if content does not know it."""
    community = await communities.community(community_id, session)
    if community is None or not community.name:
        raise NotFound("No such community.")
    membership = await communities.member(community_id, user_id, session)
    return Viewer(user_id=user_id, community=community, membership=membership)


async def share_a_community(communities: Communities, a: str, b: str) -> bool:
    """Whether both are active members of at least one common community."""
    mine = {m.community_id for m in await communities.memberships_of(a)}
    if not mine:
        return False
    return any(m.community_id in mine for m in await communities.memberships_of(b))
