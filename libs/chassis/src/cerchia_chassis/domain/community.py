"""Folding membership's events into a service's view of communities and members, by time.

Events of one community arrive in order, but a redelivery, a dead letter replayed later or a
late event from another topic must not undo a newer fact. So every fact carries the time it
happened: a member's standing and role change only if the fact is newer than what is held; code
of conduct versions only grow (an acceptance is remembered even before the person joins); an
archived community stays archived; a community's description changes only with a newer one.
A community first heard of through a non-descriptive fact is private until described.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m

#: The time before anything happened.
NEVER = datetime.min.replace(tzinfo=UTC)


class Standing(StrEnum):
    """A person's standing in a community, as membership last told."""

    ACTIVE = "active"
    LEFT = "left"
    REMOVED = "removed"
    BANNED = "banned"


MODERATING_ROLES = frozenset({"owner", "moderator"})


@dataclass(frozen=True)
class CommunityState:
    """What a consuming service knows of a community."""

    id: str
    name: str = ""
    visibility: str = "private"  # public | unlisted | private
    language: str = "it"
    archived: bool = False
    code_of_conduct_version: int = 0
    owner_id: str | None = None
    #: When the descriptive fields were current (None: never described).
    described_at: datetime | None = None


@dataclass(frozen=True)
class MemberState:
    """One person's place in one community."""

    community_id: str
    user_id: str
    role: str = "member"
    standing: Standing = Standing.LEFT
    accepted_code_of_conduct_version: int = 0
    #: When the standing and role were current.
    as_of: datetime = NEVER

    @property
    def active(self) -> bool:
        """A member right now."""
        return self.standing is Standing.ACTIVE

    @property
    def moderates(self) -> bool:
        """An active owner or moderator."""
        return self.active and self.role in MODERATING_ROLES


@dataclass(frozen=True)
class CommunityChange:
    """Something that happened to a community at ``at``."""

    community_id: str
    at: datetime
    name: str | None = None
    visibility: str | None = None
    language: str | None = None
    owner_id: str | None = None
    code_of_conduct_version: int | None = None
    archived: bool = False

    def applied_to(self, current: CommunityState | None) -> CommunityState:
        """The community after this fact."""
        base = current or CommunityState(self.community_id)
        described = self.name is not None and (
            base.described_at is None or self.at >= base.described_at
        )
        return replace(
            base,
            name=self.name if described and self.name is not None else base.name,
            visibility=self.visibility if described and self.visibility else base.visibility,
            language=self.language if described and self.language else base.language,
            owner_id=self.owner_id if described and self.owner_id else base.owner_id,
            archived=base.archived or self.archived,
            code_of_conduct_version=max(
                base.code_of_conduct_version, self.code_of_conduct_version or 0
            ),
            described_at=self.at if described else base.described_at,
        )


@dataclass(frozen=True)
class MemberChange:
    """Something that happened to a person's place in a community at ``at``."""

    community_id: str
    user_id: str
    at: datetime
    standing: Standing | None = None
    role: str | None = None
    accepted_version: int | None = None

    def applied_to(self, current: MemberState | None) -> MemberState:
        """The membership after this fact."""
        base = current or MemberState(self.community_id, self.user_id)
        accepted = max(base.accepted_code_of_conduct_version, self.accepted_version or 0)
        newer = (self.standing is not None or self.role is not None) and (
            current is None or self.at >= base.as_of
        )
        if not newer:
            return replace(base, accepted_code_of_conduct_version=accepted)
        return replace(
            base,
            role=self.role or base.role,
            standing=self.standing or (base.standing if current else Standing.ACTIVE),
            accepted_code_of_conduct_version=accepted,
            as_of=self.at,
        )

    @property
    def departs(self) -> bool:
        """The person stops being a member (left, removed, banned)."""
        return self.standing in (Standing.LEFT, Standing.REMOVED, Standing.BANNED)


Change = CommunityChange | MemberChange

_STANDINGS: dict[type[Any], Standing] = {
    m.MemberLeft: Standing.LEFT,
    m.MemberRemoved: Standing.REMOVED,
    m.MemberBanned: Standing.BANNED,
    # A lifted ban makes no one a member: they stand as someone who left.
    m.MemberUnbanned: Standing.LEFT,
}


def changes_of(event: AnyEvent) -> list[Change]:  # noqa: PLR0911 - one flat dispatch
    """The changes one ``membership.communities.v1`` event states (none for the others)."""
    data, at = event.data, event.time
    if isinstance(data, m.CommunitySnapshot):
        return [
            CommunityChange(
                data.community_id,
                at,
                name=data.name,
                visibility=data.visibility,
                language=data.language,
                owner_id=data.owner_id,
                code_of_conduct_version=data.code_of_conduct_version,
            )
        ]
    if isinstance(data, m.CodeOfConductPublished):
        return [CommunityChange(data.community_id, at, code_of_conduct_version=data.version)]
    if isinstance(data, m.CommunityArchived):
        return [CommunityChange(data.community_id, at, archived=True)]
    if isinstance(data, m.MemberJoined):
        return [
            MemberChange(
                data.community_id,
                data.user_id,
                at,
                standing=Standing.ACTIVE,
                role=data.role,
                accepted_version=data.code_of_conduct_version,
            )
        ]
    if isinstance(data, m.CodeOfConductAccepted):
        return [MemberChange(data.community_id, data.user_id, at, accepted_version=data.version)]
    if isinstance(data, m.MemberRoleChanged):
        return [MemberChange(data.community_id, data.user_id, at, role=data.role)]
    for kind, standing in _STANDINGS.items():
        if isinstance(data, kind):
            return [MemberChange(data.community_id, data.user_id, at, standing=standing)]
    return []
