"""One person's standing in one community, as a small state machine."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Forbidden
from membership.domain.roles import Role
from membership.domain.waitlist import SeatOffer

State = Literal["applicant", "waitlisted", "offered", "member", "former", "banned"]
Route = Literal["open", "application", "invitation", "waitlist", "founder"]


@dataclass(frozen=True)
class Membership:
    """Where a person stands in a community; ``former`` covers left, removed and declined."""

    community_id: str
    user_id: str
    state: State
    since: datetime
    role: Role | None = None
    joined_at: datetime | None = None
    code_version: int | None = None
    code_accepted_at: datetime | None = None
    sequence: int | None = None
    offer: SeatOffer | None = None
    application_id: str | None = None
    reason: str | None = None

    @property
    def is_member(self) -> bool:
        """Currently a member (of any role)."""
        return self.state == "member"

    @property
    def waiting(self) -> bool:
        """On the waitlist, with or without an open offer."""
        return self.state in ("waitlisted", "offered")

    def offer_id_or_none(self) -> str | None:
        """The id of the open seat offer, if any."""
        return self.offer.id if self.offer is not None else None

    def needs_code_acceptance(self, current_version: int) -> bool:
        """A member must re-accept each new version of the code of conduct."""
        return self.is_member and (self.code_version or 0) < current_version

    def joined(self, *, role: Role, code_version: int, now: datetime) -> "Membership":
        """Become a member having accepted ``code_version``."""
        return replace(
            self,
            state="member",
            since=now,
            role=role,
            joined_at=now,
            code_version=code_version,
            code_accepted_at=now,
            sequence=None,
            offer=None,
            reason=None,
        )

    def waitlisted(self, sequence: int, *, code_version: int, now: datetime) -> "Membership":
        """Wait for a seat, behind everyone with a lower sequence."""
        return replace(
            self,
            state="waitlisted",
            since=now,
            sequence=sequence,
            code_version=code_version,
            code_accepted_at=now,
            offer=None,
        )

    def offered(self, offer: SeatOffer) -> "Membership":
        """The head of the waitlist is offered a seat."""
        if self.state != "waitlisted":
            raise Conflict("Only someone waiting can be offered a seat.", code="not-waitlisted")
        return replace(self, state="offered", since=offer.offered_at, offer=offer)

    def accept_offer(self, *, code_version: int, now: datetime) -> "Membership":
        """Take the offered seat before it lapses."""
        if self.state != "offered" or self.offer is None:
            raise Conflict("There is no seat offer for you.", code="no-seat-offer")
        if self.offer.expired(now):
            raise Conflict("The seat offer has expired.", code="seat-offer-expired")
        return self.joined(role="member", code_version=code_version, now=now)

    def closed_offer(self, now: datetime) -> "Membership":
        """Declined or expired: out of the waitlist; the seat goes to the next in line."""
        if self.state != "offered":
            raise Conflict("There is no seat offer for you.", code="no-seat-offer")
        return self.former(now)

    def former(self, now: datetime, reason: str | None = None) -> "Membership":
        """No longer a member, applicant or waiting; may come back."""
        return replace(
            self, state="former", since=now, role=None, sequence=None, offer=None, reason=reason
        )

    def left(self, now: datetime) -> "Membership":
        """Leave the community or the waitlist of one's own accord."""
        if self.role == "owner":
            raise Conflict(
                "Transfer ownership before leaving, or archive.", code="owner-cannot-leave"
            )
        if not (self.is_member or self.waiting):
            raise Conflict("You are neither a member nor on the waitlist.", code="not-a-member")
        return self.former(now)

    def applied(self, application_id: str, now: datetime) -> "Membership":
        """An application awaits review."""
        return replace(self, state="applicant", since=now, application_id=application_id)

    def banned(self, reason: str, now: datetime) -> "Membership":
        """Out, and barred from applying, being invited or rejoining."""
        return replace(self.former(now, reason), state="banned")

    def unbanned(self, now: datetime) -> "Membership":
        """The ban is lifted: no longer a member, but free to apply, be invited or join again."""
        if self.state != "banned":
            raise Conflict("This person is not banned.", code="not-banned")
        return self.former(now)

    def withdrew(self, now: datetime) -> "Membership":
        """The applicant took their application back."""
        if self.state != "applicant":
            raise Conflict("You have no application under review.", code="no-application")
        return self.former(now)

    def accept_code(self, version: int, now: datetime) -> "Membership":
        """Record the member's acceptance of a code of conduct version."""
        if not self.is_member:
            raise Forbidden("Only members accept the code of conduct.", code="member-required")
        return replace(self, code_version=version, code_accepted_at=now)

    def with_role(self, role: Role) -> "Membership":
        """A member's new role."""
        return replace(self, role=role)


def newcomer(community_id: str, user_id: str, now: datetime) -> Membership:
    """Someone with no history in the community."""
    return Membership(community_id=community_id, user_id=user_id, state="former", since=now)


def line_order(line: list[Membership]) -> list[Membership]:
    """The waitlist as it moves: people holding a seat offer first, then those waiting, each
    group in its own order."""
    offered = [m for m in line if m.state == "offered"]
    return [*offered, *(m for m in line if m.state == "waitlisted")]


def ensure_admissible(current: Membership | None, *, route: Route) -> None:
    """Nobody is admitted twice, jumps the queue, or gets back in while banned."""
    if current is None:
        return
    if current.state == "banned":
        raise Forbidden("You are banned from this community.", code="banned")
    if current.is_member:
        raise Conflict("You are already a member.", code="already-member")
    if current.waiting:
        raise Conflict("You are already on the waitlist.", code="already-waitlisted")
    if current.state == "applicant" and route != "application":
        raise Conflict("Your application is still being reviewed.", code="application-pending")


def can_see(visibility: str, standing: Membership | None) -> bool:
    """Public and unlisted communities are readable by anyone authenticated; a private one only
    by its members and by the people it admitted or is reviewing (to follow their place)."""
    if visibility != "private":
        return True
    return standing is not None and standing.state in (
        "member",
        "waitlisted",
        "offered",
        "applicant",
    )
