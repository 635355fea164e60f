"""The announcement that sessions ended early, so every token verifier refuses their tokens."""

from collections.abc import Sequence
from datetime import datetime

from cerchia_contracts.events.membership.sessions import (
    RevocationCause,
    SessionsRevoked,
    SessionsRevokedV1,
)


def sessions_revoked(
    user_id: str,
    cause: RevocationCause,
    now: datetime,
    *,
    session_ids: Sequence[str] = (),
    all_before: datetime | None = None,
) -> SessionsRevokedV1:
    """``SessionsRevokedV1`` for ``membership.sessions.v1``, written with the revocation itself.

    ``session_ids`` names ended sessions; ``all_before`` ends every token of the user issued
    until then (only where no new login can follow at once: erasure, a disabled account).
    """
    return SessionsRevokedV1.new(
        subject=user_id,
        time=now,
        data=SessionsRevoked(
            user_id=user_id,
            session_ids=tuple(session_ids),
            all_before=all_before,
            cause=cause,
        ),
    )
