"""``membership.sessions.v1``: sessions that ended, so every token verifier refuses their tokens.

Access tokens live up to their expiry (15 minutes). When a session ends early — logout, logout
everywhere, a password change or reset, a stolen refresh token replayed, an account erased or
disabled — membership says so here, and every service that verifies tokens (the gateway and each
service) holds these revocations until the longest access token issued before them has expired.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = ["RevocationCause", "SessionsRevoked", "SessionsRevokedV1"]

RevocationCause = Literal[
    "logout",
    "logout_everywhere",
    "password_changed",
    "password_reset",
    "refresh_token_reused",
    "account_erased",
    "account_disabled",
]


class SessionsRevoked(EventData):
    """Tokens that must no longer be accepted."""

    user_id: str = Field(description="Whose sessions ended.")
    session_ids: tuple[str, ...] = Field(
        default=(), description="The ended sessions: their access tokens carry `sid`."
    )
    all_before: datetime | None = Field(
        default=None,
        description="When set, every access token of the user issued before this instant "
        "(UTC) is refused too (erasure, an account disabled).",
    )
    cause: RevocationCause = Field(description="Why the sessions ended.")


class SessionsRevokedV1(CloudEvent[SessionsRevoked]):
    """Refuse these sessions' access tokens from now on."""

    type: Literal["cerchia.membership.sessions_revoked.v1"] = Field(
        default="cerchia.membership.sessions_revoked.v1", description="Event type."
    )
