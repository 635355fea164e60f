"""Through the gateway, notifications' refusals reach the client as they were made: preferences
that could not be honoured, a cursor preferences never issued, push subscriptions the platform
may not call or could not encrypt to."""

import base64
import os
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.platform import Member, Platform, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PROBLEM_JSON = "application/problem+json"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _subscription(endpoint: str, **keys: str) -> dict[str, Any]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    chosen = {"p256dh": _b64(point), "auth": _b64(os.urandom(16)), **keys}
    return {"endpoint": endpoint, "expirationTime": None, "keys": chosen}


def _refused(response: httpx.Response, status: int, code: str) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["type"].endswith("/" + code), body
    errors: list[dict[str, Any]] = body.get("errors", [])
    return errors


@pytest.fixture(scope="module")
async def member(platform: Platform) -> Member:
    async with platform.client() as client:
        return await sign_up(client, platform.smtp, "Noemi")


async def test_preferences_refusals_pass_through_the_gateway(
    platform: Platform, member: Member
) -> None:
    async with platform.client() as client:
        account_off = await client.put(
            "/api/v1/preferences",
            json={"categories": {"account": {"email": "off"}}},
            headers=member.auth,
        )
        [error] = _refused(account_off, 422, "invalid-preferences")
        assert error["loc"] == ["body", "categories", "account", "email"]

        empty_quiet = await client.put(
            "/api/v1/preferences",
            json={"quiet_hours": {"start": "22:00", "end": "22:00"}},
            headers=member.auth,
        )
        [error] = _refused(empty_quiet, 422, "invalid-preferences")
        assert error["loc"] == ["body", "quiet_hours"]

        unknown = await client.put(
            "/api/v1/preferences",
            json={"communities": {"no-such-community": {"events": {"email": "off"}}}},
            headers=member.auth,
        )
        _refused(unknown, 404, "community-not-found")
        assert "no-such-community" in unknown.json()["detail"]

        cursor = await client.get(
            "/api/v1/preferences", params={"cursor": "zzz"}, headers=member.auth
        )
        _refused(cursor, 400, "invalid-cursor")
        mine = await client.get(
            "/api/v1/notifications/deliveries/mine", params={"cursor": "zzz"}, headers=member.auth
        )
        _refused(mine, 400, "invalid-cursor")

        # Nothing refused was kept.
        kept = await client.get("/api/v1/preferences", headers=member.auth)
        assert kept.status_code == 200
        assert kept.json()["quiet_hours"] is None


async def test_push_subscriptions_refused_pass_through_the_gateway(
    platform: Platform, member: Member
) -> None:
    async with platform.client() as client:
        for endpoint in (
            "https://169.254.169.254/latest/meta-data",  # not a push service
            "https://push.attacker.example/x",
        ):
            refused = await client.post(
                "/api/v1/push/subscriptions", json=_subscription(endpoint), headers=member.auth
            )
            [error] = _refused(refused, 422, "invalid-push-subscription")
            assert error["loc"] == ["body", "endpoint"]

        bad_key = await client.post(
            "/api/v1/push/subscriptions",
            json=_subscription(
                "https://push.example.org/send/1", p256dh=_b64(b"\x04" + b"\x01" * 64)
            ),
            headers=member.auth,
        )
        errors = _refused(bad_key, 422, "validation-error")
        assert any(e["loc"][-2:] == ["keys", "p256dh"] for e in errors), errors

        # A subscription at a listed push service (the test stack lists push.example.org).
        taken = await client.post(
            "/api/v1/push/subscriptions",
            json=_subscription("https://push.example.org/send/2"),
            headers=member.auth,
        )
        assert taken.status_code == 204, taken.text
