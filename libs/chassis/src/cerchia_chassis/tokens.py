"""Signing access tokens and publishing the public keys (membership signs; tests sign too)."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from cerchia_chassis.auth import ACCESS_TOKEN_TYPE


class SigningKey:
    """An Ed25519 key whose id is its RFC 7638 thumbprint."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        public = json.loads(OKPAlgorithm.to_jwk(private_key.public_key()))
        self.public_jwk: dict[str, Any] = {**public, "alg": "EdDSA", "use": "sig"}
        thumbprint_input = json.dumps(
            {k: public[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True
        )
        self.kid = jwt.utils.base64url_encode(
            hashlib.sha256(thumbprint_input.encode()).digest()
        ).decode()
        self.public_jwk["kid"] = self.kid

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

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document."""
        return {"keys": [self.public_jwk]}

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
