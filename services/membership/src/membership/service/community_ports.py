"""What the community use cases need from storage, bundled once by the composition root."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from cerchia_chassis.ports import EventOutbox, Session, Transactions
from membership.domain.admission import Application, ApplicationStatus, Invitation
from membership.domain.audit import AuditEntry
from membership.domain.communities import Community
from membership.domain.introductions import Introduction
from membership.domain.memberships import Membership
from membership.domain.public_profiles import PublicProfile
from membership.service.ports import TokenSealer


class CommunityRepository(Protocol):
    """Communities and their seat counters."""

    async def add(self, community: Community, session: Session) -> None:
        """Store a new community; raise Conflict("slug-taken") on a duplicate slug."""
        ...

    async def get(self, community_id: str, session: Session | None = None) -> Community | None:
        """The community with this id."""
        ...

    async def find(self, id_or_slug: str) -> Community | None:
        """The community with this id or slug."""
        ...

    async def save(self, community: Community, session: Session) -> None:
        """Write the community's settings, owner, code of conduct, capacity and free seats."""
        ...

    async def take_seat(self, community_id: str, session: Session, *, member: bool) -> bool:
        """Take one free seat if any is left (for a member, or held for an offer)."""
        ...

    async def adjust(
        self, community_id: str, session: Session, *, members: int = 0, free: int = 0
    ) -> None:
        """Add to the member count and the free seats."""
        ...

    async def next_sequence(self, community_id: str, session: Session) -> int:
        """The next waitlist sequence number of the community."""
        ...

    async def listed(
        self, *, after: str | None, limit: int, tag: str | None, language: str | None
    ) -> list[Community]:
        """Public, active communities by slug."""
        ...

    async def matching(
        self, terms: Sequence[str], *, tag: str | None, language: str | None, limit: int
    ) -> list[tuple[Community, dict[str, int]]]:
        """Listed communities found by any of ``terms`` (at most ``limit``), each with its
        weighted search terms."""
        ...

    async def count_listed(self) -> int:
        """How many communities are listed (public and active)."""
        ...

    async def by_ids(self, ids: Sequence[str]) -> list[Community]:
        """The communities with these ids."""
        ...


class MembershipRepository(Protocol):
    """Each person's standing in each community."""

    async def get(
        self, community_id: str, user_id: str, session: Session | None = None
    ) -> Membership | None: ...

    async def put(self, membership: Membership, session: Session) -> None: ...

    async def head(self, community_id: str, session: Session) -> Membership | None:
        """The waiting person with the lowest sequence (without an offer yet)."""
        ...

    async def waiting_ahead(self, community_id: str, sequence: int, session: Session | None) -> int:
        """How many are waiting (without an offer) with a lower sequence."""
        ...

    async def members(self, community_id: str, session: Session | None = None) -> list[Membership]:
        """Every current member."""
        ...

    async def waitlist(self, community_id: str) -> list[Membership]:
        """Everyone waiting or holding an offer, in order."""
        ...

    async def of_user(self, user_id: str, session: Session | None = None) -> list[Membership]:
        """Every standing of a person, in any state."""
        ...

    async def expired_offers(self, now: datetime, limit: int) -> list[Membership]:
        """Open offers past their expiry, oldest first."""
        ...

    async def delete_of_user(self, user_id: str, session: Session) -> None: ...

    async def shares_community(self, a: str, b: str) -> bool:
        """Whether two people are both members of at least one community."""
        ...


class ApplicationRepository(Protocol):
    """Applications and the moderators' queue."""

    async def add(self, application: Application, session: Session) -> None: ...

    async def get(self, application_id: str, session: Session | None = None) -> Application | None:
        """The application with this id."""
        ...

    async def save(self, application: Application, session: Session) -> None: ...

    async def queue(
        self, community_id: str, *, status: ApplicationStatus, after: str | None, limit: int
    ) -> list[Application]:
        """Applications with a status, oldest first (``after`` is the last id seen)."""
        ...

    async def pending(self, community_id: str, session: Session) -> list[Application]:
        """Every pending application of the community, oldest first."""
        ...

    async def of_user(self, user_id: str) -> list[Application]: ...

    async def delete_of_user(self, user_id: str, session: Session) -> None: ...


class InvitationRepository(Protocol):
    """Invitations, found by their token's hash."""

    async def add(self, invitation: Invitation, session: Session) -> None: ...

    async def get(self, invitation_id: str, session: Session | None = None) -> Invitation | None:
        """The invitation with this id."""
        ...

    async def by_token_hash(self, token_hash: str, session: Session) -> Invitation | None: ...

    async def save(self, invitation: Invitation, session: Session) -> None: ...

    async def of_community(
        self, community_id: str, *, after: str | None, limit: int
    ) -> list[Invitation]: ...


class AuditLog(Protocol):
    """Moderation and admission decisions."""

    async def add(self, entry: AuditEntry, session: Session) -> None: ...

    async def page(self, community_id: str, *, after: str | None, limit: int) -> list[AuditEntry]:
        """Newest first (``after`` is the last id seen)."""
        ...

    async def forget(self, user_id: str, session: Session) -> None:
        """Replace a person's id in the trail (erasure keeps the decision, not the person)."""
        ...


class ProfileDirectory(Protocol):
    """Members' profiles, read from the accounts of this service."""

    async def many(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        """The profiles of those of these people who have an account."""
        ...

    async def email(self, user_id: str) -> str | None:
        """A person's contact address, for introductions they accepted."""
        ...

    async def verified_email(self, user_id: str) -> str | None:
        """The person's address if they proved they own it; None if not (or no account)."""
        ...


class IntroductionRepository(Protocol):
    """Introductions between members."""

    async def add(self, introduction: Introduction, session: Session) -> None:
        """Store it; raise Conflict("already-introduced") when the pair already has one."""
        ...

    async def get(
        self, introduction_id: str, session: Session | None = None
    ) -> Introduction | None: ...

    async def save(self, introduction: Introduction, session: Session) -> None: ...

    async def of_user(self, user_id: str) -> list[Introduction]: ...

    async def delete_of_user(self, user_id: str, session: Session) -> None: ...


@dataclass(frozen=True)
class AdmissionPolicy:
    """Tunable timings of admission."""

    seat_offer_ttl: timedelta
    invitation_ttl: timedelta


@dataclass(frozen=True)
class CommunityPorts:
    """Every port the community use cases share, so each one takes a single argument."""

    transactions: Transactions
    outbox: EventOutbox
    communities: CommunityRepository
    memberships: MembershipRepository
    applications: ApplicationRepository
    invitations: InvitationRepository
    audit: AuditLog
    profiles: ProfileDirectory
    introductions: IntroductionRepository
    policy: AdmissionPolicy
    sealer: TokenSealer
