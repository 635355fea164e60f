"""A browser's push keys (RFC 8291): the P-256 public key and the 16-byte auth secret."""

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric import ec

AUTH_SECRET_BYTES = 16


def _decoded(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def p256dh_problem(p256dh: str) -> str | None:
    """Why ``p256dh`` is not an uncompressed P-256 point in base64url (a message encrypted to
    it could never be read), or None."""
    raw = _decoded(p256dh)
    if raw is None or len(raw) != 65 or raw[0] != 0x04:
        return "not an uncompressed P-256 public key (65 bytes, base64url)"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "not a point on the P-256 curve"
    return None


def auth_problem(auth: str) -> str | None:
    """Why ``auth`` is not a 16-byte secret in base64url, or None."""
    raw = _decoded(auth)
    if raw is None or len(raw) != AUTH_SECRET_BYTES:
        return "not a 16-byte authentication secret (base64url)"
    return None
