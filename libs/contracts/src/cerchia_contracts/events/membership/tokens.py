"""``membership.tokens.v1``: messages carrying single-use secrets, for notifications only.

Restricted by ACL in production: integrators never subscribe to it.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.events.membership.users import Locale

__all__ = [
    "EmailVerificationRequested",
    "EmailVerificationRequestedV1",
    "InvitationSent",
    "InvitationSentV1",
    "PasswordResetRequested",
    "PasswordResetRequestedV1",
]


class EmailVerificationRequested(EventData):
    """A verification link must reach the user's inbox."""

    user_id: str = Field(description="Id of the user.")
    email: str = Field(description="Address to verify (and to send the link to).")
    display_name: str = Field(description="Name to greet the user with.")
    locale: Locale = Field(description="Language of the message.")
    token: str = Field(description="Single-use verification token (secret).")
    expires_at: datetime = Field(description="When the token stops working (UTC).")


class EmailVerificationRequestedV1(CloudEvent[EmailVerificationRequested]):
    """Send the email-verification link."""

    type: Literal["cerchia.membership.email_verification_requested.v1"] = Field(
        default="cerchia.membership.email_verification_requested.v1", description="Event type."
    )


class PasswordResetRequested(EventData):
    """A password-reset link must reach the user's inbox."""

    user_id: str = Field(description="Id of the user.")
    email: str = Field(description="Address the link goes to.")
    display_name: str = Field(description="Name to greet the user with.")
    locale: Locale = Field(description="Language of the message.")
    token: str = Field(description="Single-use reset token (secret).")
    expires_at: datetime = Field(description="When the token stops working (UTC).")


class PasswordResetRequestedV1(CloudEvent[PasswordResetRequested]):
    """Send the password-reset link."""

    type: Literal["cerchia.membership.password_reset_requested.v1"] = Field(
        default="cerchia.membership.password_reset_requested.v1", description="Event type."
    )


class InvitationSent(EventData):
    """A moderator invited someone, by email, to join a community."""

    invitation_id: str = Field(description="Id of the invitation.")
    community_id: str = Field(description="Community the invitation is for.")
    community_name: str = Field(description="Its name, for the message.")
    invited_by: str = Field(description="User id of the moderator who invited.")
    email: str = Field(description="Address the invitation goes to.")
    locale: Locale = Field(description="Language of the message (the community's).")
    token: str = Field(description="Single-use invitation token (secret).")
    expires_at: datetime = Field(description="When the invitation stops working (UTC).")


class InvitationSentV1(CloudEvent[InvitationSent]):
    """Send the invitation link."""

    type: Literal["cerchia.membership.invitation_sent.v1"] = Field(
        default="cerchia.membership.invitation_sent.v1", description="Event type."
    )
