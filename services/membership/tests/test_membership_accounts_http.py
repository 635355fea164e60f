"""Accounts and sessions over HTTP, on the real membership process and stack."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_contracts.catalog import MEMBERSHIP_USERS
from cerchia_contracts.events.membership import (
    EmailVerificationRequestedV2,
    EmailVerifiedV1,
    PasswordResetRequestedV2,
)
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.account_http import (
    PASSWORD,
    Api,
    bearer,
    email,
    events,
    from_ip,
    has,
    latest_token,
    problem,
    start_membership,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> str:
    return f"membership_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(service_process: ServiceFactory, database: str) -> AsyncIterator[Api]:
    membership = await start_membership(service_process, database)
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        yield Api(client)


async def test_register_verify_login_refresh_and_logout(
    api: Api, kafka: KafkaCluster, auth_keys: AuthKeys
) -> None:
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

    # Email verification: the link travels, sealed, on membership.tokens.v2 to notifications.
    token = await latest_token(kafka.admin, auth_keys, user_id, EmailVerificationRequestedV2)
    problem(await http.post("/api/v1/auth/verify-email", json={"token": "forged"}), 400,
            "invalid-link-token")  # fmt: skip
    assert (await http.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 204
    problem(await http.post("/api/v1/auth/verify-email", json={"token": token}), 400,
            "invalid-link-token")  # fmt: skip
    me = await http.get("/api/v1/users/me", headers=bearer(session["access_token"]))
    assert me.json()["email_verified"] is True
    (verified,) = [
        e
        for e in await events(kafka.admin, MEMBERSHIP_USERS, user_id, has(EmailVerifiedV1))
        if isinstance(e, EmailVerifiedV1)
    ]
    assert address not in verified.data.email  # sealed with the person's key on the topic
    assert (await auth_keys.opened(kafka.admin, verified)).data.email == address
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


async def test_change_password_and_reset_by_email(
    api: Api, kafka: KafkaCluster, auth_keys: AuthKeys
) -> None:
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
    token = await latest_token(kafka.admin, auth_keys, user_id, PasswordResetRequestedV2)
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


async def test_logging_out_everywhere_ends_every_session(api: Api) -> None:
    address, other = email(), email()
    await api.register(address)
    await api.register(other)
    phone, laptop = await api.tokens(address), await api.tokens(address)
    someone_else = await api.tokens(other)
    logout_all = "/api/v1/auth/logout-all"
    problem(await api.http.post(logout_all), 401, "unauthenticated")
    done = await api.http.post(logout_all, headers=bearer(phone["access_token"]))
    assert done.status_code == 204, done.text
    for ended in (phone, laptop):
        problem(await api.refresh(ended["refresh_token"]), 401, "invalid-refresh-token")
    assert (await api.refresh(someone_else["refresh_token"])).status_code == 200
    assert (await api.login(address)).status_code == 200  # a new login starts afresh


async def test_sign_up_takes_the_browsers_time_zone_or_utc(api: Api, auth_keys: AuthKeys) -> None:
    http = api.http

    async def sign_up(**extra: str) -> httpx.Response:
        return await http.post(
            "/api/v1/users",
            json={"email": email(), "password": PASSWORD, "display_name": "Tz", **extra},
        )

    refused = await sign_up(timezone="Europe/Atlantis")
    problem(refused, 422, "invalid-profile")
    assert refused.json()["errors"][0]["loc"] == ["body", "timezone"]
    for given, kept in (({"timezone": "America/Sao_Paulo"}, "America/Sao_Paulo"), ({}, "UTC")):
        made = await sign_up(**given)
        assert made.status_code == 201, made.text
        profile = await http.get(
            "/api/v1/profiles/me", headers=auth_keys.headers(made.json()["id"])
        )
        assert profile.json()["timezone"] == kept, profile.text
