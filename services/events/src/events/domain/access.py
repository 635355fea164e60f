"""Who may see and do what, from the projection of communities and memberships."""

from dataclasses import dataclass
from typing import Literal

from cerchia_chassis.domain.community import MODERATING_ROLES, CommunityState, MemberState
from events.domain.gatherings import Gathering

Audience = Literal["member", "public"]


@dataclass(frozen=True)
class Viewer:
    """The caller as seen in one community: anonymous, outsider, or member with a role."""

    user_id: str | None
    role: str | None

    @classmethod
    def of(cls, user_id: str | None, place: MemberState | None) -> "Viewer":
        """The caller with the role of their place, if they are an active member."""
        active = place is not None and place.active
        return cls(user_id=user_id, role=place.role if active and place else None)

    @property
    def member(self) -> bool:
        """Whether the caller belongs to the community."""
        return self.role is not None


def audience(
    community: CommunityState, gathering: Gathering | None, viewer: Viewer
) -> Audience | None:
    """How much the viewer may see: all of it (member), the public part, or nothing (None).

    Anyone may read a public gathering of a public community (without its private details);
    everything else is for members.
    """
    if viewer.member:
        return "member"
    public_gathering = gathering is None or gathering.details.visibility == "public"
    if community.visibility == "public" and public_gathering:
        return "public"
    return None


def may_manage(gathering: Gathering, viewer: Viewer) -> bool:
    """Hosts, the creator, and the community's moderators and owner manage a gathering."""
    if viewer.user_id is None or not viewer.member:
        return False
    return (
        gathering.is_host(viewer.user_id)
        or gathering.created_by == viewer.user_id
        or viewer.role in MODERATING_ROLES
    )


def sees_online_link(gathering: Gathering, viewer: Viewer, *, going: bool) -> bool:
    """The link is for confirmed attendees and for whoever manages the gathering."""
    return viewer.member and (going or may_manage(gathering, viewer))
