"""Signing access tokens and publishing the public keys (membership signs; tests sign too)."""

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from cerchia_chassis.auth import ACCESS_TOKEN_TYPE

_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)


def public_jwk(key: Ed25519PublicKey) -> dict[str, Any]:
    """The JWK of an Ed25519 public key, its ``kid`` the RFC 7638 thumbprint."""
    public = json.loads(OKPAlgorithm.to_jwk(key))
    thumbprint_input = json.dumps(
        {k: public[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True
    )
    kid = jwt.utils.base64url_encode(hashlib.sha256(thumbprint_input.encode()).digest()).decode()
    return {**public, "alg": "EdDSA", "use": "sig", "kid": kid}


def public_jwks_from_pem(pem: bytes) -> list[dict[str, Any]]:
    """The JWKs of every Ed25519 public key in a PEM bundle (``-----BEGIN PUBLIC KEY-----``).

    Private keys are refused: a file of keys to publish must never hold a secret.
    """
    keys: list[dict[str, Any]] = []
    for block in _PEM_BLOCK.findall(pem):
        if b"PRIVATE KEY" in block.split(b"\n", 1)[0]:
            raise ValueError("a published key file holds public keys only, not a private key")
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("published keys must be Ed25519 public keys")
        keys.append(public_jwk(key))
    if pem.strip() and not keys:
        raise ValueError("no PEM public key found")
    return keys


class SigningKey:
    """An Ed25519 key whose id is its RFC 7638 thumbprint."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_jwk: dict[str, Any] = public_jwk(private_key.public_key())
        self.kid: str = self.public_jwk["kid"]

    @classmethod
    def generate(cls) -> "SigningKey":
        """A fresh key (tests, or a single-process development setup)."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> "SigningKey":
        """Load a PKCS#8 PEM Ed25519 private key."""
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key")
        return cls(key)

    @classmethod
    def load_or_create(cls, path: Path) -> "SigningKey":
        """The key stored at ``path``, created (mode 0600) when missing."""
        if path.exists():
            return cls.from_pem(path.read_bytes())
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(key.pem())
        return key

    def pem(self) -> bytes:
        """The private key as PKCS#8 PEM."""
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM (what a published key file holds)."""
        return self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwks(
        self, published: list[dict[str, Any]] | tuple[dict[str, Any], ...] = ()
    ) -> dict[str, Any]:
        """The public JWKS document: this key first, then ``published`` (the next key before a
        rotation, the previous one after it), each key once."""
        keys = [self.public_jwk]
        for jwk in published:
            if all(jwk["kid"] != k["kid"] for k in keys):
                keys.append(jwk)
        return {"keys": keys}

    def sign_access_token(
        self,
        subject: str,
        *,
        issuer: str,
        audience: str,
        ttl: timedelta = timedelta(minutes=15),
        now: datetime | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """A short-lived access token (``typ: at+jwt``) for ``subject``."""
        issued = now or datetime.now(UTC)
        payload = {
            **(claims or {}),
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(
            payload,
            self._private,
            algorithm="EdDSA",
            headers={"kid": self.kid, "typ": ACCESS_TOKEN_TYPE},
        )
