"""Forged access tokens against the real platform: refused by the gateway, and by every service
when one is reached directly (defence in depth), while the genuine token passes both."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from cerchia_chassis.tokens import SigningKey
from cerchia_devstack.pytest_plugin import AuthKeys
from tests.platform import Platform

pytestmark = pytest.mark.e2e

ISS, AUD = "cerchia-membership", "cerchia"
USER = str(uuid.uuid4())

#: One authenticated request per service that needs nothing but a valid token, and what the
#: genuine token gets (events has no plain read of the caller's own: revoking a feed that
#: does not exist is harmless).
SERVICE_CALLS = {
    "membership": ("GET", "/api/v1/me/communities", {200}),
    "content": ("GET", "/api/v1/conversations", {200}),
    "events": ("DELETE", "/api/v1/calendars/me/feed", {204, 404}),
    "notifications": ("GET", "/api/v1/notifications/unread-count", {200}),
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": ISS,
        "aud": AUD,
        "sub": USER,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=10),
        "jti": str(uuid.uuid4()),
    } | overrides


def forged_tokens(key: SigningKey) -> dict[str, str]:
    """Every way of forging or bending an access token we know of, each one of them alone."""
    private = ed25519.Ed25519PrivateKey.from_private_bytes(
        serialization.load_pem_private_key(key.pem(), password=None).private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    )
    header = {"kid": key.kid, "typ": "at+jwt"}
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    attacker = ed25519.Ed25519PrivateKey.generate()
    genuine = key.sign_access_token(USER, issuer=ISS, audience=AUD)
    head, payload, signature = genuine.split(".")
    other_user = b64(json.dumps(claims(sub=str(uuid.uuid4())), default=str).encode())
    return {
        "alg none": jwt.encode(claims(), None, algorithm="none", headers=header),
        "alg none, signature kept": ".".join(
            [b64(json.dumps({"alg": "none", **header}).encode()), payload, signature]
        ),
        "HS256 keyed with the JWK's x": jwt.encode(
            claims(), key.public_jwk["x"], algorithm="HS256", headers=header
        ),
        "HS256 keyed with the raw public key": jwt.encode(
            claims(), public_raw, algorithm="HS256", headers=header
        ),
        "HS256 keyed with the public PEM": _hmac_token(claims(), public_pem, header),
        "RS256 under the real kid": jwt.encode(
            claims(),
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            algorithm="RS256",
            headers=header,
        ),
        "ES256 under the real kid": jwt.encode(
            claims(), ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers=header
        ),
        "EdDSA by another key under the real kid": jwt.encode(
            claims(), attacker, algorithm="EdDSA", headers=header
        ),
        "unknown kid": SigningKey.generate().sign_access_token(USER, issuer=ISS, audience=AUD),
        "no kid": jwt.encode(claims(), private, algorithm="EdDSA", headers={"typ": "at+jwt"}),
        "embedded attacker jwk": jwt.encode(
            claims(),
            attacker,
            algorithm="EdDSA",
            headers={
                "typ": "at+jwt",
                "jwk": {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": b64(
                        attacker.public_key().public_bytes(
                            serialization.Encoding.Raw, serialization.PublicFormat.Raw
                        )
                    ),
                },
            },
        ),
        "jku to an attacker's key set": jwt.encode(
            claims(),
            attacker,
            algorithm="EdDSA",
            headers={"typ": "at+jwt", "kid": "attacker", "jku": "https://evil.example/jwks"},
        ),
        "wrong audience": key.sign_access_token(USER, issuer=ISS, audience="elsewhere"),
        "wrong issuer": key.sign_access_token(USER, issuer="cerchia-evil", audience=AUD),
        "expired": key.sign_access_token(
            USER, issuer=ISS, audience=AUD, now=datetime.now(UTC) - timedelta(hours=2)
        ),
        "not valid yet": jwt.encode(
            claims(
                nbf=datetime.now(UTC) + timedelta(hours=1),
                iat=datetime.now(UTC) + timedelta(hours=1),
            ),
            private,
            algorithm="EdDSA",
            headers=header,
        ),
        "no expiry": jwt.encode(
            {k: v for k, v in claims().items() if k != "exp"},
            private,
            algorithm="EdDSA",
            headers=header,
        ),
        "typ JWT (an ID token's)": jwt.encode(
            claims(), private, algorithm="EdDSA", headers={"kid": key.kid, "typ": "JWT"}
        ),
        "no typ": jwt.encode(claims(), private, algorithm="EdDSA", headers={"kid": key.kid}),
        "tampered payload (another user)": f"{head}.{other_user}.{signature}",
        "tampered header": f"{b64(json.dumps({'alg': 'EdDSA', **header, 'x': 1}).encode())}"
        f".{payload}.{signature}",
        "signature stripped": f"{head}.{payload}.",
        "garbage": "not-a-jwt",
    }


def _hmac_token(payload: dict[str, Any], secret: bytes, header: dict[str, str]) -> str:
    # PyJWT refuses to use a PEM as an HMAC secret; an attacker signs by hand.
    head = b64(json.dumps({"alg": "HS256", **header}).encode())
    body = b64(json.dumps(payload, default=lambda d: int(d.timestamp())).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


async def test_the_genuine_token_passes_the_gateway_and_every_service(
    platform: Platform, auth_keys: AuthKeys
) -> None:
    headers = auth_keys.headers(USER)
    async with platform.client() as client:
        for service, (method, path, ok) in SERVICE_CALLS.items():
            through = await client.request(method, path, headers=headers)
            assert through.status_code in ok, (service, through.text)
            direct = await client.request(
                method, platform.processes[service].url + path, headers=headers
            )
            assert direct.status_code in ok, (service, direct.text)


CASES = sorted(forged_tokens(SigningKey.generate()))


@pytest.fixture(scope="module")
def forged(auth_keys: AuthKeys) -> dict[str, str]:
    return forged_tokens(auth_keys.key)


@pytest.mark.parametrize("case", CASES)
async def test_a_forged_token_is_refused_by_the_gateway_and_by_every_service(
    case: str, forged: dict[str, str], platform: Platform
) -> None:
    headers = {"Authorization": f"Bearer {forged[case]}"}
    async with platform.client() as client:
        for service, (method, path, _) in SERVICE_CALLS.items():
            through = await client.request(method, path, headers=headers)
            assert through.status_code == 401, (service, through.text)
            assert through.headers["content-type"] == "application/problem+json"
            assert through.json()["type"].endswith("/invalid-token")
            assert 'error="invalid_token"' in through.headers["www-authenticate"]
            direct = await client.request(
                method, platform.processes[service].url + path, headers=headers
            )
            assert direct.status_code == 401, (service, direct.text)
            assert direct.headers["content-type"] == "application/problem+json"
