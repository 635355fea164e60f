"""The key that signs membership's access tokens, and the other public keys it publishes."""

import logging
from typing import Any

from cerchia_chassis.tokens import SigningKey, public_jwks_from_pem
from membership.settings import MembershipSettings

logger = logging.getLogger(__name__)


def load_signing_key(settings: MembershipSettings) -> SigningKey:
    """The configured key (created on first use), or a per-process key with a warning."""
    if settings.signing_key_file is not None:
        return SigningKey.load_or_create(settings.signing_key_file)
    logger.warning("no MEMBERSHIP_SIGNING_KEY_FILE: tokens are signed with a per-process key")
    return SigningKey.generate()


def published_keys(settings: MembershipSettings) -> tuple[dict[str, Any], ...]:
    """The public keys published beside the signing key (the next one, the previous one)."""
    if settings.published_keys_file is None:
        return ()
    try:
        return tuple(public_jwks_from_pem(settings.published_keys_file.read_bytes()))
    except (OSError, ValueError) as error:
        raise ValueError(f"MEMBERSHIP_PUBLISHED_KEYS_FILE: {error}") from error
