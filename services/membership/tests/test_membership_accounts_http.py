"""Accounts, sessions, profiles and GDPR over HTTP, on the real membership process and stack."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_contracts.catalog import MEMBERSHIP_TOKENS, MEMBERSHIP_USERS, AnyEvent, Topic
from cerchia_contracts.events.membership import (
    EmailVerificationRequestedV1,
    EmailVerifiedV1,
    PasswordResetRequestedV1,
    ProfileUpdatedV1,
    UserErasedV1,
)
from cerchia_devstack.pytest_plugin import ServiceFactory

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"


def email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.org"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def from_ip(ip: str) -> dict[str, str]:
    # The test client is a trusted proxy for uvicorn, which takes the caller from this header.
    return {"X-Forwarded-For": ip}


async def events(
    bootstrap: str,
    topic: Topic,
    subject: str,
    until: Callable[[list[AnyEvent]], bool],
    timeout: float = 30,
) -> list[AnyEvent]:
    """The topic's events about ``subject``, read from the beginning until ``until`` holds."""
    consumer = AIOKafkaConsumer(
        topic.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    found: list[AnyEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not until(found):
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    found += [
                        event
                        for event in (topic.decode(r.value) for r in records)
                        if event.subject == subject
                    ]
    finally:
        await consumer.stop()
    return found


def has(kind: type[AnyEvent], count: int = 1) -> Callable[[list[AnyEvent]], bool]:
    return lambda found: sum(isinstance(e, kind) for e in found) >= count


async def latest_token(bootstrap: str, user_id: str, kind: type[AnyEvent], count: int = 1) -> str:
    found = await events(bootstrap, MEMBERSHIP_TOKENS, user_id, has(kind, count))
    token: str = [e for e in found if isinstance(e, kind)][-1].data.token
    return token


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + code), body
    return body


@pytest.fixture
def database() -> str:
    return f"membership_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def mongo(mongo_uri: str, database: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    yield client[database]
    await client.close()


class Api:
    """A client of one membership process."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def register(self, address: str, *, name: str = "Ada L.") -> str:
        response = await self.http.post(
            "/api/v1/users",
            json={"email": address, "password": PASSWORD, "display_name": name, "locale": "en"},
        )
        assert response.status_code == 201, response.text
        user_id: str = response.json()["id"]
        return user_id

    async def login(self, address: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
        return await self.http.post(
            "/api/v1/auth/login", json={"email": address, "password": password}, **kw
        )

    async def tokens(self, address: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.login(address, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def refresh(self, token: str) -> httpx.Response:
        return await self.http.post("/api/v1/auth/refresh", json={"refresh_token": token})


@pytest.fixture
async def api(service_process: ServiceFactory, database: str) -> AsyncIterator[Api]:
    membership = await service_process(
        "membership",
        database=database,
        env={
            "MEMBERSHIP_LOGIN_ACCOUNT_LIMIT": "3",
            "MEMBERSHIP_LOGIN_IP_LIMIT": "5",
            "MEMBERSHIP_TOKEN_REQUEST_ACCOUNT_LIMIT": "3",
        },
    )
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        yield Api(client)


async def test_register_verify_login_refresh_and_logout(api: Api, kafka_bootstrap: str) -> None:
    address = email()
    user_id = await api.register(address)
    http = api.http

    assert (await http.get("/api/v1/users/me")).status_code == 401
    session = await api.tokens(address.upper())
    assert session["token_type"] == "Bearer"
    assert session["expires_in"] == 900
    me = await http.get("/api/v1/users/me", headers=bearer(session["access_token"]))
    assert me.json()["email_verified"] is False

    # The access token is what every other service verifies, against the published keys.
    verifier = TokenVerifier(
        KeySet(url=str(http.base_url.join("/.well-known/jwks.json"))),
        issuer="cerchia-membership",
        audience="cerchia",
    )
    principal = await verifier.verify(session["access_token"])
    assert principal.user_id == user_id
    assert jwt.get_unverified_header(session["access_token"])["alg"] == "EdDSA"

    # Email verification: the link travels on membership.tokens.v1 to notifications.
    token = await latest_token(kafka_bootstrap, user_id, EmailVerificationRequestedV1)
    problem(await http.post("/api/v1/auth/verify-email", json={"token": "forged"}), 400,
            "invalid-link-token")  # fmt: skip
    assert (await http.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 204
    problem(await http.post("/api/v1/auth/verify-email", json={"token": token}), 400,
            "invalid-link-token")  # fmt: skip
    me = await http.get("/api/v1/users/me", headers=bearer(session["access_token"]))
    assert me.json()["email_verified"] is True
    (verified,) = [
        e
        for e in await events(kafka_bootstrap, MEMBERSHIP_USERS, user_id, has(EmailVerifiedV1))
        if isinstance(e, EmailVerifiedV1)
    ]
    assert verified.data.email == address
    resend = await http.post(
        "/api/v1/auth/verify-email/resend", headers=bearer(session["access_token"])
    )
    problem(resend, 409, "email-already-verified")

    # Refresh rotates; replaying a used refresh token revokes the whole family.
    rotated = await api.refresh(session["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    newer = rotated.json()["refresh_token"]
    assert newer != session["refresh_token"]
    problem(await api.refresh(session["refresh_token"]), 401, "refresh-token-reused")
    problem(await api.refresh(newer), 401, "invalid-refresh-token")

    # Logout ends the session of that refresh token only.
    phone, laptop = await api.tokens(address), await api.tokens(address)
    out = await http.post("/api/v1/auth/logout", json={"refresh_token": phone["refresh_token"]})
    assert out.status_code == 204
    problem(await api.refresh(phone["refresh_token"]), 401, "invalid-refresh-token")
    assert (await api.refresh(laptop["refresh_token"])).status_code == 200

    problem(await api.login(address, "wrong password"), 401, "invalid-credentials")
    problem(await api.login(email()), 401, "invalid-credentials")
    bad = await http.post("/api/v1/auth/login", json={"email": address, "password": "x", "x": 1})
    assert problem(bad, 422, "validation-error")["errors"][0]["loc"] == ["body", "x"]
    problem(await api.refresh("not-a-token"), 401, "invalid-refresh-token")


async def test_login_is_throttled_per_account_and_per_address_across_replicas(
    api: Api, service_process: ServiceFactory, database: str
) -> None:
    ada, bo = email(), email()
    await api.register(ada)
    await api.register(bo)
    for _ in range(3):
        problem(await api.login(ada, "wrong password", headers=from_ip("10.1.0.1")), 401,
                "invalid-credentials")  # fmt: skip
    locked = problem(await api.login(ada, headers=from_ip("10.1.0.2")), 429, "too-many-attempts")
    retry_after = int(locked["retry_after"])
    assert 0 < retry_after <= 15 * 60 + 1

    # A second replica on the same database sees the same counters.
    replica = await service_process("membership", database=database,
                                    env={"MEMBERSHIP_LOGIN_ACCOUNT_LIMIT": "3"})  # fmt: skip
    async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
        other = await Api(client).login(ada, headers=from_ip("10.1.0.3"))
    problem(other, 429, "too-many-attempts")
    assert 0 < int(other.headers["retry-after"]) <= retry_after

    # Other accounts are not locked out by the attack on one.
    assert (await api.login(bo, headers=from_ip("10.1.0.1"))).status_code == 200

    # Per address: five failures over many accounts lock the address, for everyone behind it.
    for _ in range(5):
        problem(await api.login(email(), headers=from_ip("10.9.9.9")), 401, "invalid-credentials")
    problem(await api.login(bo, headers=from_ip("10.9.9.9")), 429, "too-many-attempts")
    assert (await api.login(bo, headers=from_ip("10.9.9.8"))).status_code == 200

    # Concurrent guesses cannot slip past the limit together: exactly three get checked.
    cy = email()
    await api.register(cy)
    guesses = await asyncio.gather(
        *(api.login(cy, f"guess number {i}", headers=from_ip(f"10.2.0.{i}")) for i in range(8))
    )
    assert sorted(r.status_code for r in guesses) == [401] * 3 + [429] * 5


async def test_change_password_and_reset_by_email(api: Api, kafka_bootstrap: str) -> None:
    address = email()
    user_id = await api.register(address)
    http = api.http
    this, other = await api.tokens(address), await api.tokens(address)
    headers = bearer(this["access_token"])

    change = "/api/v1/auth/change-password"
    wrong = {"current_password": "not my password", "new_password": "second long passphrase"}
    problem(await http.post(change, json=wrong, headers=headers), 403, "wrong-password")
    short = {"current_password": PASSWORD, "new_password": "short"}
    problem(await http.post(change, json=short, headers=headers), 422, "validation-error")
    problem(await http.post(change, json=wrong), 401, "unauthenticated")
    right = {"current_password": PASSWORD, "new_password": "second long passphrase"}
    assert (await http.post(change, json=right, headers=headers)).status_code == 204
    assert (await api.refresh(this["refresh_token"])).status_code == 200  # this device goes on
    problem(await api.refresh(other["refresh_token"]), 401, "invalid-refresh-token")
    problem(await api.login(address), 401, "invalid-credentials")

    reset = "/api/v1/auth/password-reset"
    assert (await http.post(reset, json={"email": email()})).status_code == 202  # says nothing
    assert (await http.post(reset, json={"email": address})).status_code == 202
    token = await latest_token(kafka_bootstrap, user_id, PasswordResetRequestedV1)
    confirm = "/api/v1/auth/password-reset/confirm"
    problem(await http.post(confirm, json={"token": token, "new_password": "short"}), 422,
            "validation-error")  # fmt: skip
    problem(await http.post(confirm, json={"token": "forged", "new_password": "third passphrase"}),
            400, "invalid-link-token")  # fmt: skip
    done = await http.post(confirm, json={"token": token, "new_password": "third passphrase"})
    assert done.status_code == 204
    problem(await http.post(confirm, json={"token": token, "new_password": "fourth passphrase"}),
            400, "invalid-link-token")  # fmt: skip
    problem(await api.refresh(this["refresh_token"]), 401, "invalid-refresh-token")
    assert (await api.login(address, "third passphrase")).status_code == 200

    # Reset emails are limited per account (3 per hour here).
    for _ in range(2):
        assert (await http.post(reset, json={"email": address})).status_code == 202
    throttled = problem(await http.post(reset, json={"email": address}), 429, "too-many-attempts")
    assert throttled["retry_after"] > 0


async def test_profiles_with_unique_handles_and_visibility(api: Api, kafka_bootstrap: str) -> None:
    ada, bo, cy = email(), email(), email()
    ada_id = await api.register(ada, name="Ada")
    await api.register(bo, name="Bo")
    await api.register(cy, name="Cy")
    http = api.http
    as_ada = bearer((await api.tokens(ada))["access_token"])
    as_bo = bearer((await api.tokens(bo))["access_token"])
    as_cy = bearer((await api.tokens(cy))["access_token"])

    edit = {
        "handle": "@Ada_" + uuid.uuid4().hex[:6],
        "headline": "Analyst of engines",
        "skills": ["Python", "python", "Mathematics"],
        "asks": ["a mechanical engineer"],
        "offers": ["I can help with algorithms"],
        "links": [{"label": "Site", "url": "https://ada.example.org"}],
        "timezone": "Europe/London",
        "locale": "it",
    }
    response = await http.patch("/api/v1/profiles/me", json=edit, headers=as_ada)
    assert response.status_code == 200, response.text
    mine = response.json()
    handle = edit["handle"].lstrip("@").lower()  # type: ignore[union-attr]
    assert mine["handle"] == handle
    assert mine["skills"] == ["Python", "Mathematics"]
    assert mine["visibility"] == "communities"
    assert (await http.get("/api/v1/profiles/me", headers=as_ada)).json() == mine
    found = await events(kafka_bootstrap, MEMBERSHIP_USERS, ada_id, has(ProfileUpdatedV1))
    (updated,) = [e for e in found if isinstance(e, ProfileUpdatedV1)]
    assert updated.data.handle == handle
    assert updated.data.timezone == "Europe/London"
    assert updated.data.locale == "it"

    taken = await http.patch("/api/v1/profiles/me", json={"handle": handle.upper()}, headers=as_bo)
    problem(taken, 409, "handle-taken")
    invalid = await http.patch(
        "/api/v1/profiles/me", json={"timezone": "Mars/Olympus", "handle": "9x"}, headers=as_bo
    )
    locs = {tuple(e["loc"]) for e in problem(invalid, 422, "invalid-profile")["errors"]}
    assert locs == {("body", "timezone"), ("body", "handle")}
    for body in ({"display_name": None}, {"email": "x@example.org"}, {"links": [{"label": "x",
                 "url": "javascript:alert(1)"}]}):  # fmt: skip
        problem(await http.patch("/api/v1/profiles/me", json=body, headers=as_bo), 422,
                "validation-error")  # fmt: skip
    assert (await http.get("/api/v1/profiles/me", headers=as_bo)).json()["handle"] is None

    # Members of my communities: Bo shares one with Ada, Cy does not.
    problem(await http.get(f"/api/v1/profiles/{ada_id}", headers=as_cy), 403, "profile-restricted")
    community = await http.post(
        "/api/v1/communities",
        json={
            "name": "Engines of thought",
            "slug": "engines-" + uuid.uuid4().hex[:8],
            "purpose": "Study analytical engines together, one note a month.",
            "audience": "Curious minds",
            "join_policy": "open",
            "code_of_conduct": "Be kind and precise.",
        },
        headers=as_ada,
    )
    assert community.status_code == 201, community.text
    joined = await http.post(
        f"/api/v1/communities/{community.json()['id']}/join",
        json={"code_of_conduct_version": 1},
        headers=as_bo,
    )
    assert joined.status_code == 200, joined.text
    seen = await http.get(f"/api/v1/profiles/{ada_id}", headers=as_bo)
    assert seen.status_code == 200
    assert seen.json()["handle"] == handle
    assert "visibility" not in seen.json()
    assert "email" not in seen.json()
    public = {"visibility": "platform"}
    assert (await http.patch("/api/v1/profiles/me", json=public, headers=as_ada)).status_code == 200
    assert (await http.get(f"/api/v1/profiles/{ada_id}", headers=as_cy)).status_code == 200
    problem(await http.get(f"/api/v1/profiles/{uuid.uuid4()}", headers=as_cy), 404,
            "user-not-found")  # fmt: skip
    problem(await http.get(f"/api/v1/profiles/{ada_id}"), 401, "unauthenticated")


async def test_export_then_erase_everything(api: Api, kafka_bootstrap: str, mongo: Any) -> None:
    address = email()
    user_id = await api.register(address)
    http = api.http
    session = await api.tokens(address)
    headers = bearer(session["access_token"])
    handle = "erase_" + uuid.uuid4().hex[:6]
    await http.patch("/api/v1/profiles/me", json={"handle": handle}, headers=headers)

    export = await http.get("/api/v1/me/export", headers=headers)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    document = export.json()
    assert document["user_id"] == user_id
    account = document["sections"]["account"]
    assert account["account"]["email"] == address
    assert account["profile"]["handle"] == handle
    assert len(account["sessions"]) == 1
    assert account["pending_links"][0]["purpose"] == "verify_email"
    assert "argon2" not in export.text.replace("argon2id hash only", "")
    problem(await http.get("/api/v1/me/export"), 401, "unauthenticated")

    erase = "/api/v1/users/me"
    wrong = await http.request("DELETE", erase, json={"password": "not mine"}, headers=headers)
    problem(wrong, 403, "wrong-password")
    problem(await http.request("DELETE", erase, headers=headers), 422, "validation-error")
    gone = await http.request("DELETE", erase, json={"password": PASSWORD}, headers=headers)
    assert gone.status_code == 204

    found = await events(kafka_bootstrap, MEMBERSHIP_USERS, user_id, has(UserErasedV1))
    assert isinstance(found[-1], UserErasedV1)
    assert found[-1].data.user_id == user_id
    for collection, query in [
        ("users", {"_id": user_id}),
        ("handles", {"user_id": user_id}),
        ("refresh_sessions", {"user_id": user_id}),
        ("one_time_tokens", {"user_id": user_id}),
    ]:
        assert await mongo[collection].count_documents(query) == 0, collection
    problem(await http.get("/api/v1/users/me", headers=headers), 404, "user-not-found")
    problem(await http.get("/api/v1/me/export", headers=headers), 404, "user-not-found")
    problem(await api.refresh(session["refresh_token"]), 401, "invalid-refresh-token")
    problem(await api.login(address), 401, "invalid-credentials")
    # The handle is free again, and the address can register anew.
    await api.register(address)
