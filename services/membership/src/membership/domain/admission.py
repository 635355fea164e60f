"""Applications with screening answers, and single-use, expiring, revocable invitations."""

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Invalid, NotFound
from membership.domain.communities import ScreeningQuestion

#: ``closed``: ended without a decision on its merits (applicant banned, community archived).
ApplicationStatus = Literal["pending", "approved", "rejected", "withdrawn", "closed"]
InvitationStatus = Literal["pending", "accepted", "revoked"]
MAX_INVITATION_TTL = timedelta(days=30)


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


def hash_token(token: str) -> str:
    """Invitation tokens are stored hashed: a database leak reveals no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    """A moderator's invitation: usable once, until it expires or is revoked."""

    id: str
    community_id: str
    email: str
    invited_by: str
    token_hash: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    used_by: str | None = None
    closed_at: datetime | None = None

    @classmethod
    def issue(
        cls, *, community_id: str, email: str, invited_by: str, ttl: timedelta, now: datetime
    ) -> tuple["Invitation", str]:
        """A new invitation and its secret token (only the hash is kept)."""
        if not timedelta(0) < ttl <= MAX_INVITATION_TTL:
            raise Invalid("An invitation lasts between 1 hour and 30 days.", code="invalid-expiry")
        token = secrets.token_urlsafe(32)
        invitation = cls(
            id=str(uuid.uuid4()),
            community_id=community_id,
            email=email.strip().lower(),
            invited_by=invited_by,
            token_hash=hash_token(token),
            status="pending",
            created_at=now,
            expires_at=now + ttl,
        )
        return invitation, token

    def used(self, user_id: str, now: datetime) -> "Invitation":
        """Accept: the token works once, before expiry, unless revoked."""
        if self.status != "pending" or now >= self.expires_at:
            # One answer for used, revoked and expired: a token holder learns nothing more.
            raise NotFound("The invitation is invalid, used or expired.", code="invitation-invalid")
        return replace(self, status="accepted", used_by=user_id, closed_at=now)

    def revoked(self, now: datetime) -> "Invitation":
        """Withdraw an unused invitation."""
        if self.status != "pending":
            raise Conflict(f"The invitation is already {self.status}.", code="invitation-closed")
        return replace(self, status="revoked", closed_at=now)
