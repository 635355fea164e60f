"""Who may read and who may write in a community, from the projection of membership's events."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from content.domain.errors import Forbidden, NotFound


class Standing(StrEnum):
    """A person's standing in a community, as membership last told us."""

    ACTIVE = "active"
    LEFT = "left"
    REMOVED = "removed"
    BANNED = "banned"


MODERATING_ROLES = frozenset({"owner", "moderator"})


@dataclass(frozen=True)
class Community:
    """What content knows of a community."""

    id: str
    name: str
    visibility: str  # public | unlisted | private
    language: str
    archived: bool
    code_of_conduct_version: int


@dataclass(frozen=True)
class Membership:
    """One person's place in one community."""

    community_id: str
    user_id: str
    role: str
    standing: Standing
    accepted_code_of_conduct_version: int
    as_of: datetime

    @property
    def active(self) -> bool:
        """Whether they are a member right now."""
        return self.standing is Standing.ACTIVE

    @property
    def moderates(self) -> bool:
        """Whether they are an active owner or moderator."""
        return self.active and self.role in MODERATING_ROLES


@dataclass(frozen=True)
class Viewer:
    """The caller as seen from one community: what they may do there."""

    user_id: str
    community: Community
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        """An active member."""
        return self.membership is not None and self.membership.active

    @property
    def is_moderator(self) -> bool:
        """An active owner or moderator."""
        return self.membership is not None and self.membership.moderates

    def can_read(self) -> bool:
        """Members read everything; anyone signed in reads a public community, unless banned."""
        if self.is_member:
            return True
        banned = self.membership is not None and self.membership.standing is Standing.BANNED
        return self.community.visibility == "public" and not banned

    def require_post(self) -> None:
        """Raise Forbidden, naming the reason, unless the caller may post right now.

        Outsiders of a non-public community get NotFound first: a write must not confirm that
        a community exists when a read would not.
        """
        membership = self.membership
        if membership is None or membership.standing is Standing.LEFT:
            self.require_read()
        if self.community.archived:
            raise Forbidden("The community is archived: it is read-only.", code="archived")
        if membership is None or membership.standing is Standing.LEFT:
            raise Forbidden("Only members of the community can post.", code="not-a-member")
        if membership.standing is Standing.BANNED:
            raise Forbidden("You are banned from this community.", code="banned")
        if membership.standing is Standing.REMOVED:
            raise Forbidden("You were removed from this community.", code="removed")
        current = self.community.code_of_conduct_version
        if membership.accepted_code_of_conduct_version < current:
            raise Forbidden(
                f"Accept the code of conduct (version {current}) before posting.",
                code="code-of-conduct-not-accepted",
            )

    def require_read(self) -> None:
        """Raise NotFound for outsiders of a non-public community (no enumeration of its
        content); a banned person learns why instead."""
        if self.can_read():
            return
        membership = self.membership
        if membership is not None and membership.standing is Standing.BANNED:
            raise Forbidden("You are banned from this community.", code="banned")
        raise NotFound("No such community content, or you cannot see it.")

    def require_moderator(self) -> None:
        """Raise Forbidden unless the caller is an active owner or moderator."""
        self.require_post()
        if not self.is_moderator:
            raise Forbidden("Only the community's moderators can do this.", code="not-a-moderator")
