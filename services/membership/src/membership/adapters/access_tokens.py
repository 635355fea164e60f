"""Signing access tokens with membership's key."""

from datetime import datetime, timedelta

from cerchia_chassis.tokens import SigningKey
from membership.service.account_ports import AccessToken


class JwtAccessTokens:
    """EdDSA access tokens (``typ: at+jwt``) carrying the refresh session as ``sid``."""

    def __init__(self, key: SigningKey, *, issuer: str, audience: str, ttl: timedelta) -> None:
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl

    def issue(self, *, user_id: str, session_id: str, now: datetime) -> AccessToken:
        """A signed token for ``user_id``, valid for the configured lifetime."""
        token = self._key.sign_access_token(
            user_id,
            issuer=self._issuer,
            audience=self._audience,
            ttl=self._ttl,
            now=now,
            claims={"sid": session_id},
        )
        return AccessToken(token=token, expires_in=int(self._ttl.total_seconds()))
