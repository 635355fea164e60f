"""The verified-email gate of the actions that make someone part of a community."""

from cerchia_chassis.domain.errors import EmailNotVerified
from membership.service.community_ports import CommunityPorts


async def verified_address(ports: CommunityPorts, user_id: str) -> str:
    """The caller's verified address; raise EmailNotVerified (403) when they have none yet.

    Founding, joining, applying and accepting an invitation need it; reading and completing
    one's profile do not.
    """
    address = await ports.profiles.verified_email(user_id)
    if address is None:
        raise EmailNotVerified
    return address
