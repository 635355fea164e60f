"""Access-token verification: every check of RFC 8725 is shown to reject a bad token."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from fastapi import FastAPI

from cerchia_chassis.auth import CurrentUser, InvalidToken, KeySet, TokenVerifier
from cerchia_chassis.http import service_app
from cerchia_chassis.settings import ServiceSettings
from cerchia_chassis.tokens import SigningKey

pytestmark = pytest.mark.unit

ISS, AUD = "cerchia-membership", "cerchia"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def verifier(key: SigningKey) -> TokenVerifier:
    return TokenVerifier(KeySet(static=key.jwks()), issuer=ISS, audience=AUD)


async def test_a_valid_token_names_its_subject(key: SigningKey, verifier: TokenVerifier) -> None:
    principal = await verifier.verify(key.sign_access_token("u-1", issuer=ISS, audience=AUD))
    assert principal.user_id == "u-1"
    assert principal.token_id


def forged_tokens(key: SigningKey) -> dict[str, str]:
    other = SigningKey.generate()
    now = datetime.now(UTC)
    good = key.sign_access_token("u-1", issuer=ISS, audience=AUD)
    header, payload, _ = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    es256 = generate_private_key(SECP256R1())
    return {
        "expired": key.sign_access_token(
            "u", issuer=ISS, audience=AUD, now=now - timedelta(hours=2)
        ),
        "wrong issuer": key.sign_access_token("u", issuer="evil", audience=AUD),
        "wrong audience": key.sign_access_token("u", issuer=ISS, audience="other"),
        "signed by an unknown key": other.sign_access_token("u", issuer=ISS, audience=AUD),
        "unknown key claiming a known kid": jwt.encode(
            claims, es256, algorithm="ES256", headers={"kid": key.kid, "typ": "at+jwt"}
        ),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"typ": "at+jwt"}),
        "HS256 with the public key as secret": jwt.encode(
            claims,
            key.public_jwk["x"],
            algorithm="HS256",
            headers={"kid": key.kid, "typ": "at+jwt"},
        ),
        "not an access token (typ)": jwt.encode(
            claims,
            SigningKey.generate()._private,
            algorithm="EdDSA",
            headers={"kid": key.kid, "typ": "JWT"},
        ),
        "tampered payload": f"{header}.{payload[:-2]}AA.{good.split('.')[2]}",
        "garbage": "not-a-jwt",
        "missing jti": jwt.encode(
            {k: v for k, v in claims.items() if k != "jti"},
            key._private,
            algorithm="EdDSA",
            headers={"kid": key.kid, "typ": "at+jwt"},
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "wrong issuer",
        "wrong audience",
        "signed by an unknown key",
        "unknown key claiming a known kid",
        "alg none",
        "HS256 with the public key as secret",
        "not an access token (typ)",
        "tampered payload",
        "garbage",
        "missing jti",
    ],
)
async def test_bad_tokens_are_rejected(case: str, key: SigningKey, verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(forged_tokens(key)[case])


def test_signing_key_survives_a_pem_round_trip(key: SigningKey) -> None:
    assert SigningKey.from_pem(key.pem()).kid == key.kid


async def test_routes_require_a_bearer_token_and_answer_401_problems(key: SigningKey) -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    settings = ServiceSettings(
        service_name="probe", log_json=False, auth_jwks=json.dumps(key.jwks())
    )
    app = service_app(settings, title="p", version="0", lifespan=lifespan)

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"id": user.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        anonymous = await client.get("/me")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.headers["content-type"] == "application/problem+json"
        bad = await client.get("/me", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert bad.json()["type"].endswith("/invalid-token")
        token = key.sign_access_token("u-9", issuer=ISS, audience=AUD)
        ok = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert ok.json() == {"id": "u-9"}
