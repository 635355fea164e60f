"""Rotating the signing key logs nobody out: the next key is published first, the previous kept.

Each phase is membership's JWKS as its settings make it (signing key file, published keys file),
served over HTTP; the tokens are membership's; the verifier is the one the gateway builds (a
``KeySet`` on the JWKS URL). The procedure is docs/operations.md, "Rotating the signing key".
"""

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest

from cerchia_chassis.auth import InvalidToken, KeySet, TokenVerifier
from cerchia_chassis.tokens import SigningKey
from membership.adapters.access_tokens import JwtAccessTokens
from membership.adapters.signing import load_signing_key, published_keys
from membership.settings import MembershipSettings

pytestmark = pytest.mark.unit

ISS, AUD = "cerchia-membership", "cerchia"
#: How long the gateway's verifier keeps fetched keys in this test (300 s in production).
MAX_AGE_S = 0.2


class Jwks:
    """Membership's JWKS endpoint, its document replaced as membership is rolled out."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        self.down = False
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                if jwks.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps(jwks.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"

    def publish(self, settings: MembershipSettings) -> SigningKey:
        """Roll membership out with these settings: its signing key and its JWKS."""
        key = load_signing_key(settings)
        self.document = key.jwks(published_keys(settings))
        return key


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    served = Jwks()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


def settings(signing: Path, published: Path | None = None) -> MembershipSettings:
    return MembershipSettings(signing_key_file=signing, published_keys_file=published)


def sign(key: SigningKey, user: str, *, now: datetime | None = None) -> str:
    tokens = JwtAccessTokens(key, issuer=ISS, audience=AUD, ttl=timedelta(minutes=15))
    return tokens.issue(user_id=user, session_id=f"s-{user}", now=now or datetime.now(UTC)).token


def kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_a_rotation_keeps_old_tokens_working_and_new_ones_verify_at_once(
    jwks: Jwks, tmp_path: Path
) -> None:
    old_file, new_file = tmp_path / "old.pem", tmp_path / "new.pem"
    old = jwks.publish(settings(old_file))
    new = SigningKey.load_or_create(new_file)
    gateway = TokenVerifier(KeySet(url=jwks.url, max_age_s=MAX_AGE_S), issuer=ISS, audience=AUD)
    before = sign(old, "ada")
    assert (await gateway.verify(before)).user_id == "ada"

    # 1. Publish the next key beside the current one (its public half only).
    next_keys = tmp_path / "next.pub.pem"
    next_keys.write_bytes(new.public_pem())
    assert jwks.publish(settings(old_file, next_keys)).kid == old.kid, "still signs with old"
    assert [k["kid"] for k in jwks.document["keys"]] == [old.kid, new.kid]
    await asyncio.sleep(MAX_AGE_S * 2)  # every verifier re-reads the JWKS within its max age
    assert (await gateway.verify(before)).user_id == "ada"

    # 2. Rotate: sign with the new key, publish the old one as the previous key.
    previous_keys = tmp_path / "previous.pub.pem"
    previous_keys.write_bytes(old.public_pem())
    rotated = jwks.publish(settings(new_file, previous_keys))
    after = sign(rotated, "bea")
    assert kid(after) == new.kid != old.kid
    # Known already: verified at once from the keys fetched in step 1 (even with membership's
    # JWKS unreachable for the moment, a failed re-read keeps the keys known).
    jwks.down = True
    assert (await gateway.verify(after)).user_id == "bea"
    await asyncio.sleep(MAX_AGE_S * 2)
    assert (await gateway.verify(after)).user_id == "bea"
    jwks.down = False
    # A token signed before the rotation still works until it expires: nobody is logged out.
    assert (await gateway.verify(before)).user_id == "ada"
    await asyncio.sleep(MAX_AGE_S * 2)
    assert (await gateway.verify(before)).user_id == "ada"

    # 3. Once every old token has expired, the previous key is retired.
    jwks.publish(settings(new_file))
    assert [k["kid"] for k in jwks.document["keys"]] == [new.kid]
    await asyncio.sleep(MAX_AGE_S * 2)
    assert (await gateway.verify(after)).user_id == "bea"
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await gateway.verify(sign(old, "ada"))


async def test_without_publishing_ahead_a_fresh_key_is_refused_for_a_while(
    jwks: Jwks, tmp_path: Path
) -> None:
    # What step 1 prevents: verifiers re-read an unknown kid's JWKS at most every 30 s.
    old = jwks.publish(settings(tmp_path / "old.pem"))
    gateway = TokenVerifier(KeySet(url=jwks.url), issuer=ISS, audience=AUD)
    await gateway.verify(sign(old, "ada"))
    new = SigningKey.load_or_create(tmp_path / "new.pem")
    (tmp_path / "previous.pub.pem").write_bytes(old.public_pem())
    jwks.publish(settings(tmp_path / "new.pem", tmp_path / "previous.pub.pem"))
    await gateway.verify(sign(old, "ada"))  # uses the cached keys: no new fetch
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await gateway.verify(sign(new, "bea"))


def test_a_published_key_file_holds_public_keys_only(tmp_path: Path) -> None:
    key = SigningKey.generate()
    leaked = tmp_path / "leaked.pem"
    leaked.write_bytes(key.pem())
    with pytest.raises(ValueError, match="public keys only"):
        published_keys(settings(tmp_path / "signing.pem", leaked))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    with pytest.raises(ValueError, match="MEMBERSHIP_PUBLISHED_KEYS_FILE: no PEM public key"):
        published_keys(settings(tmp_path / "signing.pem", garbage))
    two = tmp_path / "two.pem"
    other = SigningKey.generate()
    two.write_bytes(key.public_pem() + other.public_pem())
    kids = [k["kid"] for k in published_keys(settings(tmp_path / "signing.pem", two))]
    assert kids == [key.kid, other.kid]
