"""Tokens die with their session: for each cause, the old access token is refused within 2 s at
the gateway and at every service, and nothing done with it changes any state."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.platform import PASSWORD, Platform, sign_up, to, token_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

#: Within this long of the revoking answer, every verifier refuses the token.
PROPAGATION_S = 2.0
#: A route of each service that needs a valid token and changes nothing.
PROBES = {
    "gateway": "/api/v1/users/me",
    "membership": "/api/v1/users/me",
    "content": "/api/v1/conversations",
    "events": "/api/v1/me/events",
    "notifications": "/api/v1/notifications",
}
OPERATOR = "ops-e2e-operator"


@dataclass
class Session:
    """One login: its tokens."""

    email: str
    user_id: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Session:
    answer = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Session(email, body["user_id"], body["access_token"], body["refresh_token"])


def url_of(platform: Platform, where: str) -> str:
    return platform.url if where == "gateway" else platform.processes[where].url


async def refused_everywhere(platform: Platform, token: str, *, since: float) -> None:
    """Every verifier answers 401 token-revoked within PROPAGATION_S of ``since``."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10) as http:
        for where, path in PROBES.items():
            while True:
                answer = await http.get(url_of(platform, where) + path, headers=headers)
                if answer.status_code == 401:
                    assert answer.json()["type"].endswith("/token-revoked"), answer.text
                    break
                # Not refused yet: an answer as before (an erased account may already be gone).
                assert answer.status_code in (200, 404), (where, answer.text)
                elapsed = time.monotonic() - since
                assert elapsed < PROPAGATION_S, f"{where} still accepts it after {elapsed:.1f}s"
                await asyncio.sleep(0.05)


async def nothing_changes(platform: Platform, session: Session) -> None:
    """Writes with the dead token are refused and leave no trace."""
    async with platform.client() as http:
        slug = f"ghost-{uuid.uuid4().hex[:8]}"
        founded = await http.post(
            "/api/v1/communities",
            headers=session.auth,
            json={
                "name": "Ghost circle",
                "slug": slug,
                "purpose": "Should never exist at all.",
                "audience": "Nobody.",
                "language": "en",
                "visibility": "public",
                "join_policy": "open",
                "capacity": 10,
                "code_of_conduct": "Be kind. Stay on topic.",
            },
        )
        assert founded.status_code == 401, founded.text
        looked = await http.get(f"/api/v1/communities/{slug}", headers=platform.keys.headers("x"))
        assert looked.status_code == 404, looked.text


async def member(platform: Platform, name: str) -> tuple[Session, Session]:
    """A verified person with two sessions (say, a phone and a laptop)."""
    async with platform.client() as http:
        person = await sign_up(http, platform.smtp, name)
        return await login(http, person.email), await login(http, person.email)


Cause = Callable[[Platform, Session, Session], Awaitable[tuple[str, str | None]]]


async def logout(platform: Platform, phone: Session, laptop: Session) -> tuple[str, str | None]:
    async with platform.client() as http:
        ended = await http.post("/api/v1/auth/logout", json={"refresh_token": phone.refresh})
        assert ended.status_code == 204, ended.text
    return phone.access, laptop.access


async def logout_everywhere(
    platform: Platform, phone: Session, laptop: Session
) -> tuple[str, str | None]:
    async with platform.client() as http:
        ended = await http.post("/api/v1/auth/logout-all", headers=phone.auth)
        assert ended.status_code == 204, ended.text
    return laptop.access, None


async def password_changed(
    platform: Platform, phone: Session, laptop: Session
) -> tuple[str, str | None]:
    async with platform.client() as http:
        changed = await http.post(
            "/api/v1/auth/change-password",
            headers=phone.auth,
            json={"current_password": PASSWORD, "new_password": "an entirely new passphrase"},
        )
        assert changed.status_code == 204, changed.text
    return laptop.access, phone.access  # the session that changed it goes on


async def password_reset(
    platform: Platform, phone: Session, laptop: Session
) -> tuple[str, str | None]:
    async with platform.client() as http:
        asked = await http.post("/api/v1/auth/password-reset", json={"email": phone.email})
        assert asked.status_code == 202, asked.text
        mail = await platform.smtp.wait_for(to(phone.email, "Reset your password"), timeout=30)
        reset = await http.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": token_in(mail, "/reset-password"), "new_password": "x" * 20},
        )
        assert reset.status_code == 204, reset.text
    return phone.access, None


async def refresh_reused(
    platform: Platform, phone: Session, laptop: Session
) -> tuple[str, str | None]:
    async with platform.client() as http:
        renewed = await http.post("/api/v1/auth/refresh", json={"refresh_token": phone.refresh})
        assert renewed.status_code == 200, renewed.text
        fresh = renewed.json()["access_token"]
        # The old refresh token again: someone copied it. The whole session ends.
        stolen = await http.post("/api/v1/auth/refresh", json={"refresh_token": phone.refresh})
        assert stolen.status_code == 401, stolen.text
    return fresh, laptop.access


async def erased(platform: Platform, phone: Session, laptop: Session) -> tuple[str, str | None]:
    async with platform.client() as http:
        gone = await http.request(
            "DELETE", "/api/v1/users/me", headers=phone.auth, json={"password": PASSWORD}
        )
        assert gone.status_code == 204, gone.text
    return laptop.access, None


async def disabled(platform: Platform, phone: Session, laptop: Session) -> tuple[str, str | None]:
    async with platform.client() as http:
        done = await http.post(
            f"/api/v1/admin/users/{phone.user_id}/disable",
            headers=platform.keys.headers(OPERATOR),
            json={"reason": "Compromised account."},
        )
        assert done.status_code in (200, 204), done.text
    return phone.access, None


@pytest.mark.parametrize(
    "cause",
    [
        logout,
        logout_everywhere,
        password_changed,
        password_reset,
        refresh_reused,
        erased,
        disabled,
    ],
    ids=lambda c: c.__name__,
)
async def test_the_old_token_is_refused_everywhere_within_two_seconds(
    platform: Platform, cause: Cause
) -> None:
    phone, laptop = await member(platform, "Rev")
    dead, alive = await cause(platform, phone, laptop)
    since = time.monotonic()
    await refused_everywhere(platform, dead, since=since)
    await nothing_changes(platform, Session(phone.email, phone.user_id, dead, ""))
    if alive is not None:
        async with platform.client() as http:
            still = await http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {alive}"})
            assert still.status_code == 200, still.text
