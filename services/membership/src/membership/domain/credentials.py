"""Single-use secrets (email verification, password reset): only their SHA-256 is ever stored."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

TokenPurpose = Literal["verify_email", "reset_password"]


def new_secret() -> str:
    """256 random bits, URL-safe: unguessable, so a fast hash suffices to store it."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a secret; a leaked database yields no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class OneTimeToken:
    """A stored single-use token; the secret itself went to the user's mailbox only."""

    digest: str
    purpose: TokenPurpose
    user_id: str
    email: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def issue(
        cls, *, purpose: TokenPurpose, user_id: str, email: str, now: datetime, ttl: timedelta
    ) -> tuple[str, "OneTimeToken"]:
        """A fresh secret (to send) and its record (to store)."""
        secret = new_secret()
        record = cls(
            digest=digest(secret),
            purpose=purpose,
            user_id=user_id,
            email=email,
            created_at=now,
            expires_at=now + ttl,
        )
        return secret, record

    def usable(self, *, purpose: TokenPurpose, email: str, now: datetime) -> bool:
        """Whether it serves ``purpose`` for ``email`` now.

        A token is bound to the address it was sent to, so it dies if the email changes.
        """
        return self.purpose == purpose and self.email == email and now < self.expires_at
