"""Membership's own port shared by its areas: sealing emailed secrets.

The ports every service shares (``Session``, ``Transactions``, ``EventOutbox``) are the
chassis's, in ``cerchia_chassis.ports``.
"""

from typing import Protocol

from cerchia_contracts.events.membership.tokens import SealedToken, sealing_context


class TokenSealer(Protocol):
    """Seals a single-use secret to the one service that delivers it (notifications)."""

    def seal(self, secret: str, *, context: str) -> SealedToken: ...


def seal_token(sealer: TokenSealer, secret: str, *, event_type: str, subject: str) -> SealedToken:
    """``secret`` sealed for the event of ``event_type`` about ``subject``."""
    return sealer.seal(secret, context=sealing_context(event_type, subject))
