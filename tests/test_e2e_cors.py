"""Through the real gateway, as the local stack configures it: a browser app on the web client's
origin may call the API (preflight answered, the consistency token readable); other origins
get no CORS headers. The VAPID key needs no token."""

import pytest

from cerchia_devstack.services import WEB_CLIENT_ORIGIN
from tests.authz_world import community_body
from tests.platform import Platform, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def test_a_browser_app_on_the_web_clients_origin_passes_preflight(
    platform: Platform,
) -> None:
    async with platform.client() as client:
        preflight = await client.options(
            "/api/v1/communities/c1/threads",
            headers={
                "Origin": WEB_CLIENT_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,cerchia-consistency",
            },
        )
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == WEB_CLIENT_ORIGIN
        methods = preflight.headers["access-control-allow-methods"]
        assert {"GET", "POST", "PATCH", "DELETE"} <= {m.strip() for m in methods.split(",")}
        allowed = {
            h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
        }
        assert {"authorization", "cerchia-consistency", "content-type"} <= allowed

        member = await sign_up(client, platform.smtp, "Browser")
        # A write's answer: its consistency token is readable by the page's scripts.
        created = await client.post(
            "/api/v1/communities",
            json=community_body(f"browser-{member.id[:8]}", "public"),
            headers={**member.auth, "Origin": WEB_CLIENT_ORIGIN},
        )
        assert created.status_code == 201, created.text
        assert created.headers["access-control-allow-origin"] == WEB_CLIENT_ORIGIN
        exposed = created.headers["access-control-expose-headers"].lower()
        assert "cerchia-consistency" in exposed
        assert "cerchia-consistency" in created.headers


async def test_another_origin_gets_no_cors_headers(platform: Platform) -> None:
    async with platform.client() as client:
        preflight = await client.options(
            "/api/v1/communities",
            headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 403
        assert not [h for h in preflight.headers if h.lower().startswith("access-control-")]
        read = await client.get(
            "/.well-known/jwks.json", headers={"Origin": "https://elsewhere.example"}
        )
        assert read.status_code == 200
        assert not [h for h in read.headers if h.lower().startswith("access-control-")]


async def test_the_vapid_public_key_needs_no_token(platform: Platform) -> None:
    async with platform.client() as client:
        key = await client.get("/api/v1/push/vapid-public-key")
    assert key.status_code == 200, key.text
    assert len(key.json()["public_key"]) > 40
