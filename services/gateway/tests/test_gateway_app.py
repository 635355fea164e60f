"""The gateway app in process: what it refuses before any service is asked, and its pages."""

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager

from cerchia_chassis.tokens import SigningKey
from cerchia_devstack.ports import free_port
from gateway.app import create_app
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit

ISS, AUD = "cerchia-membership", "cerchia"
KEY = SigningKey.generate()
CLOSED = f"http://127.0.0.1:{free_port()}"  # nothing listens: every upstream is "down"


def token(user_id: str = "u-1", **kwargs: Any) -> str:
    return KEY.sign_access_token(user_id, issuer=ISS, audience=AUD, **kwargs)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "auth_jwks": json.dumps(KEY.jwks()),
        "membership_url": CLOSED,
        "content_url": CLOSED,
        "events_url": CLOSED,
        "notifications_url": CLOSED,
        "log_json": False,
        "upstream_retries": 0,
        # No Kafka here: revocations are tested end to end on the real stack.
        "auth_revocations": False,
        **overrides,
    }
    return GatewaySettings(**values)


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(settings()) as client:
        yield client


class gateway_client:  # noqa: N801 - used like a function
    def __init__(self, configured: GatewaySettings) -> None:
        self._manager = LifespanManager(create_app(configured))

    async def __aenter__(self) -> httpx.AsyncClient:
        app = (await self._manager.__aenter__()).app
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.1", 5000)),
            base_url="http://gateway",
        )
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        await self._manager.__aexit__(*exc)


def forged() -> dict[str, str]:
    good = token()
    header, payload, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    return {
        "expired": token(now=datetime.now(UTC) - timedelta(hours=1)),
        "wrong audience": KEY.sign_access_token("u-1", issuer=ISS, audience="elsewhere"),
        "wrong issuer": KEY.sign_access_token("u-1", issuer="evil", audience=AUD),
        "unknown key": SigningKey.generate().sign_access_token("u-1", issuer=ISS, audience=AUD),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"typ": "at+jwt"}),
        "HS256 keyed with the public key": jwt.encode(
            claims, KEY.public_jwk["x"], algorithm="HS256", headers={"kid": KEY.kid}
        ),
        "not an access token": jwt.encode(
            claims, KEY._private, algorithm="EdDSA", headers={"kid": KEY.kid, "typ": "JWT"}
        ),
        "tampered payload": f"{header}.{payload[:-2]}AA.{signature}",
        "garbage": "not-a-jwt",
    }


async def test_a_protected_route_without_a_token_is_refused_here(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="cerchia"'
    assert response.json()["type"].endswith("/unauthenticated")


@pytest.mark.parametrize("case", sorted(forged()))
async def test_forged_tokens_are_refused_here(case: str, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/communities/c1/threads", headers=bearer(forged()[case]))
    assert response.status_code == 401, response.text
    assert response.json()["type"].endswith("/invalid-token")
    assert "invalid_token" in response.headers["www-authenticate"]


async def test_a_valid_token_reaches_the_upstream_which_is_down(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/communities/c1/threads", headers=bearer(token()))
    assert response.status_code == 503
    body = response.json()
    assert body["type"].endswith("/upstream-unavailable")
    assert body["upstream"] == "content"
    assert response.headers["retry-after"] == "5"
    assert "Traceback" not in response.text


async def test_public_routes_need_no_token_and_ignore_a_stale_one(
    client: httpx.AsyncClient,
) -> None:
    for method, path in [
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/api/v1/calendars/secret.ics"),
    ]:
        stale = bearer(forged()["expired"])
        response = await client.request(method, path, headers=stale)
        assert response.status_code == 503, (method, path, response.text)


async def test_optional_routes_pass_anonymous_callers_but_not_bad_tokens(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/communities/c1")).status_code == 503
    bad = await client.get("/api/v1/communities/c1", headers=bearer("garbage"))
    assert bad.status_code == 401


async def test_unknown_paths_and_tricky_paths(client: httpx.AsyncClient) -> None:
    auth = bearer(token())
    assert (await client.get("/api/v1/nowhere", headers=auth)).status_code == 404
    assert (await client.get("/api/v1/users/%2e%2e/admin", headers=auth)).status_code == 400
    assert (await client.get("/api/v1/users/a%2Fb", headers=auth)).status_code == 400


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    async with gateway_client(settings(max_body_bytes=1024)) as client:
        declared = await client.post(
            "/api/v1/threads", content=b"x" * 2048, headers=bearer(token())
        )
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4):
                yield b"y" * 512

        streamed = await client.post("/api/v1/threads", content=chunks(), headers=bearer(token()))
        assert streamed.status_code == 413
        small = await client.post("/api/v1/threads", content=b"{}", headers=bearer(token()))
        assert small.status_code == 503  # admitted, then the (absent) service


async def test_rate_limits_per_address_and_per_user() -> None:
    limits = {"rate_limit_per_ip": "3/minute", "rate_limit_per_user": "2/minute"}
    async with gateway_client(settings(**limits)) as client:
        statuses = [(await client.get("/api/v1/notifications")).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = await client.get("/api/v1/notifications")
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60

    async with gateway_client(settings(**limits)) as client:
        auth = bearer(token("u-busy"))
        first = [(await client.get("/api/v1/preferences", headers=auth)).status_code]
        first.append((await client.get("/api/v1/preferences", headers=auth)).status_code)
        third = await client.get("/api/v1/preferences", headers=auth)
        assert first == [503, 503]
        assert third.status_code == 429
        assert "retry-after" in third.headers
        other_user = await client.get("/api/v1/preferences", headers=bearer(token("u-calm")))
        assert other_user.status_code == 429  # same address: its own limit (3) is now spent


async def test_credential_endpoints_have_a_stricter_limit() -> None:
    async with gateway_client(settings(rate_limit_sensitive_per_ip="2/minute")) as client:
        statuses = [
            (await client.post("/api/v1/auth/login", json={})).status_code for _ in range(3)
        ]
        assert statuses == [503, 503, 429]
        assert (await client.get("/.well-known/jwks.json")).status_code == 503
        # Keeping a session alive and confirming an address are outside the sign-in budget.
        for path in ("/api/v1/auth/refresh", "/api/v1/auth/verify-email", "/api/v1/auth/logout"):
            assert (await client.post(path, json={})).status_code == 503, path


async def test_request_ids_and_security_headers(client: httpx.AsyncClient) -> None:
    mine = await client.get("/api/v1/notifications", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    generated = await client.get("/api/v1/notifications", headers={"X-Request-ID": "bad id!"})
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert generated.headers["x-content-type-options"] == "nosniff"
    assert generated.headers["x-frame-options"] == "DENY"
    assert generated.headers["referrer-policy"] == "no-referrer"
    assert generated.headers["content-security-policy"].startswith("default-src 'none'")


async def test_cors_preflight_for_configured_origins_only() -> None:
    async with gateway_client(settings(cors_allow_origins=["https://app.cerchia.example"])) as c:
        preflight = await c.options(
            "/api/v1/me",
            headers={
                "Origin": "https://app.cerchia.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 200
        allowed = preflight.headers["access-control-allow-origin"]
        assert allowed == "https://app.cerchia.example"
        refused = await c.get("/api/v1/me", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers
        seen = await c.get("/api/v1/me", headers={"Origin": "https://app.cerchia.example"})
        assert seen.status_code == 401
        assert "x-request-id" in seen.headers["access-control-expose-headers"].lower()


async def test_cors_allows_the_token_and_the_consistency_token_and_refuses_other_origins() -> None:
    async with gateway_client(settings(cors_allow_origins=["http://127.0.0.1:8080"])) as c:
        preflight = await c.options(
            "/api/v1/communities/x/threads",
            headers={
                "Origin": "http://127.0.0.1:8080",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,cerchia-consistency,content-type",
            },
        )
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed
        assert "cerchia-consistency" in allowed
        seen = await c.get("/api/v1/me", headers={"Origin": "http://127.0.0.1:8080"})
        assert "cerchia-consistency" in seen.headers["access-control-expose-headers"].lower()

        other = await c.options(
            "/api/v1/communities/x/threads",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.status_code == 403
        assert other.json()["type"].endswith("/cors-origin-not-allowed")
        assert not [h for h in other.headers if h.lower().startswith("access-control-")]


def test_cors_origins_are_read_as_a_comma_separated_list_or_json() -> None:
    listed = GatewaySettings.model_validate(
        {"cors_allow_origins": "https://a.example, http://b:8080/"}
    )
    assert listed.cors_allow_origins == ["https://a.example", "http://b:8080"]
    as_json = GatewaySettings.model_validate({"cors_allow_origins": '["https://a.example"]'})
    assert as_json.cors_allow_origins == ["https://a.example"]


URL = re.compile(r"""(?:https?:)?//[^\s"'<>]+""")


async def test_the_docs_pages_load_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/docs/asyncapi"):
        response = await client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert URL.findall(response.text) == [], page
        assert "'self'" in response.headers["content-security-policy"]
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', response.text)
        assert assets
        for asset in assets:
            loaded = await client.get(asset)
            assert loaded.status_code == 200, asset
            assert len(loaded.content) > 0
    swagger = await client.get("/docs")
    assert "/docs/static/swagger/swagger-ui-bundle.js" in swagger.text
    assert "/docs/static/gateway/swagger-init.js" in swagger.text
    viewer = await client.get("/docs/asyncapi")
    assert '<asyncapi-viewer src="/asyncapi.json"' in viewer.text
    assert "membership.public.v1" in viewer.text  # the summary without JavaScript
    assert "membership.communities.v1" not in viewer.text  # internal: not for integrators


async def test_the_documents_are_served_even_with_every_service_down(
    client: httpx.AsyncClient,
) -> None:
    openapi = (await client.get("/openapi.json")).json()
    assert openapi["openapi"] == "3.1.0"
    assert "/api/v1/me" in openapi["paths"]
    assert "/api/v1/stream" in openapi["paths"]
    assert openapi["info"]["x-services-missing"] == [
        "content",
        "events",
        "membership",
        "notifications",
    ]
    asyncapi = (await client.get("/asyncapi.json")).json()
    assert asyncapi["asyncapi"] == "3.0.0"
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {
        "membership": "failing",
        "content": "failing",
        "events": "failing",
        "notifications": "failing",
    }


async def test_me_with_every_service_down_is_a_503_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers=bearer(token()))
    assert response.status_code == 503
    body = response.json()
    assert {w["part"] for w in body["warnings"]} == {
        "profile",
        "communities",
        "unread_notifications",
        "upcoming_events",
    }


async def test_metrics_are_the_gateways_own_served_without_a_token_per_upstream(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/api/v1/communities", headers=bearer(token()))
    scraped = await client.get("/metrics", headers={"Authorization": "Bearer not-a-token"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    # The proxied request is labelled with the upstream that served it, never its raw path.
    assert re.search(
        r'cerchia_http_server_duration_seconds_count\{method="GET",'
        r'route="/api/v1/\* \(membership\)",status="5\d\d"\} [1-9]',
        scraped.text,
    ), scraped.text
    # (Other apps tested in this process share the registry: only this request's series count.)
    assert not re.search(r'method="GET",route="/api/v1/communities",status="5', scraped.text)
    # The instrumentations' own HTTP metrics would only duplicate it.
    assert "http_server_duration_milliseconds" not in scraped.text
