"""One browser request's dealings with the platform: the session's tokens and consistency token
go with every call, an expired access token is refreshed once, and what changed is kept."""

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from web.domain.api import ApiResponse, JsonBody
from web.domain.sessions import WebSession, new_secret, session_key

REFRESH_PATH = "/api/v1/auth/refresh"
LOGIN_PATH = "/api/v1/auth/login"
LOGOUT_PATH = "/api/v1/auth/logout"


class Gateway(Protocol):
    """The platform's public API."""

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        consistency: str | None = None,
        json: JsonBody = None,
        params: dict[str, Any] | None = None,
        client_ip: str | None = None,
    ) -> ApiResponse:
        """One request."""
        ...


class Sessions(Protocol):
    """Where sessions are kept."""

    async def get(self, key: str, now: datetime) -> WebSession | None:
        """A live session."""
        ...

    async def save(self, session: WebSession) -> None:
        """Create or replace."""
        ...

    async def delete(self, key: str) -> None:
        """Forget."""
        ...


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions last."""

    signed_in: timedelta
    anonymous: timedelta


@dataclass
class Visit:
    """A browser's session during one request."""

    gateway: Gateway
    sessions: Sessions
    lifetimes: Lifetimes
    session: WebSession
    cookie: str
    client_ip: str | None = None
    #: Whether the cookie must be (re)sent: a new session, or a new cookie after signing in.
    new_cookie: bool = False
    _dirty: bool = False
    #: Calls made together (a page's reads) refresh an expired token once, not once each: the
    #: platform rotates refresh tokens and takes a reused one for theft.
    _refreshing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @classmethod
    async def open(
        cls,
        gateway: Gateway,
        sessions: Sessions,
        lifetimes: Lifetimes,
        cookie: str | None,
        *,
        client_ip: str | None,
    ) -> "Visit":
        """The browser's session, or a new anonymous one (saved only if it is used)."""
        now = datetime.now(UTC)
        if cookie:
            found = await sessions.get(session_key(cookie), now)
            if found is not None:
                return cls(gateway, sessions, lifetimes, found, cookie, client_ip)
        fresh = new_secret()
        session = WebSession(
            key=session_key(fresh), csrf=new_secret(), expires_at=now + lifetimes.anonymous
        )
        return cls(gateway, sessions, lifetimes, session, fresh, client_ip, new_cookie=True)

    @property
    def signed_in(self) -> bool:
        """Whether a person is signed in."""
        return self.session.signed_in

    def change(self, **fields: Any) -> None:
        """Update the session (saved at the end of the request)."""
        self.session = replace(self.session, **fields)
        self._dirty = True

    def flash(self, message: str) -> None:
        """A message for the next page shown (after a redirect)."""
        self.change(flash=[*self.session.flash, message])

    def take_flash(self) -> list[str]:
        """The pending messages, shown once."""
        messages = list(self.session.flash)
        if messages:
            self.change(flash=[])
        return messages

    async def api(
        self,
        method: str,
        path: str,
        *,
        json: JsonBody = None,
        params: dict[str, Any] | None = None,
    ) -> ApiResponse:
        """Call the gateway as this person, echoing their consistency token (several calls of
        one visit may run together)."""
        used = self.session.access_token
        response = await self._call(method, path, json=json, params=params)
        if response.status == 401 and self.session.refresh_token and await self._fresh(used):
            response = await self._call(method, path, json=json, params=params)
        if response.status == 401 and self.signed_in:
            # Revoked or expired beyond refresh: the person is signed out here too.
            self._end()
        if response.consistency and response.consistency != self.session.consistency:
            self.change(consistency=response.consistency)
        return response

    async def sign_in(self, email: str, password: str) -> ApiResponse:
        """Log in through the gateway; a new cookie replaces the visitor's (no fixation)."""
        response = await self.gateway.call(
            "POST",
            LOGIN_PATH,
            json={"email": email, "password": password},
            client_ip=self.client_ip,
        )
        if not response.ok or not isinstance(response.body, dict):
            return response
        await self.sessions.delete(self.session.key)
        cookie = new_secret()
        now = datetime.now(UTC)
        self.cookie = cookie
        self.new_cookie = True
        self.session = WebSession(
            key=session_key(cookie),
            csrf=new_secret(),
            expires_at=now + self.lifetimes.signed_in,
            user_id=str(response.body["user_id"]),
            access_token=str(response.body["access_token"]),
            refresh_token=response.body.get("refresh_token"),
            locale=self.session.locale,
            consistency=self.session.consistency,
        )
        self._dirty = True
        account = await self.api("GET", "/api/v1/profiles/me")
        if account.ok and isinstance(account.body, dict):
            self.change(
                display_name=account.body.get("display_name"),
                locale=account.body.get("locale") or self.session.locale,
                zone=account.body.get("timezone"),
            )
        return response

    async def sign_out(self) -> None:
        """End the platform session (its refresh token) and this one."""
        if self.session.refresh_token:
            await self.gateway.call(
                "POST",
                LOGOUT_PATH,
                token=self.session.access_token,
                json={"refresh_token": self.session.refresh_token},
                client_ip=self.client_ip,
            )
        self._end()

    async def save(self) -> None:
        """Keep what changed; a used anonymous session is kept too (its CSRF token)."""
        now = datetime.now(UTC)
        lifetime = self.lifetimes.signed_in if self.signed_in else self.lifetimes.anonymous
        if self._dirty or self.new_cookie or self.session.expires_at - now < lifetime / 2:
            self.session = replace(self.session, expires_at=now + lifetime)
            await self.sessions.save(self.session)
            self._dirty = False

    def _end(self) -> None:
        self.session = self.session.signed_out(datetime.now(UTC), self.lifetimes.anonymous)
        self._dirty = True

    async def _call(
        self, method: str, path: str, *, json: JsonBody, params: dict[str, Any] | None
    ) -> ApiResponse:
        return await self.gateway.call(
            method,
            path,
            token=self.session.access_token,
            consistency=self.session.consistency,
            json=json,
            params=params,
            client_ip=self.client_ip,
        )

    async def _fresh(self, used: str | None) -> bool:
        """Whether a newer access token than ``used`` is now at hand (refreshing if no other
        call of this visit has)."""
        async with self._refreshing:
            if self.session.access_token != used:
                return True
            return await self._refresh()

    async def _refresh(self) -> bool:
        response = await self.gateway.call(
            "POST",
            REFRESH_PATH,
            json={"refresh_token": self.session.refresh_token},
            client_ip=self.client_ip,
        )
        if not response.ok or not isinstance(response.body, dict):
            return False
        self.session = self.session.with_tokens(
            str(response.body["access_token"]), response.body.get("refresh_token")
        )
        self._dirty = True
        return True
