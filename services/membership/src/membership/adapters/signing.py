"""The key that signs membership's access tokens."""

import logging

from cerchia_chassis.tokens import SigningKey
from membership.settings import MembershipSettings

logger = logging.getLogger(__name__)


def load_signing_key(settings: MembershipSettings) -> SigningKey:
    """The configured key (created on first use), or a per-process key with a warning."""
    if settings.signing_key_file is not None:
        return SigningKey.load_or_create(settings.signing_key_file)
    logger.warning("no MEMBERSHIP_SIGNING_KEY_FILE: tokens are signed with a per-process key")
    return SigningKey.generate()
