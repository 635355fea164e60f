"""Who may read and who may write in a community, from the projection of membership's events."""

from dataclasses import dataclass

from cerchia_chassis.domain.community import CommunityState, MemberState, Standing
from cerchia_chassis.domain.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Viewer:
    """The caller as seen from one community: what they may do there."""

    user_id: str
    community: CommunityState
    membership: MemberState | None

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
