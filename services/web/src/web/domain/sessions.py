"""A browser's session: who is signed in, the tokens held for them, and the CSRF secret."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta


def new_secret() -> str:
    """An unguessable opaque value (256 bits)."""
    return secrets.token_urlsafe(32)


def session_key(cookie: str) -> str:
    """What the store keys a session by: the cookie's digest, so a copy of the store holds no
    usable cookie."""
    return hashlib.sha256(cookie.encode()).hexdigest()


@dataclass(frozen=True)
class WebSession:
    """One browser's state, kept server-side; the browser holds only the opaque cookie."""

    key: str
    csrf: str
    expires_at: datetime
    user_id: str | None = None
    display_name: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    locale: str | None = None
    zone: str | None = None
    #: The platform's consistency token from this person's latest write, echoed on every call.
    consistency: str | None = None
    flash: list[str] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        """Whether a person is signed in."""
        return self.user_id is not None and self.access_token is not None

    def csrf_ok(self, presented: str | None) -> bool:
        """Whether a form carried this session's CSRF token."""
        return presented is not None and hmac.compare_digest(presented, self.csrf)

    def signed_out(self, now: datetime, ttl: timedelta) -> "WebSession":
        """The same browser, nobody signed in (a new CSRF token too)."""
        return WebSession(key=self.key, csrf=new_secret(), expires_at=now + ttl, locale=self.locale)

    def with_tokens(self, access: str, refresh: str | None) -> "WebSession":
        """The session after a refresh."""
        return replace(self, access_token=access, refresh_token=refresh or self.refresh_token)
