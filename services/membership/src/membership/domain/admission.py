"""Applications with screening answers, and single-use, expiring, revocable invitations."""

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Forbidden, Invalid, NotFound
from membership.domain.communities import ScreeningQuestion

#: ``closed``: ended without a decision on its merits (applicant banned, community archived).
ApplicationStatus = Literal["pending", "approved", "rejected", "withdrawn", "closed"]
#: ``accepted``: used (a link: by as many people as it admits).
InvitationStatus = Literal["pending", "accepted", "revoked"]
InvitationKind = Literal["email", "link"]
MAX_INVITATION_TTL = timedelta(days=30)
MAX_LINK_USES = 500


@dataclass(frozen=True)
class Answer:
    """An applicant's answer to one screening question."""

    question_id: str
    prompt: str
    text: str


def check_answers(
    questions: tuple[ScreeningQuestion, ...], answers: Mapping[str, str]
) -> tuple[Answer, ...]:
    """Every required question answered, no answer to a question that was not asked."""
    asked = {q.id for q in questions}
    unknown = sorted(set(answers) - asked)
    if unknown:
        raise Invalid(f"No such screening question: {', '.join(unknown)}.", code="unknown-question")
    missing = [q.id for q in questions if q.required and not answers.get(q.id, "").strip()]
    if missing:
        raise Invalid(f"Please answer: {', '.join(missing)}.", code="answer-required")
    return tuple(
        Answer(question_id=q.id, prompt=q.prompt, text=answers[q.id].strip())
        for q in questions
        if answers.get(q.id, "").strip()
    )


@dataclass(frozen=True)
class Application:
    """A request to join, reviewed by the moderators."""

    id: str
    community_id: str
    applicant_id: str
    answers: tuple[Answer, ...]
    code_version: int
    status: ApplicationStatus
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None

    @classmethod
    def submit(
        cls,
        *,
        community_id: str,
        applicant_id: str,
        answers: tuple[Answer, ...],
        code_version: int,
        now: datetime,
    ) -> "Application":
        """A new pending application."""
        return cls(
            id=str(uuid.uuid4()),
            community_id=community_id,
            applicant_id=applicant_id,
            answers=answers,
            code_version=code_version,
            status="pending",
            submitted_at=now,
        )

    def decided(
        self, status: ApplicationStatus, *, by: str | None, reason: str, now: datetime
    ) -> "Application":
        """Approve, reject or close a pending application, with the reason recorded."""
        if self.status != "pending":
            raise Conflict(f"The application is already {self.status}.", code="application-decided")
        if status != "closed" and not reason.strip():
            raise Invalid("A decision needs a reason.", code="reason-required")
        return replace(self, status=status, decided_at=now, decided_by=by, reason=reason.strip())

    def withdrawn(self, now: datetime) -> "Application":
        """The applicant takes a pending application back before it is decided."""
        if self.status != "pending":
            raise Conflict(f"The application is already {self.status}.", code="application-decided")
        return replace(self, status="withdrawn", decided_at=now, decided_by=self.applicant_id)


class InvitationForSomeoneElse(Forbidden):
    """The invitation was sent to an address other than the caller's verified one."""

    code = "invitation-for-another-address"

    def __init__(self) -> None:
        super().__init__(
            "This invitation was sent to another email address: only its owner can accept it, "
            "signed in with that verified address."
        )


def hash_token(token: str) -> str:
    """Invitation tokens are stored hashed: a database leak reveals no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    """An invitation into a community, until it expires or is revoked.

    ``email``: sent to one address, usable once, and only by the person who verified that
    address. ``link``: "anyone with the link", made by an owner or moderator to share
    themselves, usable by up to ``max_uses`` people.
    """

    id: str
    community_id: str
    email: str | None
    invited_by: str
    token_hash: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    used_by: str | None = None
    closed_at: datetime | None = None
    kind: InvitationKind = "email"
    max_uses: int = 1
    uses: int = 0

    @classmethod
    def issue(
        cls, *, community_id: str, email: str, invited_by: str, ttl: timedelta, now: datetime
    ) -> tuple["Invitation", str]:
        """A new invitation to ``email`` and its secret token (only the hash is kept)."""
        return cls._new(
            community_id=community_id,
            email=email.strip().lower(),
            invited_by=invited_by,
            ttl=ttl,
            now=now,
            kind="email",
            max_uses=1,
        )

    @classmethod
    def link(
        cls, *, community_id: str, invited_by: str, max_uses: int, ttl: timedelta, now: datetime
    ) -> tuple["Invitation", str]:
        """A new "anyone with the link" invitation for ``max_uses`` people, and its token."""
        if not 1 <= max_uses <= MAX_LINK_USES:
            raise Invalid(
                f"A link admits between 1 and {MAX_LINK_USES} people.", code="invalid-max-uses"
            )
        return cls._new(
            community_id=community_id,
            email=None,
            invited_by=invited_by,
            ttl=ttl,
            now=now,
            kind="link",
            max_uses=max_uses,
        )

    @classmethod
    def _new(
        cls,
        *,
        community_id: str,
        email: str | None,
        invited_by: str,
        ttl: timedelta,
        now: datetime,
        kind: InvitationKind,
        max_uses: int,
    ) -> tuple["Invitation", str]:
        if not timedelta(0) < ttl <= MAX_INVITATION_TTL:
            raise Invalid("An invitation lasts between 1 hour and 30 days.", code="invalid-expiry")
        token = secrets.token_urlsafe(32)
        invitation = cls(
            id=str(uuid.uuid4()),
            community_id=community_id,
            email=email,
            invited_by=invited_by,
            token_hash=hash_token(token),
            status="pending",
            created_at=now,
            expires_at=now + ttl,
            kind=kind,
            max_uses=max_uses,
        )
        return invitation, token

    def used(self, user_id: str, address: str, now: datetime) -> "Invitation":
        """Accept as ``user_id``, whose verified address is ``address``.

        Raise NotFound when it is used up, revoked or expired, and InvitationForSomeoneElse
        when it was sent to another address (it stays usable by the person invited).
        """
        if self.status != "pending" or now >= self.expires_at:
            # One answer for used, revoked and expired: a token holder learns nothing more.
            raise NotFound("The invitation is invalid, used or expired.", code="invitation-invalid")
        if self.kind == "email" and self.email != address.strip().lower():
            raise InvitationForSomeoneElse
        uses = self.uses + 1
        if uses < self.max_uses:
            return replace(self, uses=uses, used_by=user_id)
        return replace(self, status="accepted", uses=uses, used_by=user_id, closed_at=now)

    def revoked(self, now: datetime) -> "Invitation":
        """Withdraw an unused invitation."""
        if self.status != "pending":
            raise Conflict(f"The invitation is already {self.status}.", code="invitation-closed")
        return replace(self, status="revoked", closed_at=now)
