"""Resolving the caller's standing in a community from the projection."""

from content.domain.access import Viewer
from content.domain.errors import NotFound
from content.service.directory_ports import Directory
from content.service.unit_of_work import Session


async def viewer_in(
    directory: Directory, community_id: str, user_id: str, session: Session = None
) -> Viewer:
    """The caller as seen from ``community_id``; NotFound if content does not know it."""
    community = await directory.community(community_id, session)
    if community is None or not community.name:
        raise NotFound("No such community.")
    membership = await directory.membership(community_id, user_id, session)
    return Viewer(user_id=user_id, community=community, membership=membership)
