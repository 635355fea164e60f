"""Resolving the caller's rights on a community or gathering (no BOLA, no BFLA)."""

from dataclasses import dataclass

from events.domain.access import Audience, Community, Viewer, audience, may_manage
from events.domain.errors import Forbidden, NotFound, Unauthenticated
from events.domain.gatherings import Gathering
from events.service.ports import Directory, GatheringRepository


@dataclass(frozen=True)
class Scope:
    """A community as the caller sees it."""

    community: Community
    viewer: Viewer
    audience: Audience


@dataclass(frozen=True)
class GatheringScope(Scope):
    """A gathering as the caller sees it."""

    gathering: Gathering

    @property
    def manager(self) -> bool:
        """Whether the caller may change the gathering."""
        return may_manage(self.gathering, self.viewer)


async def viewer_in(community_id: str, user_id: str | None, directory: Directory) -> Viewer:
    """The caller's role in a community (None when an outsider or anonymous)."""
    role = None if user_id is None else await directory.role(community_id, user_id)
    return Viewer(user_id=user_id, role=role)


def refusal(viewer: Viewer, community: Community) -> Exception:
    """Why an outsider is turned away; of a non-public community they learn nothing, not even
    that it exists (the same 404 as an unknown id)."""
    if community.visibility != "public":
        return NotFound("no such community")
    if viewer.user_id is None:
        return Unauthenticated("sign in as a member of the community to see this")
    return Forbidden("this is for members of the community", code="not-a-member")


async def community_scope(community_id: str, user_id: str | None, *, directory: Directory) -> Scope:
    """The community for reading; raise NotFound, Unauthenticated or Forbidden."""
    community = await directory.community(community_id)
    if community is None:
        raise NotFound("no such community")
    viewer = await viewer_in(community_id, user_id, directory)
    seen = audience(community, None, viewer)
    if seen is None:
        raise refusal(viewer, community)
    return Scope(community=community, viewer=viewer, audience=seen)


async def gathering_scope(
    gathering_id: str,
    user_id: str | None,
    *,
    gatherings: GatheringRepository,
    directory: Directory,
) -> GatheringScope:
    """The gathering for reading; raise NotFound, Unauthenticated or Forbidden."""
    gathering = await gatherings.get(gathering_id)
    if gathering is None:
        raise NotFound("no such event")
    community = await directory.community(gathering.community_id)
    if community is None:
        raise NotFound("no such event")
    viewer = await viewer_in(gathering.community_id, user_id, directory)
    seen = audience(community, gathering, viewer)
    if seen is None:
        raise refusal(viewer, community)
    return GatheringScope(community=community, viewer=viewer, audience=seen, gathering=gathering)


async def managed_gathering(
    gathering_id: str,
    user_id: str,
    *,
    gatherings: GatheringRepository,
    directory: Directory,
) -> GatheringScope:
    """The gathering for changing it; raise unless the caller hosts or moderates it."""
    scope = await gathering_scope(gathering_id, user_id, gatherings=gatherings, directory=directory)
    if not scope.viewer.member:
        raise Forbidden("this is for members of the community", code="not-a-member")
    if not scope.manager:
        raise Forbidden("only the hosts or the moderators can do this", code="not-a-host")
    if scope.community.archived:
        raise Forbidden("the community is archived", code="community-archived")
    return scope
