"""Resolving the caller's rights on a community or gathering (no BOLA, no BFLA)."""

from dataclasses import dataclass

from cerchia_chassis.domain.community import CommunityState
from events.domain.access import Audience, Viewer, audience, may_manage
from events.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from events.domain.gatherings import Gathering
from events.service.ports import Ports


@dataclass(frozen=True)
class Scope:
    """A community as the caller sees it."""

    community: CommunityState
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


async def viewer_in(community_id: str, user_id: str | None, *, ports: Ports) -> Viewer:
    """The caller's role in a community (None when an outsider, a former member or anonymous)."""
    place = None if user_id is None else await ports.directory.member(community_id, user_id)
    return Viewer.of(user_id, place)


def refusal(viewer: Viewer, community: CommunityState) -> DomainError:
    """Why an outsider is turned away; of a non-public community they learn nothing, not even
    that it exists (the same 404 as an unknown id)."""
    if community.visibility != "public":
        return NotFound("no such community")
    if viewer.user_id is None:
        return Unauthenticated("sign in as a member of the community to see this")
    return Forbidden("this is for members of the community", code="not-a-member")


async def community_scope(community_id: str, user_id: str | None, *, ports: Ports) -> Scope:
    """The community for reading; raise NotFound, Unauthenticated or Forbidden."""
    community = await ports.directory.community(community_id)
    if community is None:
        raise NotFound("no such community")
    viewer = await viewer_in(community_id, user_id, ports=ports)
    seen = audience(community, None, viewer)
    if seen is None:
        raise refusal(viewer, community)
    return Scope(community=community, viewer=viewer, audience=seen)


async def gathering_scope(
    gathering_id: str, user_id: str | None, *, ports: Ports
) -> GatheringScope:
    """The gathering for reading; raise NotFound, Unauthenticated or Forbidden."""
    gathering = await ports.gatherings.get(gathering_id)
    if gathering is None:
        raise NotFound("no such event")
    community = await ports.directory.community(gathering.community_id)
    if community is None:
        raise NotFound("no such event")
    viewer = await viewer_in(gathering.community_id, user_id, ports=ports)
    seen = audience(community, gathering, viewer)
    if seen is None:
        raise refusal(viewer, community)
    return GatheringScope(community=community, viewer=viewer, audience=seen, gathering=gathering)


async def managed_gathering(gathering_id: str, user_id: str, *, ports: Ports) -> GatheringScope:
    """The gathering for changing it; raise unless the caller hosts or moderates it."""
    scope = await gathering_scope(gathering_id, user_id, ports=ports)
    if not scope.viewer.member:
        raise Forbidden("this is for members of the community", code="not-a-member")
    if not scope.manager:
        raise Forbidden("only the hosts or the moderators can do this", code="not-a-host")
    if scope.community.archived:
        raise Forbidden("the community is archived", code="community-archived")
    return scope


async def ensure_member(community_id: str, user_id: str, *, action: str, ports: Ports) -> None:
    """Raise unless the caller is an active member of a live community (to write in it).

    Outsiders of a community that is not public learn nothing of it (404)."""
    community = await ports.directory.community(community_id)
    if community is None:
        raise NotFound("no such community")
    if not (await viewer_in(community_id, user_id, ports=ports)).member:
        if community.visibility != "public":
            raise NotFound("no such community")
        raise Forbidden(f"only members can {action}", code="not-a-member")
    if community.archived:
        raise Forbidden("the community is archived", code="community-archived")
