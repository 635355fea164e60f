"""``membership.tokens.v2``: messages carrying single-use secrets, for notifications only.

Readable by the notifications service alone (ACL), and even so no token travels in clear: each
is sealed (HPKE, RFC 9180: X25519, HKDF-SHA256, ChaCha20-Poly1305) to the notifications
service's public key, bound to the event type and subject (``cerchia_chassis.sealing``). A reader
of the topic, or of the producer's outbox, without that private key learns no usable token.
``.v1`` carried the tokens in clear and is retired.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.events.membership.users import Locale
from cerchia_contracts.personal import PersonalData

__all__ = [
    "EmailVerificationRequested",
    "EmailVerificationRequestedV2",
    "InvitationSent",
    "InvitationSentV2",
    "PasswordResetRequested",
    "PasswordResetRequestedV2",
    "SealedToken",
    "sealing_context",
]


def sealing_context(event_type: str, subject: str) -> str:
    """What a token is bound to when sealed: its event's type and subject (HPKE ``info``)."""
    return f"cerchia-token|{event_type}|{subject}"


class SealedToken(EventData):
    """A single-use secret sealed to the notifications service's key."""

    key_id: str = Field(description="Id of the recipient key it is sealed to (for rotation).")
    ciphertext: str = Field(
        description="HPKE (X25519, HKDF-SHA256, ChaCha20-Poly1305) single-shot output, "
        "base64url: the encapsulated key followed by the sealed token."
    )


class EmailVerificationRequested(EventData):
    """A verification link must reach the user's inbox."""

    user_id: str = Field(description="Id of the user.")
    email: Annotated[str, PersonalData("user_id")] = Field(
        description="Address to verify (and to send the link to)."
    )
    display_name: Annotated[str, PersonalData("user_id")] = Field(
        description="Name to greet the user with."
    )
    locale: Locale = Field(description="Language of the message.")
    token: SealedToken = Field(description="Single-use verification token, sealed.")
    expires_at: datetime = Field(description="When the token stops working (UTC).")


class EmailVerificationRequestedV2(CloudEvent[EmailVerificationRequested]):
    """Send the email-verification link."""

    type: Literal["cerchia.membership.email_verification_requested.v2"] = Field(
        default="cerchia.membership.email_verification_requested.v2", description="Event type."
    )


class PasswordResetRequested(EventData):
    """A password-reset link must reach the user's inbox."""

    user_id: str = Field(description="Id of the user.")
    email: Annotated[str, PersonalData("user_id")] = Field(description="Address the link goes to.")
    display_name: Annotated[str, PersonalData("user_id")] = Field(
        description="Name to greet the user with."
    )
    locale: Locale = Field(description="Language of the message.")
    token: SealedToken = Field(description="Single-use reset token, sealed.")
    expires_at: datetime = Field(description="When the token stops working (UTC).")


class PasswordResetRequestedV2(CloudEvent[PasswordResetRequested]):
    """Send the password-reset link."""

    type: Literal["cerchia.membership.password_reset_requested.v2"] = Field(
        default="cerchia.membership.password_reset_requested.v2", description="Event type."
    )


class InvitationSent(EventData):
    """A moderator invited someone, by email, to join a community."""

    invitation_id: str = Field(description="Id of the invitation.")
    community_id: str = Field(description="Community the invitation is for.")
    community_name: str = Field(description="Its name, for the message.")
    invited_by: str = Field(description="User id of the moderator who invited.")
    email: str = Field(description="Address the invitation goes to.")
    locale: Locale = Field(description="Language of the message (the community's).")
    token: SealedToken = Field(description="Single-use invitation token, sealed.")
    expires_at: datetime = Field(description="When the invitation stops working (UTC).")


class InvitationSentV2(CloudEvent[InvitationSent]):
    """Send the invitation link."""

    type: Literal["cerchia.membership.invitation_sent.v2"] = Field(
        default="cerchia.membership.invitation_sent.v2", description="Event type."
    )
