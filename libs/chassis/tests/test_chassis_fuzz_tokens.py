"""Fuzzing the access-token verifier and the JWKS parser: garbage, near-valid and correctly
signed tokens with odd claims yield a principal or ``InvalidToken``, never another error."""

import asyncio
import base64
import contextlib
import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cerchia_chassis.auth import InvalidToken, KeySet, Principal, TokenVerifier
from cerchia_chassis.tokens import SigningKey

pytestmark = pytest.mark.unit

ISS, AUD = "cerchia-membership", "cerchia"
KEY = SigningKey.generate()
VERIFIER = TokenVerifier(KeySet(static=KEY.jwks()), issuer=ISS, audience=AUD)
PRIVATE = load_pem_private_key(KEY.pem(), password=None)
assert isinstance(PRIVATE, Ed25519PrivateKey)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=16)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def verify(token: str) -> Principal | None:
    """The principal, or None when the verifier refused the token the way it is meant to."""
    try:
        return asyncio.run(VERIFIER.verify(token))
    except InvalidToken:
        return None


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value).encode())


def signed(header: Any, claims: Any) -> str:
    """A token the key really signed, whatever its header and claims say (as PyJWT would not
    produce, but a holder of a leaked or test key could)."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    return f"{signing_input}.{b64(PRIVATE.sign(signing_input.encode()))}"


def good_claims() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": ISS,
        "aud": AUD,
        "sub": "u-1",
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": "t-1",
    }


def good_header() -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": "at+jwt", "kid": KEY.kid}


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with a few members dropped, retyped or added."""
    document = dict(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        names = sorted(document)
        action = draw(st.sampled_from(["drop", "replace", "add"] if names else ["add"]))
        if action == "drop":
            del document[draw(st.sampled_from(names))]
        elif action == "replace":
            document[draw(st.sampled_from(names))] = draw(json_values)
        else:
            document[draw(st.text(max_size=8))] = draw(json_values)
    return document


@FUZZ
@given(
    token=st.text(max_size=200)
    | st.from_regex(r"[A-Za-z0-9_\-]{0,40}(\.[A-Za-z0-9_\-=]{0,40}){0,4}")
)
def test_arbitrary_strings_are_refused(token: str) -> None:
    assert verify(token) is None


@FUZZ
@given(
    header=mutated(good_header()) | json_values,
    claims=mutated(good_claims()) | json_values,
    signature=st.binary(max_size=80),
)
def test_forged_segments_are_refused(header: Any, claims: Any, signature: bytes) -> None:
    # Whatever the header and claims say, a signature that is not the key's cannot pass.
    assert verify(f"{segment(header)}.{segment(claims)}.{b64(signature)}") is None


@FUZZ
@given(claims=mutated(good_claims()), header=mutated(good_header()))
def test_signed_tokens_with_odd_claims_or_headers_verify_or_are_refused(
    claims: dict[str, Any], header: dict[str, Any]
) -> None:
    principal = verify(signed(header, claims))
    if principal is not None:
        assert principal.user_id == claims["sub"]
        assert isinstance(principal.user_id, str)
        assert header.get("typ") == "at+jwt"
        assert claims.get("iss") == ISS


key_sets = (
    mutated(KEY.jwks())
    | mutated(KEY.public_jwk).map(lambda key: {"keys": [key]})
    | st.lists(mutated(KEY.public_jwk) | json_values, max_size=3).map(lambda keys: {"keys": keys})
    | json_values
)


@FUZZ
@given(document=key_sets.filter(lambda document: document is not None))
def test_arbitrary_key_sets_load_or_are_refused(document: Any) -> None:
    # (None is no document: ``static=None`` means "fetch from the URL".)
    try:
        keys = KeySet(static=document)
    except InvalidToken:
        return
    with contextlib.suppress(InvalidToken):
        asyncio.run(keys.key(KEY.kid))


@FUZZ
@given(
    body=key_sets.map(lambda document: json.dumps(document).encode()) | st.binary(max_size=200),
    status=st.sampled_from([200, 200, 200, 404, 500]),
)
def test_whatever_the_key_set_url_answers_a_token_verifies_or_is_refused(
    body: bytes, status: int
) -> None:
    def membership(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    transport = httpx.MockTransport(membership)
    verifier = TokenVerifier(KeySet(url="http://membership/jwks"), issuer=ISS, audience=AUD)
    token = KEY.sign_access_token("u-1", issuer=ISS, audience=AUD)
    client = functools.partial(httpx.AsyncClient, transport=transport)
    with mock.patch("cerchia_chassis.auth.httpx.AsyncClient", client):
        try:
            principal = asyncio.run(verifier.verify(token))
        except InvalidToken:
            return
    assert principal.user_id == "u-1"
    assert status == 200
