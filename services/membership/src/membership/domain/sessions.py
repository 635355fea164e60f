"""Refresh sessions: each login starts a family of refresh tokens rotated on every use.

A refresh token is ``<session id>.<secret>``; the session stores only the digest of its one
current secret. Presenting any other secret of the session means a rotated token was replayed
(stolen, or raced), so the whole session is revoked (OAuth 2.0 Security BCP, refresh rotation).
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from membership.domain.account_errors import InvalidRefreshToken
from membership.domain.credentials import digest, new_secret, same_digest

RevocationReason = Literal[
    "logout", "logout_all", "reuse", "password_changed", "password_reset", "account_disabled"
]


def parse_refresh_token(token: str) -> tuple[str, str]:
    """``(session id, secret)``; raise InvalidRefreshToken when malformed."""
    session_id, dot, secret = token.strip().partition(".")
    if not dot or not secret:
        raise InvalidRefreshToken("malformed")
    try:
        uuid.UUID(session_id)
    except ValueError:
        raise InvalidRefreshToken("malformed") from None
    return session_id, secret


@dataclass(frozen=True)
class RefreshSession:
    """One login on one device: the family of its refresh tokens."""

    id: str
    user_id: str
    current_digest: str
    created_at: datetime
    rotated_at: datetime
    expires_at: datetime
    generation: int = 0
    revoked_at: datetime | None = None
    revoked_reason: RevocationReason | None = None

    @classmethod
    def start(cls, *, user_id: str, now: datetime, ttl: timedelta) -> tuple[str, "RefreshSession"]:
        """A new session and its first refresh token."""
        session_id = str(uuid.uuid4())
        secret = new_secret()
        session = cls(
            id=session_id,
            user_id=user_id,
            current_digest=digest(secret),
            created_at=now,
            rotated_at=now,
            expires_at=now + ttl,
        )
        return f"{session_id}.{secret}", session

    @property
    def revoked(self) -> bool:
        """Whether the session ended (logout, reuse, password change)."""
        return self.revoked_at is not None

    def active(self, now: datetime) -> bool:
        """Whether its current token may still be used."""
        return not self.revoked and now < self.expires_at

    def rotate(self, secret: str, *, now: datetime, ttl: timedelta) -> "Rotation":
        """Exchange the current secret for a new one; a stale secret revokes the session."""
        if self.revoked:
            return Rejected(self, "revoked")
        if now >= self.expires_at:
            return Rejected(self, "expired")
        if not same_digest(digest(secret), self.current_digest):
            return Reused(self.revoke(now, "reuse"))
        fresh = new_secret()
        rotated = replace(
            self,
            current_digest=digest(fresh),
            rotated_at=now,
            expires_at=now + ttl,
            generation=self.generation + 1,
        )
        return Rotated(rotated, f"{self.id}.{fresh}")

    def revoke(self, now: datetime, reason: RevocationReason) -> "RefreshSession":
        """The session ended; the first revocation's time and reason are kept."""
        if self.revoked:
            return self
        return replace(self, revoked_at=now, revoked_reason=reason)

    def holds(self, secret: str) -> bool:
        """Whether ``secret`` is the current one (logout proves possession with it)."""
        return same_digest(digest(secret), self.current_digest)


@dataclass(frozen=True)
class Rotated:
    """The session moved on; ``token`` is the only refresh token that now works."""

    session: RefreshSession
    token: str


@dataclass(frozen=True)
class Reused:
    """A rotated token was replayed; ``session`` is now revoked."""

    session: RefreshSession


@dataclass(frozen=True)
class Rejected:
    """The session cannot be refreshed any more."""

    session: RefreshSession
    reason: Literal["revoked", "expired"]


Rotation = Rotated | Reused | Rejected
