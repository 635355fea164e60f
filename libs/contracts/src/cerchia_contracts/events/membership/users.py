"""``membership.users.v1``: the lifecycle of accounts, keyed by user id."""

from typing import Annotated, Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.personal import PersonalData

__all__ = [
    "EmailVerified",
    "EmailVerifiedV1",
    "Locale",
    "PasswordChanged",
    "PasswordChangedV1",
    "ProfileUpdated",
    "ProfileUpdatedV1",
    "SignUpAttempted",
    "SignUpAttemptedV1",
    "UserErased",
    "UserErasedV1",
    "UserRegistered",
    "UserRegisteredV1",
]

Locale = Literal["it", "en"]


class UserRegistered(EventData):
    """A person created a Cerchia account."""

    user_id: str = Field(description="Id of the new user.")
    email: Annotated[str, PersonalData("user_id")] = Field(
        description="The address the user registered with (not yet verified)."
    )
    display_name: Annotated[str, PersonalData("user_id")] = Field(
        description="Name shown to other members."
    )
    locale: Locale = Field(description="Preferred language for messages: it or en.")
    timezone: str | None = Field(
        default=None,
        description="IANA time zone chosen at sign-up (UTC when none was given); null in "
        "events published before it was carried.",
    )


class UserRegisteredV1(CloudEvent[UserRegistered]):
    """A new account exists; notifications welcomes the user."""

    type: Literal["cerchia.membership.user_registered.v1"] = Field(
        default="cerchia.membership.user_registered.v1", description="Event type."
    )


class EmailVerified(EventData):
    """A user proved they own their email address."""

    user_id: str = Field(description="Id of the user.")
    email: Annotated[str, PersonalData("user_id")] = Field(description="The verified address.")


class EmailVerifiedV1(CloudEvent[EmailVerified]):
    """The user's email address is verified."""

    type: Literal["cerchia.membership.email_verified.v1"] = Field(
        default="cerchia.membership.email_verified.v1", description="Event type."
    )


class ProfileUpdated(EventData):
    """A user's public profile and contact preferences after a change (the full current state)."""

    user_id: str = Field(description="Id of the user.")
    email: Annotated[str, PersonalData("user_id")] = Field(description="Current contact address.")
    display_name: Annotated[str, PersonalData("user_id")] = Field(
        description="Name shown to other members."
    )
    handle: Annotated[str | None, PersonalData("user_id")] = Field(
        default=None, description="Unique @handle, if chosen."
    )
    locale: Locale = Field(description="Preferred language for messages: it or en.")
    timezone: str = Field(description="IANA time zone, e.g. Europe/Rome.")
    headline: Annotated[str | None, PersonalData("user_id")] = Field(
        default=None, description="One-line professional headline."
    )
    city: Annotated[str | None, PersonalData("user_id")] = Field(
        default=None, description="City, if shared."
    )
    skills: Annotated[tuple[str, ...], PersonalData("user_id")] = Field(
        default=(), description="Skills the user lists."
    )
    interests: Annotated[tuple[str, ...], PersonalData("user_id")] = Field(
        default=(), description="Interests the user lists."
    )
    asks: Annotated[tuple[str, ...], PersonalData("user_id")] = Field(
        default=(), description='Networking asks: "I am looking for..." (free text, one each).'
    )
    offers: Annotated[tuple[str, ...], PersonalData("user_id")] = Field(
        default=(), description='Networking offers: "I can help with..." (free text, one each).'
    )


class ProfileUpdatedV1(CloudEvent[ProfileUpdated]):
    """The user's profile changed; projections refresh their copy."""

    type: Literal["cerchia.membership.profile_updated.v1"] = Field(
        default="cerchia.membership.profile_updated.v1", description="Event type."
    )


class PasswordChanged(EventData):
    """A user's password was changed or reset; every session of theirs has ended."""

    user_id: str = Field(description="Id of the user.")
    cause: Literal["changed", "reset"] = Field(
        description="changed: with the old password, signed in; reset: through an emailed link."
    )


class PasswordChangedV1(CloudEvent[PasswordChanged]):
    """Tell the account's owner their password changed (so a takeover does not go unseen)."""

    type: Literal["cerchia.membership.password_changed.v1"] = Field(
        default="cerchia.membership.password_changed.v1", description="Event type."
    )


class SignUpAttempted(EventData):
    """Someone tried to register an account with the address of an existing one.

    Sign-up answers such an attempt exactly as a new registration (so it does not reveal which
    addresses have accounts); the owner is told instead, by email.
    """

    user_id: str = Field(description="Id of the existing account whose address was used.")


class SignUpAttemptedV1(CloudEvent[SignUpAttempted]):
    """Tell the owner of an address that someone tried to sign up with it."""

    type: Literal["cerchia.membership.sign_up_attempted.v1"] = Field(
        default="cerchia.membership.sign_up_attempted.v1", description="Event type."
    )


class UserErased(EventData):
    """A user exercised the right to erasure: every service deletes or anonymises their data."""

    user_id: str = Field(description="Id of the erased user; no personal data follows.")


class UserErasedV1(CloudEvent[UserErased]):
    """The account is gone; every consumer must forget the person's personal data."""

    type: Literal["cerchia.membership.user_erased.v1"] = Field(
        default="cerchia.membership.user_erased.v1", description="Event type."
    )
