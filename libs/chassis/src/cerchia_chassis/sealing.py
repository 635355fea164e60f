"""Sealing a secret to one service: HPKE (RFC 9180) single-shot encryption to its public key.

The producer of a secret (membership's verification, reset and invitation tokens) seals it to
the consumer's X25519 public key; only the consumer, holding the private key, opens it. The
ciphertext is bound to a context (event type and subject), so a sealed token moved into another
event does not open. Keys are raw 32-byte X25519 keys in base64url; a key id (the first 8 bytes of
the public key's SHA-256, hex) names the key a token is sealed to, so the consumer can hold the
previous private key during a rotation.
"""

import base64
import hashlib
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from cerchia_chassis.consumer import PermanentError
from cerchia_contracts.events.membership.tokens import SealedToken

_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_RAW = serialization.Encoding.Raw


class SealingError(PermanentError, ValueError):
    """A key that is not a key, or a sealed value that does not open with the keys held.

    A message whose secret does not open will not open on a retry either: dead-letter it.
    """


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str, *, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise SealingError(f"{what} is not base64url") from exc


def key_id(public: X25519PublicKey) -> str:
    """The short name of a public key."""
    return hashlib.sha256(public.public_bytes(_RAW, serialization.PublicFormat.Raw)).hexdigest()[
        :16
    ]


class SealingKey:
    """The public key a producer seals to."""

    def __init__(self, public: X25519PublicKey) -> None:
        self._public = public
        self.id = key_id(public)

    @classmethod
    def from_text(cls, text: str) -> "SealingKey":
        """From its base64url raw form (what ``OpeningKey.public_text`` prints)."""
        raw = _unb64(text, what="the sealing key")
        if len(raw) != 32:
            raise SealingError("a sealing key is 32 bytes (X25519, base64url)")
        return cls(X25519PublicKey.from_public_bytes(raw))

    def seal(self, secret: str, *, context: str) -> SealedToken:
        """``secret`` sealed to this key, bound to ``context``."""
        sealed = _SUITE.encrypt(secret.encode(), self._public, info=context.encode())
        return SealedToken(key_id=self.id, ciphertext=_b64(sealed))


class OpeningKey:
    """A private key that opens what was sealed to its public half."""

    def __init__(self, private: X25519PrivateKey) -> None:
        self._private = private
        self.public = SealingKey(private.public_key())

    @classmethod
    def generate(cls) -> "OpeningKey":
        """A fresh key pair."""
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_text(cls, text: str) -> "OpeningKey":
        """From its base64url raw form (what ``private_text`` prints)."""
        raw = _unb64(text, what="the opening key")
        if len(raw) != 32:
            raise SealingError("an opening key is 32 bytes (X25519, base64url)")
        return cls(X25519PrivateKey.from_private_bytes(raw))

    def private_text(self) -> str:
        """The private key as base64url (keep it secret)."""
        raw = self._private.private_bytes(
            _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return _b64(raw)

    def public_text(self) -> str:
        """The public key as base64url, for the producer's settings."""
        return _b64(self._private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw))


class Opener:
    """Opens sealed values with the current key or, during a rotation, a previous one."""

    def __init__(self, keys: Iterable[OpeningKey]) -> None:
        self._keys = {key.public.id: key for key in keys}
        if not self._keys:
            raise SealingError("an opener needs at least one key")

    @classmethod
    def from_text(cls, text: str) -> "Opener":
        """Keys separated by commas or whitespace: the current first, then older ones."""
        return cls(OpeningKey.from_text(part) for part in text.replace(",", " ").split())

    def open(self, sealed: SealedToken, *, context: str) -> str:
        """The secret; SealingError when no key held opens it in this context."""
        key = self._keys.get(sealed.key_id)
        if key is None:
            raise SealingError(f"sealed to key {sealed.key_id}, which is not held")
        data = _unb64(sealed.ciphertext, what="the sealed value")
        try:
            return _SUITE.decrypt(data, key._private, info=context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealingError("the sealed value does not open in this context") from exc


def main() -> None:
    """Print a new key pair: the private key for the opening service, the public for sealers."""
    key = OpeningKey.generate()
    print(f"private (opening service, keep secret): {key.private_text()}")  # noqa: T201
    print(f"public (sealing service): {key.public_text()}")  # noqa: T201


if __name__ == "__main__":
    main()
