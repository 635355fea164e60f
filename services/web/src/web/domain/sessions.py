"""A browser's session: who is signed in, the tokens held for them, and the CSRF secret."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta


def new_secret() -> str:
    """An unguessable opaque value (256 bits)."""
    return secrets.token_urlsafe(32)


def mask(token: str) -> str:
    """``token`` XORed with a one-time pad, the pad first (base64url)."""
    secret = token.encode()
    pad = secrets.token_bytes(len(secret))
    return base64.urlsafe_b64encode(
        pad + bytes(a ^ b for a, b in zip(pad, secret, strict=True))
    ).decode()


def unmask(masked: str) -> bytes | None:
    """The token a ``mask`` hides, or None when ``masked`` is not one."""
    try:
        raw = base64.urlsafe_b64decode(masked.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    half = len(raw) // 2
    if not raw or len(raw) % 2:
        return None
    return bytes(a ^ b for a, b in zip(raw[:half], raw[half:], strict=True))


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

    def masked_csrf(self) -> str:
        """The CSRF token as one page carries it: masked with fresh random bytes, so that no
        two compressed pages hold the same secret (BREACH) while each still proves it."""
        return mask(self.csrf)

    def csrf_ok(self, presented: str | None) -> bool:
        """Whether a form carried this session's CSRF token (masked or as it is)."""
        if presented is None:
            return False
        if hmac.compare_digest(presented.encode(), self.csrf.encode()):
            return True
        unmasked = unmask(presented)
        return unmasked is not None and hmac.compare_digest(unmasked, self.csrf.encode())

    def signed_out(self, now: datetime, ttl: timedelta) -> "WebSession":
        """The same browser, nobody signed in (a new CSRF token too)."""
        return WebSession(key=self.key, csrf=new_secret(), expires_at=now + ttl, locale=self.locale)

    def with_tokens(self, access: str, refresh: str | None) -> "WebSession":
        """The session after a refresh."""
        return replace(self, access_token=access, refresh_token=refresh or self.refresh_token)
